package boucle.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's {@code gather}: waits for tasks through their {@link Task#whenDone} listeners, with no
 * helper task. Results come back in the order the tasks were given. The first failure, in time,
 * cancels the tasks still running and is rethrown once they have ended, with later failures
 * attached as {@linkplain Throwable#getSuppressed() suppressed}; if the gathering task is
 * cancelled, so are they. Either way the call returns only once every gathered task has ended:
 * nothing outlives it. A gathered task that ends cancelled is not a failure that stops the others;
 * its {@link CancelledException} comes out when the results are collected.
 */
final class Gather<T> {
    private final List<Task<? extends T>> tasks;
    private final Task<?> gatherer;
    private int running;
    /** The first task that failed (not by cancellation), whose failure the call rethrows. */
    private Task<?> firstFailed;
    private final List<Throwable> laterFailures = new ArrayList<>();
    private final WaitQueue waiting = new WaitQueue();

    Gather(List<Task<? extends T>> tasks) {
        this.tasks = List.copyOf(tasks);
        this.gatherer = Task.current(); // outside a task, or on another thread: refused before any change
        for (Task<? extends T> task : this.tasks) {
            if (task.loop != gatherer.loop) {
                throw new IllegalArgumentException("task '" + task.name() + "' runs on another loop: gather only"
                        + " tasks of the gathering task's loop");
            }
        }
    }

    List<T> await() {
        running = tasks.size();
        for (Task<? extends T> task : tasks) {
            task.markObserved(); // their failures reach the caller, not the log
            task.whenDone(() -> ended(task)); // at once for a task already done
        }
        try {
            while (running > 0 && firstFailed == null) {
                waiting.park(this);
            }
        } finally {
            cancelAndJoinTheRest(); // a failure or our own cancellation: nothing outlives the call
        }
        if (firstFailed != null) {
            rethrowFirstFailure();
        }
        List<T> results = new ArrayList<>(tasks.size());
        for (Task<? extends T> task : tasks) {
            results.add(task.result());
        }
        return results;
    }

    /** The listener of each gathered task, run by the loop right after the task ends. */
    private void ended(Task<?> task) {
        running--;
        Throwable failure = task.exception();
        if (failure != null && !(failure instanceof CancelledException)) {
            if (firstFailed == null) {
                firstFailed = task;
            } else {
                laterFailures.add(failure);
            }
        }
        if (running == 0 || firstFailed == task) {
            waiting.wakeAll();
        }
    }

    private void cancelAndJoinTheRest() {
        if (running == 0) {
            return;
        }
        tasks.forEach(Task::cancel);
        gatherer.enterShield();
        try {
            while (running > 0) {
                waiting.park(this);
            }
        } finally {
            gatherer.exitShield();
        }
    }

    private void rethrowFirstFailure() {
        try {
            firstFailed.result();
        } catch (RuntimeException | Error thrown) {
            for (Throwable later : laterFailures) {
                if (later != thrown) {
                    thrown.addSuppressed(later);
                }
            }
            throw thrown;
        }
    }
}
