package boucle.core;

/**
 * The body of a task that returns nothing: plain sequential code that may suspend.
 * It may throw any exception; the task keeps it and rethrows it to whoever awaits the task.
 */
@FunctionalInterface
public interface Routine {
    void run() throws Exception;
}
