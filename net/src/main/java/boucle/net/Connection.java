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
 * the idle timeout, and however its task ends closes the socket and tells the server.
 *
 * <h2>Ending, even before starting</h2>
 * The cleanup is not in the handler task's {@code finally}: a task cancelled before its first step
 * (a shutdown right after an accept) never runs its body. It is {@link #ended()}, which the server
 * registers with {@link Task#whenDone} (the connection itself is that listener: its {@link #run()}
 * is {@code ended()}), so it runs whatever the outcome. The task's body is {@link #call()}.
 *
 * <h2>Idle timeout, checked lazily</h2>
 * One timer per connection, not one per read: when it fires it looks at when the last byte
 * arrived; if that is recent it re-arms for the rest of the period, else it closes the socket
 * and cancels the handler. A busy connection thus costs one timer per idle period, not per read.
 *
 * <h2>Failures</h2>
 * A handler bug (any exception but an {@link IOException}) is logged at WARNING with its stack, a
 * peer problem (reset, broken pipe, idle) at INFO as one line, both rate-limited by the server. A
 * handler that ends on the {@link ServerShuttingDownException} it did not catch ends normally:
 * its output is flushed, and it is logged at DEBUG only.
 *
 * <p>Loop-thread only.
 */
final class Connection implements java.util.concurrent.Callable<Object>, Runnable {
    private final AsyncServer server;
    private final AsyncSocket socket;
    private final long idleNanos;
    /** The idle timer's action, made with the first timer: a connection without idle timeout has none. */
    private Runnable checkIdle;
    private Task<?> task;
    private Handle idleTimer;
    private String closedBecause;
    private boolean ended;
    /** Links in the server's {@link ConnectionList}: no set entry per connection. */
    Connection older;
    Connection newer;

    Connection(AsyncServer server, AsyncSocket socket, Duration idleTimeout) {
        this.server = server;
        this.socket = socket;
        this.idleNanos = idleTimeout.toNanos();
    }

    /** The task that runs {@link #call}; set right after it is spawned, before it can run. */
    void started(Task<?> task) {
        this.task = task;
        if (idleNanos > 0) {
            checkIdle = this::checkIdle;
            idleTimer = socket.loop().callAt(socket.lastReadAt() + idleNanos, checkIdle);
        }
    }

    /**
     * The body of the connection's task, spawned as is (no wrapper lambda): an idle connection's
     * parked stack holds two frames fewer (no spawn lambda, no Routine adapter). It returns
     * {@code Object}, as {@code Callable<Object>} declares, not {@code Void}: a {@code Void call()}
     * would be reached through a compiler-made bridge method, one more frame under the handler.
     */
    @Override
    public Object call() {
        try {
            TlsOptions tls = server.tls(); // the server's, not a field: an idle connection stays light
            if (tls != null) {
                socket.startTls(tls, null); // a failure is a peer problem: one line below, the socket closed
            }
            server.handler().handle(socket);
            socket.flush(); // what the handler wrote reaches the peer before the close
        } catch (ServerShuttingDownException stopping) { // the handler let the shutdown end it: no failure
            flushQuietly();
            RateLimitedLog.safely(AsyncServer.LOG, Level.DEBUG, () -> describe("ended as the server shuts down"), null);
        } catch (CancelledException cancelled) { // by the idle timeout, the shutdown, or the application
            if (closedBecause != null) {
                server.peerTrouble(describe(closedBecause));
            } else {
                RateLimitedLog.safely(AsyncServer.LOG, Level.DEBUG, () -> describe(cancelled.getMessage()), null);
            }
        } catch (IOException peerProblem) {
            server.peerTrouble(describe(closedBecause != null ? closedBecause : peerProblem.toString()));
        } catch (Exception handlerBug) {
            server.handlerFailed(describe(handlerBug.toString()), handlerBug);
        }
        return null;
    }

    private void flushQuietly() {
        try {
            socket.flush(); // the goodbye it wrote; the grace period bounds a peer that does not read
        } catch (IOException gone) {
            // the peer left first: it will not miss the goodbye
        }
    }

    /**
     * What the server registers with {@link Task#whenDone}: {@link #ended()}. The connection is
     * its own listener, so an idle connection carries no method-reference object for it.
     */
    @Override
    public void run() {
        ended();
    }

    /** Runs once the task ended, however: stops the timer, closes the socket, frees the server's slot. */
    void ended() {
        if (ended) {
            return;
        }
        ended = true;
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        socket.close(closedBecause != null ? closedBecause : "the connection's handler ended");
        server.connectionEnded(this);
    }

    /** Shutdown began: a read that would wait for the peer now throws a {@link ServerShuttingDownException}. */
    void shutdownBegan() {
        socket.endReadWaits("the server is shutting down");
    }

    private void checkIdle() {
        long lastRead = socket.lastReadAt();
        Loop loop = socket.loop();
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
