package boucle.net;

import boucle.core.Boucle;
import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.WaitQueue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A socketserver-style TCP server: it accepts connections and runs a {@link Handler} for each, in
 * a task of its own, on the loop's one thread.
 *
 * <pre>{@code
 * try (Loop loop = Net.newLoop()) {
 *     AsyncServer server = AsyncServer.builder(connection -> connection.write("hello\n"))
 *             .host("127.0.0.1").port(7000).idleTimeout(Duration.ofMinutes(5)).bind();
 *     loop.runTask(server::serveForever);   // returns after shutdown()
 * }
 * }</pre>
 *
 * <h2>Life</h2>
 * <pre>
 *   bind() --serveForever()--> SERVING --shutdown()--> DRAINING --all ended, or grace over--> DONE
 * </pre>
 * {@link #shutdown()} stops accepting at once; running handlers get the grace period to finish,
 * then the ones left are cancelled, and {@code serveForever} returns once every one has ended.
 * From another thread: {@code loop.callSoonThreadsafe(server::shutdown)}.
 *
 * <h2>TLS and Unix domain sockets</h2>
 * {@link Builder#tls(TlsOptions)} makes every connection run a TLS handshake (within the options'
 * handshake timeout) before its handler starts; the handler then reads and writes plaintext
 * through the same {@link AsyncSocket} API. {@link Builder#unixSocket(java.nio.file.Path)} listens
 * on a socket file instead of a TCP port (see {@link AsyncServerSocket} for stale files and
 * permissions). Both combine.
 *
 * <h2>Isolation</h2>
 * A handler that throws, or a peer that vanishes, closes that one connection and is logged once
 * ({@link System.Logger} {@code boucle.net}); the server and every other connection go on.
 *
 * <p>Loop-thread only, like everything but {@link Loop#callSoonThreadsafe}.
 */
public final class AsyncServer implements AutoCloseable {
    static final System.Logger LOG = System.getLogger("boucle.net");
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(100);

    private final Handler handler;
    private final AsyncServerSocket listener;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration shutdownGrace;
    private final TlsOptions tls;
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final WaitQueue slotFreed = new WaitQueue();
    private final WaitQueue allEnded = new WaitQueue();
    private boolean serving;
    private boolean shuttingDown;

    private AsyncServer(Builder options, AsyncServerSocket listener) {
        this.handler = options.handler;
        this.listener = listener;
        this.maxConnections = options.maxConnections;
        this.idleTimeout = options.idleTimeout;
        this.shutdownGrace = options.shutdownGrace;
        this.tls = options.tls;
    }

    /** Options for a server running {@code handler}; {@link Builder#bind()} makes it. */
    public static Builder builder(Handler handler) {
        return new Builder(handler);
    }

    /** The port it listens on; the one the system chose when bound to port 0; -1 on a Unix socket. */
    public int port() {
        return listener.port();
    }

    /** The address it listens on: an {@link InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}. */
    public java.net.SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** How many connections are being handled now. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Accepts connections and handles each in its own task until {@link #shutdown()}; then lets
     * the handlers finish within the grace period, cancels the rest, and returns once all ended.
     * Call it from a task of a {@link Net#newLoop()} loop.
     */
    public void serveForever() throws IOException {
        if (serving) {
            throw new IllegalStateException("this server is already serving");
        }
        Task.current();
        serving = true;
        boolean ended = false;
        try {
            acceptUntilShutdown();
            ended = true;
        } finally {
            shuttingDown = true;
            listener.close();
            endConnections(ended ? shutdownGrace : Duration.ZERO); // cancelled or failed: no grace
        }
    }

    private void acceptUntilShutdown() throws IOException {
        while (!shuttingDown) {
            while (connections.size() >= maxConnections && !shuttingDown) {
                slotFreed.park("a free connection slot (" + maxConnections + " in use)");
            }
            if (shuttingDown) {
                return;
            }
            AsyncSocket socket;
            try {
                socket = listener.accept();
            } catch (SocketClosedException closed) {
                if (shuttingDown) {
                    return;
                }
                throw closed;
            } catch (IOException e) { // e.g. too many open files: the server must outlive it
                LOG.log(Level.WARNING, "accept on " + localAddress() + " failed (" + e + "); retrying soon");
                Boucle.sleep(ACCEPT_RETRY);
                continue;
            }
            Connection connection = new Connection(this, socket, idleTimeout, tls);
            connections.add(connection);
            connection.start(handler);
        }
    }

    /** Waits up to {@code grace} for the handlers to end, cancels those left, waits for them. */
    private void endConnections(Duration grace) {
        Loop loop = Loop.current();
        if (!connections.isEmpty() && grace.isPositive()) {
            Handle graceOver = loop.callLater(grace, allEnded::wakeAll);
            try {
                while (!connections.isEmpty() && !graceOver.hasRun()) {
                    allEnded.park("connections to finish (shutdown grace)");
                }
            } finally {
                graceOver.cancel();
            }
        }
        for (Connection left : new ArrayList<>(connections)) {
            left.cancel("the server shut down and its grace period of " + grace.toMillis() + " ms is over");
        }
        while (!connections.isEmpty()) {
            allEnded.park("cancelled connections to end");
        }
    }

    /**
     * Stops accepting now and has {@link #serveForever()} end the connections (see the class
     * javadoc). Does not park: callable from any task or callback of the loop. Idempotent.
     */
    public void shutdown() {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        listener.close();
        slotFreed.wakeAll();
    }

    /** Stops listening if the server never served; otherwise the same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }

    void connectionEnded(Connection connection) {
        connections.remove(connection);
        slotFreed.wakeFirst();
        if (connections.isEmpty()) {
            allEnded.wakeAll();
        }
    }

    @Override
    public String toString() {
        return "AsyncServer[" + listener.localAddress() + ", " + connections.size() + " connections"
                + (shuttingDown ? ", shutting down" : "") + "]";
    }

    /** The server's options; {@link #bind()} opens the listening socket. */
    public static final class Builder {
        private final Handler handler;
        private String host = "127.0.0.1";
        private int port;
        private int backlog = 1024;
        private int maxConnections = Integer.MAX_VALUE;
        private Duration idleTimeout = Duration.ZERO;
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private TlsOptions tls;
        private java.nio.file.Path unixSocket;

        private Builder(Handler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The address to listen on (default {@code 127.0.0.1}; {@code 0.0.0.0} for every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 0: an ephemeral port, which {@link AsyncServer#port()} tells). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is between 0 and 65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /** How many connections the kernel may hold that were not accepted yet (default 1024). */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /**
         * The most connections handled at once (default: no limit). Past it the server stops
         * accepting; new clients wait in the kernel's backlog until a connection ends.
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** Closes a connection whose peer sent nothing for this long (default {@link Duration#ZERO}: never). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        /** How long shutdown lets running handlers finish before cancelling them (default 5 s). */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        /**
         * Serves TLS with these server options: each connection's handshake runs in its task before
         * the handler. A failed handshake (plaintext or garbage, an untrusted client certificate, a
         * peer that vanishes or stalls past the handshake timeout) closes that connection and is
         * logged as one line; the others go on.
         */
        public Builder tls(TlsOptions tls) {
            Objects.requireNonNull(tls, "tls");
            if (tls.isClient()) {
                throw new IllegalArgumentException("a server needs server TLS options (TlsOptions.server...), not " + tls);
            }
            this.tls = tls;
            return this;
        }

        /** Listens on the Unix domain socket file {@code path} instead of {@code host:port}. */
        public Builder unixSocket(java.nio.file.Path path) {
            this.unixSocket = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Opens the listening socket now (no loop needed yet); serve it with {@link AsyncServer#serveForever()}. */
        public AsyncServer bind() throws IOException {
            AsyncServerSocket listener = unixSocket != null
                    ? AsyncServerSocket.bind(java.net.UnixDomainSocketAddress.of(unixSocket), backlog)
                    : AsyncServerSocket.bind(host, port, backlog);
            return new AsyncServer(this, listener);
        }
    }
}
