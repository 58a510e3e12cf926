package boucle.core;

import java.util.Objects;

/**
 * Waiting for a state guarded by a {@link Lock}, as asyncio's {@code Condition}. Rule: <em>{@link
 * #await()} releases the lock, parks until {@link #signal()}/{@link #signalAll()}, and re-acquires
 * the lock before it returns <b>or throws</b>, even when cancelled; a signalled waiter that is
 * cancelled before it runs keeps its signal (it returns, and the cancellation comes at its next
 * suspension point), so no signal is lost. Signals go to waiters in FIFO order; a signal with
 * nobody waiting does nothing.</em>
 *
 * <pre>{@code
 * lock.acquire();
 * try {
 *     while (items.isEmpty()) {
 *         notEmpty.await();   // re-check: another task may have taken the item first
 *     }
 *     return items.remove();
 * } finally {
 *     lock.release();
 * }
 * }</pre>
 *
 * Every method but the getters needs the current task to hold the lock.
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Condition {
    private final Lock lock;
    private final WaitQueue waiting = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();

    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /** A condition with its own new lock. */
    public Condition() {
        this(new Lock());
    }

    /** Any thread. */
    public Lock lock() {
        return lock;
    }

    /** Releases the lock, parks until signalled, then takes the lock back (also on cancellation). */
    public void await() {
        requireLockHeld("await");
        Task<?> me = Task.current();
        lock.release();
        try {
            waiting.parkUntilGranted(this, null);
        } finally {
            reacquire(me);
        }
    }

    /** Wakes the task that has waited longest, if any. */
    public void signal() {
        requireLockHeld("signal");
        waiting.grantFirst(null);
    }

    /** Wakes every waiting task; each returns from {@code await} once it has the lock again. */
    public void signalAll() {
        requireLockHeld("signalAll");
        waiting.grantAll(null);
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingTasks() {
        return waiting.size();
    }

    /** The lock must come back even for a cancelled waiter, whose caller's finally releases it. */
    private void reacquire(Task<?> me) {
        me.enterShield();
        try {
            lock.acquire();
        } finally {
            me.exitShield();
        }
    }

    private void requireLockHeld(String what) {
        binding.requireLoopThread();
        if (!lock.isHeldByCurrentTask()) {
            throw new IllegalStateException("Condition." + what + "() needs the current task to hold its lock");
        }
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Condition[" + waiting.size() + " waiting]";
    }
}
