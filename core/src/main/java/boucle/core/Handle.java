package boucle.core;

/**
 * A callback the loop will run once: soon ({@link Loop#callSoon}) or at a deadline
 * ({@link Loop#callLater}, {@link Loop#callAt}). {@link #cancel()} before it runs and it never will;
 * a cancelled timer leaves the loop's timer heap at once, so long timeouts that are re-armed
 * often cost no memory.
 *
 * <p>Threads: {@link #cancel()} and {@link #run()} are for the loop's thread, and refuse a call from
 * another thread while the loop runs, before any change ({@code loop.callSoonThreadsafe(handle::cancel)}
 * is the way in); the getters may be called from any thread (a snapshot).
 */
public final class Handle implements Runnable {
    static final System.Logger LOG = System.getLogger("boucle.core");

    private final Loop loop;
    private Runnable action;
    /** For timers: when it is due on the loop's clock, and its place in the heap (-1: not in it). */
    final long deadline;
    /** Breaks deadline ties so that timers due at the same instant run in the order they were set. */
    final long sequence;
    int heapIndex = -1;
    private boolean ran;

    Handle(Loop loop, Runnable action, long deadline, long sequence) {
        this.loop = loop;
        this.action = action;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    /** Stops the callback from running; {@code false} if it already ran or was cancelled. */
    public boolean cancel() {
        loop.requireLoopThread(); // before anything: the timer heap is the loop's alone
        if (action == null) {
            return false;
        }
        action = null;
        if (heapIndex >= 0) {
            loop.timers().remove(this);
        }
        return true;
    }

    /** Any thread (a snapshot). */
    public boolean isCancelled() {
        return action == null && !ran;
    }

    /** Whether the callback has run (it runs at most once). Any thread (a snapshot). */
    public boolean hasRun() {
        return ran;
    }

    /** Runs the callback; a callback's exception is logged and the loop goes on. Loop thread. */
    @Override
    public void run() {
        loop.requireLoopThread();
        Runnable toRun = action;
        if (toRun == null) {
            return;
        }
        action = null;
        ran = true;
        try {
            toRun.run();
        } catch (RuntimeException failure) {
            LOG.log(System.Logger.Level.ERROR, "callback " + toRun + " failed; the loop goes on", failure);
        }
    }

    /** For task dumps: a timer says when it is due. Any thread (a snapshot). */
    @Override
    public String toString() {
        if (heapIndex < 0) {
            return ran ? "callback (ran)" : action == null ? "callback (cancelled)" : "callback";
        }
        return "timer due in " + Math.max(0, (deadline - loop.now()) / 1_000_000) + " ms";
    }

    /** The deadline of a timer on the loop's clock, in nanoseconds. Any thread. */
    public long deadline() {
        return deadline;
    }
}
