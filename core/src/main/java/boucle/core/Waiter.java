package boucle.core;

/**
 * The seed's {@code Waiter(n)}: tasks that {@link #await()} it are parked until {@link #set()} has
 * been called {@code n} times, then all woken at once, in the order they came.
 *
 * <pre>{@code
 * Waiter done = new Waiter(2);
 * loop.spawn(() -> { work(); done.set(); });
 * loop.spawn(() -> { work(); done.set(); });
 * done.await();   // in a task: parked until both have set it
 * }</pre>
 *
 * Loop-thread only. Calls to {@code set()} past the n-th change nothing.
 */
public final class Waiter {
    private int remaining;
    private final WaitQueue waiting = new WaitQueue();

    public Waiter() {
        this(1);
    }

    public Waiter(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("a Waiter needs a count of zero or more, not " + count);
        }
        this.remaining = count;
    }

    /** Counts one down; the last one wakes every waiting task. */
    public void set() {
        if (remaining > 0 && --remaining == 0) {
            waiting.wakeAll();
        }
    }

    /** Sets it at once, whatever the count left; for callers that give up early (a failure). */
    void release() {
        if (remaining > 0) {
            remaining = 0;
            waiting.wakeAll();
        }
    }

    public boolean isSet() {
        return remaining == 0;
    }

    /** Parks the current task until the count reaches zero; returns at once if it already has. */
    public void await() {
        while (remaining > 0) {
            waiting.park(this);
        }
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. */
    public int waitingTasks() {
        return waiting.size();
    }

    @Override
    public String toString() {
        return "Waiter[" + remaining + " to go]";
    }
}
