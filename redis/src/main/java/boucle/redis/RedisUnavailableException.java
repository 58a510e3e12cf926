package boucle.redis;

/**
 * There is no link to Redis: it refused the connection, the link broke while the command waited
 * for its reply, the command came while the link was down, or the client was closed. Whether a
 * command that was in flight when the link broke took effect is unknown. The client reconnects
 * in the background (see {@link RedisClient}); a later call may succeed.
 */
public class RedisUnavailableException extends RedisException {
    public RedisUnavailableException(String message) {
        super(message);
    }

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
