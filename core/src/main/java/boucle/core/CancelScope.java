package boucle.core;

/**
 * A region of one task's body that can be cancelled as a whole, by a deadline ({@link Timeouts}) or
 * by its owner ({@link TaskGroup}), as trio's cancel scopes are.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Scopes nest in one task, and close in the reverse order they opened.</li>
 *   <li>A cancelled scope is <em>level-triggered</em>: every suspension point inside it throws
 *       its own {@link CancelledException} until the scope closes (an explicit
 *       {@link Task#cancel()} is delivered once). Cleanup that must suspend uses
 *       {@link Task#shielded}.</li>
 *   <li>When several open scopes are cancelled, the outermost one's exception is thrown: it passes
 *       through the inner scopes, which do not recognise it, up to the one that does.</li>
 *   <li>A deadline can only shorten: an inner scope's effective deadline is the minimum of its own
 *       and its parent's; a scope whose deadline is no shorter than its parent's arms no timer.</li>
 * </ul>
 *
 * <pre>{@code
 * CancelScope scope = CancelScope.open(deadline);
 * try { ...body... } catch (CancelledException e) { if (!scope.isOwnCancellation(e)) throw e; ...}
 * finally { scope.close(); }
 * }</pre>
 */
final class CancelScope {
    static final long NONE = Long.MAX_VALUE;

    final Task<?> task;
    final CancelScope parent;
    final int depth;
    /** Effective deadline on the loop's clock, or {@link #NONE}. */
    final long deadline;
    private final String what;
    private Handle timer;
    private Cancelled exception;
    private boolean closed;

    private CancelScope(Task<?> task, long deadline, String what) {
        this.task = task;
        this.parent = task.innermostScope;
        this.depth = parent == null ? 1 : parent.depth + 1;
        this.deadline = earlier(deadline, outerDeadline());
        this.what = what;
    }

    private long outerDeadline() {
        return parent == null ? NONE : parent.deadline;
    }

    private static long earlier(long a, long b) {
        if (a == NONE || b == NONE) {
            return a == NONE ? b : a;
        }
        return a - b < 0 ? a : b; // clock values compare by difference
    }

    /**
     * Opens a scope in the current task; {@code deadline} on the loop's clock, or
     * {@link #NONE} for a scope only cancelled by {@link #cancel()}.
     */
    static CancelScope open(long deadline, String what) {
        Task<?> me = Task.current();
        CancelScope scope = new CancelScope(me, deadline, what);
        me.innermostScope = scope;
        if (scope.deadline != scope.outerDeadline()) { // only a shorter deadline needs its own timer
            scope.timer = me.loop.callAt(scope.deadline, scope::cancel);
        }
        return scope;
    }

    /** Cancels everything inside the scope, now or at the task's next suspension point. */
    void cancel() {
        if (closed || exception != null) {
            return;
        }
        exception = new Cancelled(this);
        task.scopeCancelled(this);
    }

    boolean isCancelled() {
        return exception != null;
    }

    /** Whether {@code thrown} is this scope's own cancellation, which the scope turns into its outcome. */
    boolean isOwnCancellation(Throwable thrown) {
        return thrown instanceof Cancelled own && own.scope == this;
    }

    CancelledException exception() {
        return exception;
    }

    /** Closes the scope: its timer is cancelled and its cancellation stops being delivered. */
    void close() {
        if (closed) {
            return;
        }
        if (task.innermostScope != this) {
            throw new IllegalStateException("cancel scopes must close in the reverse order they opened");
        }
        closed = true;
        if (timer != null) {
            timer.cancel();
        }
        task.scopeClosed(this);
    }

    @Override
    public String toString() {
        return what;
    }

    /** The exception a cancelled scope throws inside itself; only its own scope catches it. */
    static final class Cancelled extends CancelledException {
        final transient CancelScope scope;

        Cancelled(CancelScope scope) {
            super(scope.what + " was cancelled");
            this.scope = scope;
        }

        @Override
        public Throwable fillInStackTrace() {
            return this; // made by a timer callback, not where it is thrown: that stack says nothing
        }
    }
}
