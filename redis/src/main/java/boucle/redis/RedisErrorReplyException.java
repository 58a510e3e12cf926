package boucle.redis;

/**
 * Redis answered a command with an error ({@code -ERR ...}, {@code -WRONGTYPE ...}); the link is
 * fine. Thrown by the typed commands ({@link RedisClient#get} and others); {@link RedisClient#command}
 * returns a {@link RedisValue.Error} instead.
 */
public class RedisErrorReplyException extends RedisException {
    public RedisErrorReplyException(String message) {
        super(message);
    }

    /** The error's first word: {@code ERR}, {@code WRONGTYPE}, {@code NOAUTH}... */
    public String code() {
        return new RedisValue.Error(getMessage()).code();
    }
}
