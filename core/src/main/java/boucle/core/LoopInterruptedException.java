package boucle.core;

/**
 * Thrown by a loop's {@code run...} method (and by {@link Loop#close()}) when the loop's thread was
 * interrupted: the loop noticed the interrupt after its wait returned, cancelled its live tasks,
 * ran them until their {@code finally} blocks were done, and ended the run. The thread's interrupt
 * flag is set again when this is thrown, so code above the loop still sees the interrupt.
 *
 * <p>Interrupting the loop's thread is how a JVM asks that thread to stop (JUnit's
 * {@code @Timeout}, an executor's {@code shutdownNow}); it is not the way to give the hand back
 * inside a task, which is {@link Boucle#interrupt()}, nor the way to stop a loop from another
 * thread, which is {@code loop.callSoonThreadsafe(loop::stop)}.
 */
public class LoopInterruptedException extends RuntimeException {
    public LoopInterruptedException(String message) {
        super(message);
    }
}
