package boucle.core;

/**
 * Delivered into a task at its current or next suspension point when the task is cancelled.
 * Let it propagate: {@code finally} blocks run, the task ends cancelled, and whoever awaits the
 * task gets a {@code CancelledException} too. A task that catches it and carries on is no longer
 * cancelled.
 */
public class CancelledException extends RuntimeException {
    public CancelledException(String message) {
        super(message);
    }
}
