package boucle.core;

/**
 * Carries a task's checked exception to the task that awaits it; unchecked exceptions and errors
 * are rethrown as they are. The original is the {@linkplain #getCause() cause}.
 */
public class TaskFailedException extends RuntimeException {
    public TaskFailedException(String taskName, Throwable cause) {
        super("task '" + taskName + "' failed: " + cause, cause);
    }
}
