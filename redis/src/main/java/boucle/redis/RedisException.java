package boucle.redis;

import java.io.IOException;

/**
 * Something went wrong talking to Redis. The subclasses say what, and so what a caller can do:
 * <ul>
 *   <li>{@link RedisUnavailableException}: no link to Redis (refused, lost, closed); the client
 *       reconnects by itself, so a later call may work;</li>
 *   <li>{@link RedisTimeoutException}: no reply within the command timeout; the link is kept;</li>
 *   <li>{@link RedisOverloadedException}: too many commands wait already; dropped at once;</li>
 *   <li>{@link RedisErrorReplyException}: Redis answered with an error;</li>
 *   <li>{@link RedisProtocolException}: Redis's bytes were not RESP; the link was dropped.</li>
 * </ul>
 * An {@link IOException}: talking to Redis is I/O.
 */
public class RedisException extends IOException {
    public RedisException(String message) {
        super(message);
    }

    public RedisException(String message, Throwable cause) {
        super(message, cause);
    }
}
