package boucle.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Deadlines for a piece of a task's body, as trio's {@code move_on_after}/{@code fail_after}.
 *
 * <pre>{@code
 * String line = Timeouts.withTimeout(Duration.ofSeconds(5), () -> reader.readLine());
 * Optional<Job> job = Timeouts.withTimeoutOrEmpty(Duration.ofMillis(100), queue::get);
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>The body runs inline in the current task. When the deadline passes, the body is cancelled
 *       at its current or next suspension point (a {@link CancelledException} its {@code finally}
 *       blocks see), and the call throws {@link TaskTimeoutException} (or returns empty): the body
 *       has ended by then, so nothing of it keeps running.</li>
 *   <li>Until the call returns, every suspension point inside the timed-out body throws again
 *       (cleanup that must suspend uses {@link Task#shielded}).</li>
 *   <li>A body that finishes without reaching a suspension point after the deadline (it never
 *       suspends, or was shielded) is not cut short: its result is returned.</li>
 *   <li>Nested deadlines only shorten: an inner timeout longer than an outer one changes nothing,
 *       and when the outer one fires inside the inner one, the outer call is the one that times
 *       out (the cancellation passes through the inner call).</li>
 *   <li>Deadlines are on the loop's {@link Clock}; a task cancelled explicitly gets its
 *       {@link CancelledException} through these calls unchanged.</li>
 * </ul>
 */
public final class Timeouts {
    private Timeouts() {
    }

    /** Runs {@code body} with a deadline {@code timeout} from now; throws {@link TaskTimeoutException} past it. */
    public static <T> T withTimeout(Duration timeout, Callable<T> body) throws Exception {
        Task<?> me = Task.current();
        return withDeadline(me.loop.now() + timeout.toNanos(), body, "withTimeout(" + timeout + ")");
    }

    public static void withTimeout(Duration timeout, Routine body) throws Exception {
        withTimeout(timeout, body.asCallable());
    }

    /** Runs {@code body} until {@code deadline} on the loop's clock ({@link Loop#now()}). */
    public static <T> T withDeadline(long deadline, Callable<T> body) throws Exception {
        return withDeadline(deadline, body, "withDeadline");
    }

    /**
     * Runs {@code body} with a deadline {@code timeout} from now; returns its result, or empty if
     * the deadline cut it short (a {@code null} result is empty too).
     */
    public static <T> Optional<T> withTimeoutOrEmpty(Duration timeout, Callable<T> body) throws Exception {
        Task<?> me = Task.current();
        CancelScope scope = CancelScope.open(me.loop.now() + timeout.toNanos(), "withTimeoutOrEmpty(" + timeout + ")");
        try {
            return Optional.ofNullable(body.call());
        } catch (CancelledException cancelled) {
            if (scope.isOwnCancellation(cancelled)) {
                return Optional.empty();
            }
            throw cancelled;
        } finally {
            scope.close();
        }
    }

    /**
     * The deadline that applies to the current task's body right now, on the loop's clock, or
     * {@link Long#MAX_VALUE} when no timeout is open; lets a long operation pass it on.
     */
    public static long currentDeadline() {
        CancelScope innermost = Task.current().innermostScope;
        return innermost == null ? CancelScope.NONE : innermost.deadline;
    }

    private static <T> T withDeadline(long deadline, Callable<T> body, String what) throws Exception {
        CancelScope scope = CancelScope.open(deadline, what);
        try {
            return body.call();
        } catch (CancelledException cancelled) {
            if (scope.isOwnCancellation(cancelled)) {
                TaskTimeoutException timeout = new TaskTimeoutException(what + " timed out");
                timeout.initCause(cancelled);
                throw timeout;
            }
            throw cancelled;
        } finally {
            scope.close();
        }
    }
}
