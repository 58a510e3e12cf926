package boucle.core;

import java.util.concurrent.Callable;

/**
 * The body of a task that returns nothing: plain sequential code that may suspend.
 * It may throw any exception; the task keeps it and rethrows it to whoever awaits the task.
 */
@FunctionalInterface
public interface Routine {
    void run() throws Exception;

    /** The same body as a {@link Callable} that returns {@code null}, for the APIs built on those. */
    default Callable<Void> asCallable() {
        return () -> {
            run();
            return null;
        };
    }
}
