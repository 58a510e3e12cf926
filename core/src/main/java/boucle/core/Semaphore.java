package boucle.core;

/**
 * A count of permits tasks take and give back, as asyncio's {@code Semaphore}. Rule: <em>FIFO-fair
 * hand-off: {@link #release()} gives its permit straight to the task that has waited longest
 * (a new {@link #acquire()} never overtakes a waiting one); a waiter cancelled before the
 * hand-off leaves the queue, one cancelled after it keeps the permit and gets the cancellation
 * at its next suspension point. A {@linkplain #bounded bounded} semaphore refuses a release that
 * would exceed its initial count.</em>
 *
 * <pre>{@code
 * Semaphore connections = Semaphore.bounded(100);
 * connections.acquire();
 * try { serve(); } finally { connections.release(); }
 * }</pre>
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Semaphore {
    private int permits;
    /** The most permits it may hold, for a bounded semaphore; {@link Integer#MAX_VALUE} otherwise. */
    private final int limit;
    private final WaitQueue waiting = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();

    /** A semaphore with {@code permits} permits to start with; any release adds one. */
    public Semaphore(int permits) {
        this(permits, Integer.MAX_VALUE);
    }

    private Semaphore(int permits, int limit) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore needs zero or more permits, not " + permits);
        }
        this.permits = permits;
        this.limit = limit;
    }

    /** Any thread. A semaphore that never holds more than {@code permits}: releasing more than was taken is an error. */
    public static Semaphore bounded(int permits) {
        return new Semaphore(permits, permits);
    }

    /** Takes a permit, parking the current task while there is none (or others wait before it). */
    public void acquire() {
        binding.requireLoopThread();
        if (permits > 0 && waiting.isEmpty()) {
            permits--;
            return;
        }
        waiting.parkUntilGranted(this, null); // release() handed its permit to us before waking us
    }

    /** Takes a permit if one is free and nobody waits, without suspending. */
    public boolean tryAcquire() {
        binding.requireLoopThread();
        if (permits > 0 && waiting.isEmpty()) {
            permits--;
            return true;
        }
        return false;
    }

    /** Gives a permit back: to the first waiting task if any, else to the count. */
    public void release() {
        binding.requireLoopThread();
        if (waiting.grantFirst(null) != null) {
            return;
        }
        if (permits >= limit) {
            throw new IllegalStateException("released more often than acquired: this bounded semaphore already"
                    + " holds all its " + limit + " permits");
        }
        permits++;
    }

    /** Permits free right now. Any thread (a snapshot). */
    public int availablePermits() {
        return permits;
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingTasks() {
        return waiting.size();
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Semaphore[" + permits + " free, " + waiting.size() + " waiting]";
    }
}
