package boucle.redis;

/**
 * The command was refused at once, before anything was sent: as many commands as
 * {@link RedisOptions#maxPendingCommands()} already wait for their replies (Redis is slow, or
 * paused). The caller's drop policy decides: drop it and count it, or retry later.
 */
public class RedisOverloadedException extends RedisException {
    public RedisOverloadedException(String message) {
        super(message);
    }
}
