package boucle.core;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The one door to {@code jdk.internal.vm}: a body of code that can stop in the middle and be
 * resumed later, on the same thread.
 *
 * <p>No other class of Boucle names a JDK continuation. Rules it relies on (see DESIGN.md):
 * <ul>
 *   <li>{@link #resume()} must never run while the thread holds a monitor: the JVM crashes when
 *       it thaws a continuation under a {@code synchronized} block. {@link Loop} checks once on
 *       entry, and its own path holds none.</li>
 *   <li>{@link #suspend()} inside a native frame, or inside a frame the JVM pins, cannot yield;
 *       that becomes an {@link IllegalStateException} naming the reason.</li>
 *   <li>Coroutines only ever run on their loop's thread.</li>
 * </ul>
 */
final class Coroutine extends Continuation {
    private static final ContinuationScope SCOPE = new ContinuationScope("boucle");

    /** The task this coroutine runs: what {@link #currentTask()} finds from inside. */
    private final Task<?> task;

    /**
     * Callers check {@link ExportCheck} first: without the export this class cannot even load, and
     * the check's one clear message must come before that.
     */
    Coroutine(Task<?> task, Runnable body) {
        super(SCOPE, body);
        this.task = task;
    }

    /** Runs the body until it suspends or ends; returns {@code true} once it has ended. */
    boolean resume() {
        run();
        return isDone();
    }

    /** Gives the hand back to whoever called {@link #resume()}. Only valid inside a coroutine. */
    static void suspend() {
        Continuation.yield(SCOPE);
    }

    /** The task whose coroutine runs the calling code, or {@code null} in a plain callback. */
    static Task<?> currentTask() {
        return getCurrentContinuation(SCOPE) instanceof Coroutine mounted ? mounted.task : null;
    }

    /** The suspended body's stack, innermost frame first; empty while it runs or once done. */
    StackTraceElement[] stack() {
        if (isDone()) {
            return new StackTraceElement[0];
        }
        try {
            return getStackTrace();
        } catch (IllegalStateException mounted) {
            return new StackTraceElement[0];
        }
    }

    /** Turns the JDK's pinned-yield failure into an error that says what to do. */
    @Override
    protected void onPinned(Continuation.Pinned reason) {
        throw new IllegalStateException("a Boucle task cannot suspend here (pinned by " + reason
                + "): a native frame or a critical section is on its stack between the task and"
                + " the suspending call");
    }
}
