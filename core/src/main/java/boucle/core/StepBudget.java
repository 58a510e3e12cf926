package boucle.core;

/**
 * A bounded amount of work per task step, so that a task whose operations never have to wait
 * still hands the loop back: tokio's cooperative budget, Netty's {@code maxMessagesPerRead}.
 *
 * <p>A task that only suspends when it must wait holds the loop for as long as its operations find
 * what they need at once: a socket that always has data is read again and again, and the other
 * connections wait (measured: 3,076 reads of one socket in one turn). So an operation that can
 * complete without suspending calls {@link #spend()} first. The units count per step of the
 * current task (a step ends when the task suspends, for whatever reason); the unit past
 * {@code unitsPerStep} first yields as {@link Boucle#interrupt()} does: the task goes to the back
 * of the ready FIFO, the loop polls for events and runs what else is ready, then the task goes on
 * with a fresh budget. Nothing else changes: the yield happens before the operation, at a point
 * where the operation has not touched its state yet, so a cancellation delivered there loses nothing.
 *
 * <h2>Why one counter per loop is one counter per step</h2>
 * The loop runs one step at a time, and a task runs at most one step per turn (a task that
 * suspends is queued behind the batch that was ready when the turn began). So "the same task in
 * the same turn as the last unit" means "the same step"; anything else starts a fresh count.
 *
 * <pre>{@code
 * StepBudget budget = new StepBudget(16);
 * while (source.hasData()) {
 *     budget.spend();          // every 17th call yields to the loop first
 *     handle(source.take());
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * A budget belongs to one loop: the loop of the first task that spends from it; a task of another
 * loop is refused with an {@link IllegalStateException} before anything changes. Outside a task
 * (in a callback, or on a thread that runs no task) {@link #spend()} does nothing and changes
 * nothing: a callback cannot yield, and it runs once and ends anyway.
 */
public final class StepBudget {
    private final int unitsPerStep;
    /** The loop whose tasks spend from this budget; bound by the first spend in a task. */
    private Loop loop;
    /** The task whose step the units count for, and the turn it runs in. */
    private Task<?> task;
    private long turn;
    private int used;
    /** How many times a task yielded because its budget ran out: a diagnostic for tests. */
    private long yields;

    /** A budget of {@code unitsPerStep} units (at least 1) per task step. */
    public StepBudget(int unitsPerStep) {
        if (unitsPerStep < 1) {
            throw new IllegalArgumentException("a step needs at least one unit of budget, got " + unitsPerStep);
        }
        this.unitsPerStep = unitsPerStep;
    }

    /**
     * Spends one unit of the current task's step; past the budget, first yields to the loop like
     * {@link Boucle#interrupt()} (so a cancellation may be thrown here). From a task of the
     * budget's loop; anywhere outside a task it does nothing (any thread).
     */
    public void spend() {
        Loop bound = loop;
        // on the bound loop's thread, the loop knows its running task: no walk of the continuations
        Task<?> me = bound != null && bound.runsHere() ? bound.stepping() : Task.currentTaskIfAny();
        if (me == null) {
            return;
        }
        if (loop != me.loop) {
            if (loop != null) {
                throw new IllegalStateException("this budget belongs to another loop: make one per loop");
            }
            loop = me.loop;
        }
        long now = me.loop.turns();
        if (me != task || now != turn) { // a new step: the previous one ended with a suspension
            task = me;
            turn = now;
            used = 0;
        }
        if (++used > unitsPerStep) {
            yields++;
            task = null; // holds no finished task, and the count restarts in the next step
            me.interruptSelf();
            task = me;
            turn = me.loop.turns();
            used = 1;
        }
    }

    /** Any thread. */
    public int unitsPerStep() {
        return unitsPerStep;
    }

    /** How many times a task yielded because its budget ran out; a diagnostic. The loop's thread. */
    public long yields() {
        return yields;
    }
}
