package boucle.net;

import boucle.core.CancelledException;
import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * One accepted connection of an {@link AsyncServer}: runs the handler in its own task, applies
 * the idle timeout, and whatever happens closes the socket and tells the server it ended.
 *
 * <h2>Idle timeout, checked lazily</h2>
 * One timer per connection, not one per read: when it fires it looks at when the last byte
 * arrived; if that is recent it re-arms for the rest of the period, else it closes the socket
 * and cancels the handler. A busy connection thus costs one timer per idle period, not per read.
 *
 * <h2>Failures</h2>
 * Each ending is logged at most once: a handler bug (any exception but an {@link IOException}) at
 * WARNING with its stack, a peer problem (reset, broken pipe, idle) at INFO as one line.
 *
 * <p>Loop-thread only.
 */
final class Connection {
    private final AsyncServer server;
    private final AsyncSocket socket;
    private final Loop loop;
    private final long idleNanos;
    /** Server TLS options, or {@code null} for plain connections. */
    private final TlsOptions tls;
    private final Runnable checkIdle = this::checkIdle;
    private Task<Void> task;
    private Handle idleTimer;
    private String closedBecause;

    Connection(AsyncServer server, AsyncSocket socket, Duration idleTimeout, TlsOptions tls) {
        this.server = server;
        this.socket = socket;
        this.loop = socket.loop();
        this.idleNanos = idleTimeout.toNanos();
        this.tls = tls;
    }

    void start(Handler handler) {
        task = loop.spawn("connection " + AsyncSocket.describe(socket.remoteAddress()), () -> run(handler));
    }

    Task<Void> task() {
        return task;
    }

    private void run(Handler handler) {
        if (idleNanos > 0) {
            idleTimer = loop.callAt(socket.lastReadAt() + idleNanos, checkIdle);
        }
        try {
            if (tls != null) {
                socket.startTls(tls, null); // a failure is a peer problem: one line below, the socket closed
            }
            handler.handle(socket);
            socket.flush(); // what the handler wrote reaches the peer before the close
        } catch (CancelledException cancelled) { // by the idle timeout, the shutdown, or the application
            AsyncServer.LOG.log(closedBecause != null ? Level.INFO : Level.DEBUG,
                    () -> describe(cancelled.getMessage()));
        } catch (IOException peerProblem) {
            AsyncServer.LOG.log(Level.INFO, () -> describe(closedBecause != null ? closedBecause : peerProblem.toString()));
        } catch (Exception handlerBug) {
            AsyncServer.LOG.log(Level.WARNING, describe("the handler failed; this connection is closed, the server goes on"),
                    handlerBug);
        } finally {
            if (idleTimer != null) {
                idleTimer.cancel();
            }
            socket.close();
            server.connectionEnded(this);
        }
    }

    private void checkIdle() {
        long lastRead = socket.lastReadAt();
        if (loop.now() - lastRead < idleNanos) {
            idleTimer = loop.callAt(lastRead + idleNanos, checkIdle);
            return;
        }
        idleTimer = null;
        closedBecause = "closed: nothing received for " + Duration.ofNanos(idleNanos).toMillis() + " ms (idle timeout)";
        socket.close(closedBecause);
        task.cancel(new CancelledException(closedBecause));
    }

    /** Cancels the handler: the server's shutdown grace period is over. */
    void cancel(String reason) {
        closedBecause = reason;
        task.cancel(new CancelledException(reason));
    }

    private String describe(String what) {
        return "connection from " + AsyncSocket.describe(socket.remoteAddress()) + ": " + what;
    }
}
