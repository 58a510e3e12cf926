package boucle.core;

/**
 * Where a loop waits when it has nothing ready to run: the hook through which {@code boucle.net}
 * adds a {@link java.nio.channels.Selector}. The core's own source only sleeps until a timer or a
 * {@link Loop#callSoonThreadsafe} wake-up.
 *
 * <p>Threads: {@link #wakeup()} may be called from any thread; everything else only from the
 * loop's thread.
 */
public interface EventSource extends AutoCloseable {
    /**
     * Waits for outside events for at most {@code timeoutNanos} ({@code 0}: only look;
     * {@link Long#MAX_VALUE}: no limit), or until {@link #wakeup()}. A task whose event arrived is
     * put back in the ready queue with {@link Task#wake()}; it is never run from here, because
     * this may be called under a monitor, where mounting a continuation crashes the JVM.
     */
    void poll(long timeoutNanos);

    /** Makes a blocked or the next {@link #poll} return at once. Any thread. */
    void wakeup();

    /** Whether some parked task waits on this source, so that an idle loop must wait, not end. */
    boolean hasWaiters();

    /** Releases the source's resources; the loop calls it once, from {@link Loop#close()}. */
    @Override
    void close();
}
