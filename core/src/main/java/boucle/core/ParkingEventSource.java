package boucle.core;

import java.util.concurrent.locks.LockSupport;

/**
 * The core's event source: no outside events, so waiting means parking the loop's thread until
 * the next timer or a {@link Loop#callSoonThreadsafe} wake-up. Zero CPU while idle.
 */
final class ParkingEventSource implements EventSource {
    private volatile Thread sleeper;
    private volatile boolean wokenUp;

    @Override
    public void poll(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return; // nothing to look at: this source has no events of its own
        }
        sleeper = Thread.currentThread();
        // wakeup() sets the flag before it reads `sleeper`, so one of the two always sees the other
        long deadline = System.nanoTime() + timeoutNanos;
        // an interrupt ends the wait, as it ends a selector's: the loop then ends its run (see Loop)
        while (!wokenUp && !Thread.currentThread().isInterrupted()) {
            long left = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            if (left == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, left);
            }
        }
        sleeper = null;
        wokenUp = false;
    }

    @Override
    public void wakeup() {
        wokenUp = true;
        Thread thread = sleeper;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public boolean hasWaiters() {
        return false;
    }

    @Override
    public void close() {
    }
}
