package boucle.core;

/**
 * Thrown by {@link Queue#put} on a closed queue, and by {@link Queue#get} on a closed queue that
 * has nothing left to take: the producers are done.
 */
public class QueueClosedException extends IllegalStateException {
    public QueueClosedException(String message) {
        super(message);
    }
}
