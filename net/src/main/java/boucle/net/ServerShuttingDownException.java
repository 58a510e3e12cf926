package boucle.net;

import java.io.IOException;
import java.io.Serial;

/**
 * The {@link AsyncServer} that accepted this connection began its graceful shutdown: a read that
 * would have to wait for the peer ends with this exception instead, so a handler parked on an idle
 * client learns it at once and costs no grace time. Bytes already received are still returned
 * first; writes keep working, so the handler can say goodbye:
 *
 * <pre>{@code
 * try {
 *     for (String line; (line = connection.readLine(1000)) != null; ) { ... }
 * } catch (ServerShuttingDownException stopping) {
 *     connection.write("* server shutting down\n");   // flushed before the server closes it
 * }
 * }</pre>
 *
 * A handler that does not catch it simply ends: the server flushes what was written, closes the
 * connection and logs it at DEBUG only, as it is no failure. Every later read-side wait of the
 * connection throws it again.
 */
public final class ServerShuttingDownException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ServerShuttingDownException(String message) {
        super(message);
    }
}
