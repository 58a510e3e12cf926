package boucle.core;

/**
 * A flag tasks can wait for, as asyncio's {@code Event}. Rule: <em>{@link #set()} wakes every task
 * waiting at that moment, and they all return, even if the event is cleared before they run;
 * while it is set, {@link #await()} returns at once.</em>
 *
 * <pre>{@code
 * Event ready = new Event();
 * loop.spawn(() -> { ready.await(); System.out.println("go"); });
 * loop.spawn(() -> { prepare(); ready.set(); });
 * }</pre>
 *
 * Waiting parks the task (no polling); a cancelled waiter leaves the queue at once.
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Event {
    private boolean set;
    private final WaitQueue waiting = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();

    /** Sets the flag and wakes every waiting task, in the order they came. */
    public void set() {
        binding.requireLoopThread();
        set = true;
        waiting.grantAll(null);
    }

    /** Clears the flag: later {@link #await()} calls park until the next {@link #set()}. */
    public void clear() {
        binding.requireLoopThread();
        set = false;
    }

    /** Any thread (a snapshot). */
    public boolean isSet() {
        return set;
    }

    /** Returns at once if set; otherwise parks the current task until the next {@link #set()}. */
    public void await() {
        binding.requireLoopThread();
        if (!set) {
            waiting.parkUntilGranted(this, null);
        }
    }

    /** How many tasks are parked on it; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingTasks() {
        return waiting.size();
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Event[" + (set ? "set" : "clear") + ", " + waiting.size() + " waiting]";
    }
}
