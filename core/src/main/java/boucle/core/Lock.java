package boucle.core;

/**
 * Mutual exclusion between tasks of one loop. Rule: <em>FIFO-fair hand-off: {@link #release()}
 * gives the lock straight to the task that has waited longest, so no task can barge in ahead of
 * it; a waiter cancelled before the hand-off leaves the queue, one cancelled after it holds the
 * lock and gets the cancellation at its next suspension point (inside its {@code try}, so its
 * {@code finally} releases).</em>
 *
 * <pre>{@code
 * lock.acquire();
 * try {
 *     ...critical section, may suspend...
 * } finally {
 *     lock.release();
 * }
 * }</pre>
 *
 * Not reentrant: a task that acquires a lock it holds gets an error rather than a deadlock. Only
 * the holder may release.
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Lock {
    private Task<?> owner;
    private final WaitQueue waiting = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();

    /** Takes the lock, parking the current task while another holds it or others wait before it. */
    public void acquire() {
        binding.requireLoopThread();
        Task<?> me = Task.current();
        if (owner == me) {
            throw new IllegalStateException("task '" + me.name() + "' already holds this lock (it is not reentrant)");
        }
        if (owner == null) {
            owner = me; // free means nobody waits either: release hands it on when someone does
            return;
        }
        waiting.parkUntilGranted(this, null); // release() made us the owner before waking us
    }

    /** Takes the lock if it is free, without suspending. */
    public boolean tryAcquire() {
        binding.requireLoopThread();
        if (owner != null) {
            return false;
        }
        owner = Task.current();
        return true;
    }

    /** Gives the lock to the first waiting task, or frees it. Only the holding task may release. */
    public void release() {
        binding.requireLoopThread();
        Task<?> me = Coroutine.currentTask();
        if (owner == null || owner != me) {
            throw new IllegalStateException("a lock can only be released by the task that holds it"
                    + (owner == null ? " (it is free)" : " ('" + owner.name() + "')"));
        }
        WaitQueue.Node next = waiting.grantFirst(null);
        owner = next == null ? null : next.task();
    }

    /** Any thread (a snapshot). */
    public boolean isLocked() {
        return owner != null;
    }

    /** Whether the current task holds it. */
    boolean isHeldByCurrentTask() {
        return owner != null && owner == Coroutine.currentTask();
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingTasks() {
        return waiting.size();
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Lock[" + (owner == null ? "free" : "held by " + owner.name()) + ", " + waiting.size() + " waiting]";
    }
}
