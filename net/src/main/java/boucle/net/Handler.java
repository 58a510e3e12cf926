package boucle.net;

/**
 * What an {@link AsyncServer} does with each connection, like Python's
 * {@code socketserver.BaseRequestHandler.handle}: {@link #handle} runs as one task per
 * connection, written as plain sequential code, and the connection is closed when it returns.
 *
 * <pre>{@code
 * Handler echo = connection -> {
 *     for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
 *         connection.write(bytes);   // takes ownership: no release here
 *     }
 * };
 * }</pre>
 *
 * When {@code handle} returns, the server flushes what it wrote, then closes the connection. When
 * it throws, the server closes the connection at once, logs the failure, and goes on serving
 * every other connection. When the server shuts down, a read of the handler that waits for the
 * peer throws a {@link ServerShuttingDownException}: catch it to say goodbye (writes still work),
 * or let it end the handler, which the server then treats as a normal end.
 */
@FunctionalInterface
public interface Handler {
    void handle(AsyncSocket connection) throws Exception;
}
