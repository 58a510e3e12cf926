package boucle.redis;

/**
 * No reply came within the command timeout ({@link RedisOptions#commandTimeout()}). The command
 * may still run: the link is kept, and its reply is dropped when it comes (the commands after it
 * keep their replies, in order).
 */
public class RedisTimeoutException extends RedisException {
    public RedisTimeoutException(String message) {
        super(message);
    }
}
