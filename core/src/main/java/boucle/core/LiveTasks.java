package boucle.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The loop's live tasks, linked through the tasks themselves so spawn and finish cost O(1), and
 * what becomes of their ends that nobody watches: a failure nothing awaited, tasks stranded when
 * the loop ran out of work. Loop thread only.
 */
final class LiveTasks {
    private Task<?> oldest;
    private Task<?> newest;
    private int count;
    /** Where a failure that ended a task nobody awaited goes; {@code null}: logged. */
    private BiConsumer<Task<?>, Throwable> unobservedFailures;

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    void add(Task<?> task) {
        task.previousLive = newest;
        if (newest == null) {
            oldest = task;
        } else {
            newest.nextLive = task;
        }
        newest = task;
        count++;
    }

    void remove(Task<?> task) {
        if (task.previousLive == null) {
            oldest = task.nextLive;
        } else {
            task.previousLive.nextLive = task.nextLive;
        }
        if (task.nextLive == null) {
            newest = task.previousLive;
        } else {
            task.nextLive.previousLive = task.previousLive;
        }
        task.previousLive = null;
        task.nextLive = null;
        count--;
    }

    List<Task<?>> snapshot() {
        List<Task<?>> tasks = new ArrayList<>(count);
        for (Task<?> task = oldest; task != null; task = task.nextLive) {
            tasks.add(task);
        }
        return tasks;
    }

    void cancelAll() {
        for (Task<?> task : snapshot()) {
            task.cancel();
        }
    }

    String describeParked() {
        StringBuilder text = new StringBuilder();
        for (Task<?> task = oldest; task != null; task = task.nextLive) {
            text.append(text.isEmpty() ? "" : ", ").append(task);
        }
        return text.isEmpty() ? "none" : text.toString();
    }

    /** Tasks still parked when run() found no work left: nothing can ever wake them. */
    void reportStranded() {
        if (count > 0) {
            Handle.LOG.log(System.Logger.Level.WARNING, "the loop ran out of work with " + count
                    + " task(s) parked that nothing can wake: " + describeParked());
        }
    }

    void setUnobservedFailureHandler(BiConsumer<Task<?>, Throwable> handler) {
        unobservedFailures = handler;
    }

    /** A task failed and nothing awaits it or has read its outcome: to the handler, or logged once. */
    void unobservedFailure(Task<?> task, Throwable failure) {
        if (unobservedFailures != null) {
            unobservedFailures.accept(task, failure);
        } else {
            Handle.LOG.log(System.Logger.Level.WARNING,
                    "task '" + task.name() + "' failed and nothing awaited it; the loop goes on", failure);
        }
    }
}
