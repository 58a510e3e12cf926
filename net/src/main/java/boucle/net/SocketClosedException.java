package boucle.net;

import java.io.Serial;
import java.nio.channels.ClosedChannelException;

/**
 * The socket was closed, by this side (its {@code close()}, the server's idle timeout or
 * shutdown) while or before a task used it. A {@link ClosedChannelException}, so code that
 * already handles that one keeps working; unlike it, this one says why.
 */
public final class SocketClosedException extends ClosedChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String reason;

    public SocketClosedException(String reason) {
        this.reason = reason;
    }

    @Override
    public String getMessage() {
        return "socket closed: " + reason;
    }
}
