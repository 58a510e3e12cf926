package boucle.core;

/**
 * A {@link Boucle#callOn cross-loop call} could not finish because the loop that was to run it
 * shut down: before it took the call, or while the call's task ran there (the task was
 * cancelled by the loop's {@link Loop#close()}). The call's work may have run in part.
 */
public class LoopClosedException extends IllegalStateException {
    public LoopClosedException(String message) {
        super(message);
    }
}
