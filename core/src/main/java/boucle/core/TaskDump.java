package boucle.core;

import java.util.List;

/**
 * The text of {@link Loop#dumpTasks()}: one block per live task, oldest first.
 *
 * <pre>
 * 3 task(s) on loop running on thread 'main', 2 timer(s) pending
 * "accept" PARKED waiting on AsyncServerSocket[...]
 *     at boucle.net.AsyncServerSocket.accept(AsyncServerSocket.java:42)
 *     ...
 * </pre>
 * A suspended task (parked or ready) shows its coroutine stack, innermost frame first, without
 * the loop's own frames; the running task, if the dump is made from inside it, shows none.
 */
final class TaskDump {
    private TaskDump() {
    }

    static String of(Loop loop, List<Task<?>> tasks) {
        StringBuilder text = new StringBuilder();
        Thread owner = loop.owner();
        text.append(tasks.size()).append(" task(s) on loop ")
                .append(loop.isRunning() ? "running on thread '" + owner.getName() + "'" : "(not running)")
                .append(", ").append(loop.pendingTimers()).append(" timer(s) pending\n");
        for (Task<?> task : tasks) {
            describe(task, text);
        }
        return text.toString();
    }

    private static void describe(Task<?> task, StringBuilder text) {
        text.append('"').append(task.name()).append("\" ").append(task.state());
        if (task.waitingOn() != null) {
            text.append(" waiting on ").append(task.waitingOn());
        }
        if (task.isCancelling()) {
            text.append(" (cancellation pending)");
        }
        text.append('\n');
        if (task.state() == Task.State.RUNNING) {
            return; // its stack is the caller's own
        }
        boolean parking = true;
        for (StackTraceElement frame : task.stack()) {
            String type = frame.getClassName();
            if (parking && (type.equals(Coroutine.class.getName()) || type.equals(Task.class.getName()))) {
                continue; // the suspension itself: the same for every parked task
            }
            parking = false;
            if (isCoroutineEntry(frame)) {
                break; // below the body: how the loop started it, the same for every task
            }
            text.append("    at ").append(frame).append('\n');
        }
    }

    private static boolean isCoroutineEntry(StackTraceElement frame) {
        String type = frame.getClassName();
        return type.equals(Task.class.getName() + "$Body") && frame.getMethodName().equals("run")
                || type.equals(Loop.class.getName()) && frame.getMethodName().startsWith("lambda$spawn");
    }
}
