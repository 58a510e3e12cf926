package boucle.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Structured concurrency, as trio's nursery and asyncio's {@code TaskGroup}: tasks spawned into a
 * group cannot outlive the call that opened it.
 *
 * <pre>{@code
 * TaskGroup.run(group -> {
 *     group.spawn("reader", () -> pump(in, out));
 *     group.spawn("writer", () -> pump(out, in));
 *     return null;
 * });   // returns when both have ended; if one fails, the other is cancelled and the failure rethrown
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@link #run} returns only once its body has returned and every task spawned into the group
 *       has ended, even if the calling task is cancelled meanwhile (it then cancels them, waits,
 *       and rethrows its cancellation).</li>
 *   <li>The first failure (of a child or of the body) cancels the other children and the body;
 *       {@code run} rethrows it once everything has ended, with the later failures attached as
 *       {@linkplain Throwable#getSuppressed() suppressed}. Children that end cancelled are not
 *       failures. A checked failure is wrapped in {@link TaskFailedException}.</li>
 *   <li>Children may spawn more children while the group is open; spawning into a group whose
 *       {@code run} has returned is an error. A child spawned after a failure is cancelled before
 *       it starts.</li>
 * </ul>
 * Loop-thread only: every method but {@code toString} refuses a call from another thread while the
 * loop runs, before any change.
 */
public final class TaskGroup {
    /** The body of {@link #run}: spawns children into the group, and may do work of its own. */
    @FunctionalInterface
    public interface Body<R> {
        R run(TaskGroup group) throws Exception;
    }

    private final Task<?> owner;
    private final CancelScope scope;
    /** The children still running: a long-lived group (a server's) keeps nothing of finished ones. */
    private final Set<Task<?>> children = new LinkedHashSet<>();
    private final WaitQueue ownerWaiting = new WaitQueue();
    /** Told as each child ends: one per group, not a listener object per child (a server has thousands). */
    private final Task.EndListener childEnded = this::childEnded;
    private Throwable firstFailure;
    private final List<Throwable> laterFailures = new ArrayList<>();
    private boolean closed;

    private TaskGroup(Task<?> owner, CancelScope scope) {
        this.owner = owner;
        this.scope = scope;
    }

    /** Runs {@code body} with a new group in the current task; see the class rules. */
    public static <R> R run(Body<R> body) {
        Task<?> me = Task.current();
        TaskGroup group = new TaskGroup(me, CancelScope.open(CancelScope.NONE, "task group"));
        R result = null;
        try {
            result = body.run(group);
        } catch (Exception | Error failure) {
            group.bodyFailed(failure); // the body's own failure counts as one; the group's cancel does not
        }
        group.joinChildren();
        group.scope.close();
        group.closed = true;
        group.rethrowFirstFailure();
        return result;
    }

    /** Starts {@code body} as a child task of this group. */
    public <T> Task<T> spawn(String name, Callable<T> body) {
        owner.loop.requireLoopThread();
        if (closed) {
            throw new IllegalStateException("this task group is closed: its run() has returned");
        }
        Task<T> child = owner.loop.spawn(name, body);
        child.whenDone(childEnded); // even one cancelled before its body ran ends through here
        child.markObserved(); // its failure is reported by run(), not logged as unobserved
        children.add(child);
        if (firstFailure != null) {
            child.cancel();
        }
        return child;
    }

    public <T> Task<T> spawn(Callable<T> body) {
        return spawn(null, body);
    }

    public Task<Void> spawn(Routine body) {
        return spawn(null, body);
    }

    public Task<Void> spawn(String name, Routine body) {
        return spawn(name, body.asCallable());
    }

    /** The children still running, oldest first. */
    public List<Task<?>> tasks() {
        owner.loop.requireLoopThread();
        return List.copyOf(children);
    }

    /** Cancels every child and the body: {@code run} then returns normally once all have ended. */
    public void cancel() {
        owner.loop.requireLoopThread(); // before the scope: a refused cancel changes nothing
        scope.cancel();
        List.copyOf(children).forEach(Task::cancel);
    }

    /** A child has ended: its listener, run by the loop right after its end. */
    private void childEnded(Task<?> child) {
        children.remove(child);
        Throwable failure = child.exception();
        if (failure != null && !(failure instanceof CancelledException)) {
            recordFailure(failure);
        }
        if (children.isEmpty()) {
            ownerWaiting.wakeAll();
        }
    }

    private void bodyFailed(Throwable failure) {
        if (!scope.isOwnCancellation(failure)) {
            recordFailure(failure);
        }
    }

    private void recordFailure(Throwable failure) {
        if (firstFailure == null) {
            firstFailure = failure;
            scope.cancel(); // the body stops at its next suspension point, the children too
            List.copyOf(children).forEach(Task::cancel);
        } else if (!(failure instanceof CancelledException) && failure != firstFailure
                && !laterFailures.contains(failure)) {
            laterFailures.add(failure);
        }
    }

    /** Waits for every child; a cancellation of the owner cancels them, but the wait goes on. */
    private void joinChildren() {
        try {
            awaitChildren();
        } catch (CancelledException cancelled) {
            bodyFailed(cancelled);
            owner.enterShield();
            try {
                awaitChildren();
            } finally {
                owner.exitShield();
            }
        }
    }

    private void awaitChildren() {
        while (!children.isEmpty()) {
            ownerWaiting.park(this);
        }
    }

    private void rethrowFirstFailure() {
        Throwable first = firstFailure;
        if (first == null) {
            return;
        }
        Throwable thrown = first instanceof RuntimeException || first instanceof Error
                ? first : new TaskFailedException("child of a task group", first);
        for (Throwable later : laterFailures) {
            if (later != thrown) {
                thrown.addSuppressed(later);
            }
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        throw (RuntimeException) thrown;
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "TaskGroup[" + children.size() + " running" + (firstFailure != null ? ", failed" : "") + "]";
    }
}
