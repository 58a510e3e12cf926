package boucle.core;

import java.time.Duration;

/**
 * Thrown by {@link Timeouts#withTimeout} when the body outlasted its deadline and was cancelled at a
 * suspension point. Unchecked, and not a {@link CancelledException}: the task that gets it was not
 * cancelled, it may catch it and go on.
 */
public class TaskTimeoutException extends RuntimeException {
    public TaskTimeoutException(Duration timeout) {
        super("timed out after " + timeout);
    }

    public TaskTimeoutException(String message) {
        super(message);
    }
}
