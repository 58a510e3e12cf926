package boucle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An {@link AsyncServer} served on a loop of its own thread: {@link #start} returns once the port
 * is listening, and the handle stops it from any thread. For a {@code main} that serves, and for
 * tests that talk to a server with blocking clients.
 *
 * <pre>{@code
 * try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(Echo::echo).port(0))) {
 *     try (Socket client = new Socket("127.0.0.1", server.port())) { ... }
 * }   // graceful shutdown (the server's grace), waits for the loop, rethrows a failure of it
 * }</pre>
 *
 * <h2>Failures</h2>
 * If the loop fails (a bug in the loop, a callback throwing an {@link Error}), its port is closed at
 * once, blocked callers of {@link #call} are released with an exception, and {@link #close()},
 * {@link #awaitStopped()} and {@link #stopped()} report the failure.
 *
 * <p>Threads: every method may be called from any thread; the blocking ones not from the loop's own.
 */
public final class BackgroundServer implements AutoCloseable {
    private final AsyncServer server;
    private final SocketAddress address;
    private final BackgroundLoop background;

    private BackgroundServer(AsyncServer server, BackgroundLoop background) {
        this.server = server;
        this.address = server.localAddress();
        this.background = background;
    }

    /**
     * Binds the server now (on the calling thread: a busy port fails here) and serves it on a new
     * thread named after its port; returns once the loop runs.
     *
     * @throws IOException if the server cannot listen
     * @throws IllegalStateException if the JVM lacks {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}
     */
    public static BackgroundServer start(AsyncServer.Builder builder) throws IOException {
        AsyncServer server = builder.bind();
        try {
            BackgroundLoop background = BackgroundLoop.start("boucle-server-" + (server.port() >= 0 ? server.port() : AsyncSocket.describe(server.localAddress())),
                    server::serveForever, server::close); // however the loop ends, the port is closed
            return new BackgroundServer(server, background);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The port it listens on (the one the system chose for port 0); -1 on a Unix domain socket. */
    public int port() {
        return server.port();
    }

    /** The address it listens on: an {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /**
     * Graceful shutdown, started from any thread: stops accepting at once, lets the handlers finish
     * within the server's shutdown grace, cancels the rest; the loop then stops. Returns at once;
     * {@link #awaitStopped()} waits. Idempotent.
     */
    public void shutdown() {
        server.shutdownThreadsafe();
    }

    /** {@link #shutdown()}, then waits for the loop to stop and rethrows its failure. */
    @Override
    public void close() {
        shutdown();
        background.awaitStopped();
    }

    /** Runs {@code query} with the server, as a task on its loop, and returns its answer. */
    public <T> T call(Function<AsyncServer, T> query) throws Exception {
        return background.call(() -> query.apply(server));
    }

    /** Runs {@code work} as a task on the server's loop; see {@link BackgroundLoop#submit}. */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        return background.submit(work);
    }

    /** How many connections the server handles now (asked on its loop). */
    public int connectionCount() throws Exception {
        return call(AsyncServer::connectionCount);
    }

    /** Waits until the loop has stopped; rethrows its failure. */
    public void awaitStopped() {
        background.awaitStopped();
    }

    /** {@link #awaitStopped()} with a limit; {@code false} if still running after {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return background.awaitStopped(timeout);
    }

    /** Completes when the loop has stopped; exceptionally with its failure. */
    public CompletableFuture<Void> stopped() {
        return background.stopped();
    }

    /**
     * The server, for its thread-safe methods ({@link AsyncServer#shutdownThreadsafe()}); every
     * other method is for the loop's thread: reach it with {@link #call}.
     */
    public AsyncServer server() {
        return server;
    }

    /** The serving loop, for {@link boucle.core.Loop#callSoonThreadsafe} (its one thread-safe method). */
    public boucle.core.Loop loop() {
        return background.loop();
    }

    /** The loop and its thread, for {@link boucle.core.Loop#callSoonThreadsafe} and diagnostics. */
    public BackgroundLoop background() {
        return background;
    }

    @Override
    public String toString() {
        return "BackgroundServer[" + address + ", " + background + "]";
    }
}
