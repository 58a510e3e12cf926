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
 * Calls to {@code set()} past the n-th change nothing.
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Waiter {
    private int remaining;
    private final WaitQueue waiting = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();

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
        binding.requireLoopThread(); // before the count: a refused set() leaves the waiters their wake-up
        if (remaining > 0 && --remaining == 0) {
            waiting.wakeAll();
        }
    }

    /** Sets it at once, whatever the count left; for callers that give up early (a failure). */
    void release() {
        binding.requireLoopThread();
        if (remaining > 0) {
            remaining = 0;
            waiting.wakeAll();
        }
    }

    /** Whether the count has reached zero. Any thread (a snapshot). */
    public boolean isSet() {
        return remaining == 0;
    }

    /** Parks the current task until the count reaches zero; returns at once if it already has. */
    public void await() {
        binding.requireLoopThread();
        while (remaining > 0) {
            waiting.park(this);
        }
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingTasks() {
        return waiting.size();
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Waiter[" + remaining + " to go]";
    }
}
