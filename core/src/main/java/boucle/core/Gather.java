package boucle.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's {@code gather}, built on a {@link TaskGroup}: one small watcher task per awaited task,
 * spawned into a group. Results come back in the order the tasks were given. The first failure,
 * in time, cancels the tasks still running and is rethrown; if the gathering task is cancelled,
 * so are they. Either way the call returns only once every gathered task has ended: nothing
 * outlives it.
 */
final class Gather<T> {
    private final List<Task<? extends T>> tasks;

    Gather(List<Task<? extends T>> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    List<T> await() {
        tasks.forEach(Task::markObserved); // their failures reach the caller, even one before its watcher runs
        TaskGroup.run(group -> {
            for (Task<? extends T> task : tasks) {
                group.spawn("gather:" + task.name(), () -> watch(task));
            }
            return null;
        });
        List<T> results = new ArrayList<>(tasks.size());
        for (Task<? extends T> task : tasks) {
            results.add(task.result());
        }
        return results;
    }

    /** Awaits one task; a watcher cancelled by the group (a sibling failed) cancels its task and waits for its end. */
    private static void watch(Task<?> task) {
        try {
            task.await();
        } finally {
            if (!task.isDone()) {
                task.cancel();
                task.joinShielded();
            }
        }
    }
}
