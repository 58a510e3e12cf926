package boucle.bench;

import boucle.core.Clock;
import boucle.core.EventSource;

/**
 * A clock and an event source in one, for timer benchmarks: when the loop asks to wait until its
 * next timer, time jumps there at once. Every timer still fires at its own deadline, in order, one
 * loop turn per distinct deadline, but nothing ever sleeps.
 */
final class JumpingClock implements Clock, EventSource {
    private long now;

    @Override
    public long nanoTime() {
        return now;
    }

    void reset() {
        now = 0;
    }

    @Override
    public void poll(long timeoutNanos) {
        if (timeoutNanos != Long.MAX_VALUE) {
            now += timeoutNanos;
        }
    }

    @Override
    public void wakeup() {
        // nothing ever blocks here
    }

    @Override
    public boolean hasWaiters() {
        return false;
    }

    @Override
    public void close() {
    }
}
