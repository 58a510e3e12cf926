package boucle.redis;

/**
 * What came from the server was not RESP2 (a wrong type byte, a bad length, a line without its
 * CRLF), or went past a limit ({@link RedisOptions#maxBulkBytes()}). The link is dropped, since
 * nothing after such bytes can be trusted, and rebuilt like a lost one.
 */
public class RedisProtocolException extends RedisException {
    public RedisProtocolException(String message) {
        super(message);
    }
}
