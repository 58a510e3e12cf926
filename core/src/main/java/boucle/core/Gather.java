package boucle.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's {@code gather}: await several tasks that run concurrently, with one {@link Waiter}
 * set by a small wrapper task per awaited task. Results come back in the order the tasks were
 * given. The first failure, in time, is rethrown at once, and the tasks still running are
 * cancelled: nothing outlives the call. If the gathering task is cancelled, so are they.
 */
final class Gather<T> {
    private final List<Task<? extends T>> tasks;
    private final Waiter allDone;
    private Throwable firstFailure;

    Gather(List<Task<? extends T>> tasks) {
        this.tasks = List.copyOf(tasks);
        this.allDone = new Waiter(this.tasks.size());
    }

    List<T> await() {
        Loop loop = Loop.current();
        for (Task<? extends T> task : tasks) {
            loop.spawn("gather:" + task.name(), () -> watch(task));
        }
        try {
            allDone.await();
        } finally {
            if (!allDone.isSet() || firstFailure != null) {
                tasks.forEach(Task::cancel);
            }
        }
        if (firstFailure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (firstFailure instanceof Error error) {
            throw error;
        }
        List<T> results = new ArrayList<>(tasks.size());
        for (Task<? extends T> task : tasks) {
            results.add(task.result());
        }
        return results;
    }

    private void watch(Task<? extends T> task) {
        try {
            task.await();
            allDone.set();
        } catch (RuntimeException | Error failure) {
            // await() rethrows the task's failure unchecked; the gatherer rethrows the first one
            if (firstFailure == null && !allDone.isSet()) {
                firstFailure = failure;
                allDone.release();
            }
        }
    }
}
