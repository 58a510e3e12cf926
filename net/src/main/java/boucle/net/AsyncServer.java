package boucle.net;

import boucle.core.Boucle;
import boucle.core.CancelledException;
import boucle.core.Event;
import boucle.core.Loop;
import boucle.core.LoopBound;
import boucle.core.Semaphore;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import boucle.core.TaskGroup;
import boucle.core.Timeouts;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
 * <h2>Shape</h2>
 * trio's {@code serve_listeners}: {@link #serveForever()} opens a {@link TaskGroup}; one child
 * task accepts, taking a permit of a {@link Semaphore} ({@code maxConnections}) before each
 * {@code accept}, and spawns every connection's handler into the same group. A connection gives
 * its permit back, and its socket is closed, when its task ends, however it ends: even a task
 * cancelled before its handler ever ran ({@link Task#whenDone}).
 *
 * <h2>Life</h2>
 * <pre>
 *   bind() --serveForever()--> SERVING --shutdown()--> DRAINING --all ended, or grace over--> DONE
 * </pre>
 * {@link #shutdown()} stops accepting at once and tells every connection: a read that would wait
 * for the peer ({@code read}, {@code readLine}, {@code readExactly}...) ends with a
 * {@link ServerShuttingDownException}, so an idle client costs no grace time, while writes go on
 * so a handler can say goodbye. The handlers get the grace period to finish, then the ones left
 * are cancelled, and {@code serveForever} returns once every one has ended. A cancelled or failed
 * {@code serveForever} cancels the handlers at once, with no grace. From another thread:
 * {@link #shutdownThreadsafe()}.
 *
 * <h2>TLS and Unix domain sockets</h2>
 * {@link Builder#tls(TlsOptions)} makes every connection run a TLS handshake (within the options'
 * handshake timeout) before its handler starts; the handler then reads and writes plaintext
 * through the same {@link AsyncSocket} API. {@link Builder#unixSocket(java.nio.file.Path)} listens
 * on a socket file instead of a TCP port (see {@link AsyncServerSocket} for stale files and
 * permissions). Both combine.
 *
 * <h2>Isolation</h2>
 * A handler that throws, or a peer that vanishes, closes that one connection and is logged
 * ({@link System.Logger} {@code boucle.net}); the server and every other connection go on. Nothing
 * ends the accept loop: a failed {@code accept} (too many open files...) is retried after a short
 * pause, and a logger that throws is caught. Repeated troubles are logged as a count per 10 s
 * ("accept on /127.0.0.1:7000 failed 523 more times in the last 10 s: Too many open files"), not a
 * line each.
 *
 * <h2>Threads</h2>
 * {@link #builder}, {@link #port()}, {@link #localAddress()}, {@link #shutdownThreadsafe()} and
 * {@link #toString()} are safe from any thread. The rest belongs to the thread of the loop that
 * serves: while it runs, a call from another thread is refused with an
 * {@link IllegalStateException} before it changes anything.
 */
public final class AsyncServer implements AutoCloseable, LoopBound {
    static final System.Logger LOG = System.getLogger("boucle.net");
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(100);

    /**
     * The classes the accept loop and a new connection use, loaded with this one. At EMFILE,
     * loading a class from a directory, or from a jar not opened yet, fails; the JVM then fails
     * that call site for good, and the accept loop could never recover. Class literals load a
     * class (without initializing it), so the code that runs in the worst moment has nothing to
     * open.
     */
    @SuppressWarnings("unused")
    private static final List<Class<?>> LOADED_AHEAD = List.of(Boucle.class, CancelledException.class,
            SocketClosedException.class, ServerShuttingDownException.class, IncompleteLineException.class,
            AsyncSocket.class, Registration.class, Inbound.class, Outbound.class, ReadSizer.class, Connection.class,
            RateLimitedLog.class, AsyncServerSocket.class, Accepted.class, RingAcceptor.class,
            UringStream.class, UringReceiver.class, ArrivalQueue.class, UringSender.class, boucle.net.uring.Errno.class,
            boucle.net.uring.NativeSockets.class, boucle.net.uring.Completions.class, boucle.net.uring.MessageHeader.class);

    static {
        // The JDK's logger stamps each record with the local time, so its first record opens the
        // time-zone data (lib/tzdb.dat). If that first record is a failed accept at EMFILE, the
        // open fails with an Error, and the logger drops every later record, silently, for the
        // life of the process. Reading the zone rules now, while descriptors are plentiful,
        // keeps the log of the worst moment.
        try {
            ZoneId.systemDefault().getRules();
        } catch (DateTimeException noZoneData) {
            // no zone data at all: the logger will do without, as it would have anyway
        }
    }

    private enum State { NEW, SERVING, DRAINING, DONE }

    private final Handler handler;
    /** Its own listening socket, or, on a loop of a {@link GroupServer}, the channels handed to this loop. */
    private final SocketSource listener;
    /** Run on the loop as each connection ends; a {@link GroupServer} gives its global slot back. */
    private final Runnable connectionGone;
    private final Duration idleTimeout;
    private final Duration shutdownGrace;
    private final TlsOptions tls;
    private final Duration logInterval;
    /** One permit per connection being handled; the accept loop takes one before each accept. */
    private final Semaphore slots;
    /** The connections whose task has not ended, oldest first: told when shutdown begins. */
    private final ConnectionList connections = new ConnectionList();
    /** Set by shutdown(): serveForever's body waits for it, then drains. */
    private final Event shutdownBegan = new Event();
    /** Set as the last connection ends while draining: the grace period waits for it. */
    private final Event allEnded = new Event();
    /** Done once serveForever has returned; what shutdownThreadsafe hands out. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** The loop that serves, once serveForever began: what the thread checks compare against. */
    private volatile Loop loop;
    /** Set by shutdownThreadsafe, from any thread; serveForever reads it as it begins. */
    private volatile boolean shutdownRequested;
    private State state = State.NEW;
    private Task<Void> acceptor;
    private RateLimitedLog acceptFailures;
    private RateLimitedLog peerTrouble;
    private RateLimitedLog handlerFailures;

    private AsyncServer(Builder options, SocketSource listener, int maxConnections, Runnable connectionGone) {
        this.handler = options.handler;
        this.listener = listener;
        this.connectionGone = connectionGone;
        this.idleTimeout = options.idleTimeout;
        this.shutdownGrace = options.shutdownGrace;
        this.tls = options.tls;
        this.logInterval = options.logInterval;
        this.slots = Semaphore.bounded(maxConnections);
    }

    /**
     * One loop's share of a {@link GroupServer}: connections come from {@code source}, the limit
     * of connections is the group's (not checked here), and {@code connectionGone} runs as each ends.
     */
    static AsyncServer shareOfGroup(Builder options, SocketSource source, Runnable connectionGone) {
        return new AsyncServer(options, source, Integer.MAX_VALUE, connectionGone);
    }

    /** Options for a server running {@code handler}; {@link Builder#bind()} makes it. Any thread. */
    public static Builder builder(Handler handler) {
        return new Builder(handler);
    }

    /** The application's handler, which every connection's task runs. */
    Handler handler() {
        return handler;
    }

    /** The TLS options of its connections, or {@code null} for plain ones. */
    TlsOptions tls() {
        return tls;
    }

    /** The port it listens on; the one the system chose when bound to port 0; -1 on a Unix socket. Any thread. */
    public int port() {
        return listener.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** The address it listens on: an {@link InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}. Any thread. */
    public java.net.SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** How many connections are being handled now. Loop thread. */
    public int connectionCount() {
        requireLoopThread();
        return connections.size();
    }

    /**
     * Accepts connections and handles each in its own task until {@link #shutdown()}; then lets
     * the handlers finish within the grace period, cancels the rest, and returns once all ended.
     * Call it once, from a task of a {@link Net#newLoop()} loop. Returns at once if a shutdown
     * was asked for before it began.
     */
    public void serveForever() throws IOException {
        requireLoopThread(); // a second call from another thread while it serves: refused as such
        Task.current(); // refuses a call from outside any task, before anything changes
        Loop here = Loop.current();
        if (state != State.NEW || stopped.isDone()) {
            throw new IllegalStateException("this server has already served: serveForever runs once per server");
        }
        loop = here; // before reading shutdownRequested: see shutdownThreadsafe
        state = State.SERVING;
        try {
            if (shutdownRequested || !listener.isOpen()) {
                return; // shutdown() or shutdownThreadsafe() came first
            }
            String where = "accept on " + localAddress();
            acceptFailures = new RateLimitedLog(LOG, Level.WARNING, where + " failed", logInterval, here);
            peerTrouble = new RateLimitedLog(LOG, Level.INFO, "connection ended", logInterval, here);
            handlerFailures = new RateLimitedLog(LOG, Level.WARNING,
                    "a handler failed (its connection is closed, the server goes on)", logInterval, here);
            TaskGroup.run(group -> {
                acceptor = group.spawn(where, () -> acceptUntilShutdown(group));
                shutdownBegan.await();
                drain();
                return null;
            });
        } catch (TaskFailedException failed) {
            if (failed.getCause() instanceof IOException io) {
                throw io; // the accept loop's own failure, as serveForever declares it
            }
            throw failed;
        } finally {
            state = State.DONE;
            listener.close();
            closeLogs();
            stopped.complete(null);
        }
    }

    /** The accepting child: a permit, then a connection, until shutdown() cancels it. */
    private void acceptUntilShutdown(TaskGroup group) throws IOException {
        while (state == State.SERVING) {
            slots.acquire(); // parks while maxConnections are handled
            boolean handedOver = false;
            try {
                AsyncSocket socket = acceptOrPause();
                if (socket != null) {
                    startConnection(group, socket);
                    handedOver = true;
                }
            } finally {
                if (!handedOver) {
                    slots.release();
                }
            }
        }
    }

    /** One accepted socket, or {@code null} after a failure that is worth a retry (after a pause). */
    private AsyncSocket acceptOrPause() throws IOException {
        try {
            return listener.accept();
        } catch (SocketClosedException closed) {
            if (state != State.SERVING) {
                return null; // shutdown() closed it: the loop ends
            }
            throw closed; // closed by something else than shutdown(): a bug, to be loud about
        } catch (IOException | RuntimeException failure) {
            if (failure instanceof CancelledException cancelled) {
                throw cancelled;
            }
            // e.g. too many open files: the server must outlive it, and the clients that leave free fds
            acceptFailures.record(String.valueOf(failure.getMessage() != null ? failure.getMessage() : failure),
                    failure instanceof IOException ? null : failure);
            Boucle.sleep(ACCEPT_RETRY);
            return null;
        }
    }

    private void startConnection(TaskGroup group, AsyncSocket socket) {
        Connection connection = new Connection(this, socket, idleTimeout);
        connections.add(connection);
        Task<?> task;
        try {
            task = group.spawn("connection " + socket.remoteAddress(), connection);
        } catch (RuntimeException cannotStart) {
            connections.remove(connection);
            socket.close();
            throw cannotStart;
        }
        connection.started(task);
        task.whenDone(connection); // ended(): closes, frees the slot, even if cancelled before it ran
    }

    /** Shutdown began: tell the connections, give them the grace period, cancel what is left. */
    private void drain() throws Exception {
        for (Connection connection : connections.snapshot()) {
            connection.shutdownBegan();
        }
        if (!connections.isEmpty() && shutdownGrace.isPositive()) {
            Timeouts.withTimeoutOrEmpty(shutdownGrace, () -> {
                allEnded.await();
                return null;
            });
        }
        for (Connection left : connections.snapshot()) {
            left.cancel("the server shut down and its grace period of " + shutdownGrace.toMillis() + " ms is over");
        }
    } // then the group waits until every cancelled handler has ended

    /**
     * Stops accepting now and has {@link #serveForever()} end the connections (see the class
     * javadoc). Does not park: callable from any task or callback of the serving loop, and before
     * serving from the thread that made the server. Idempotent. From another thread, use
     * {@link #shutdownThreadsafe()}: this one refuses such a call before it changes anything.
     */
    public void shutdown() {
        requireLoopThread();
        switch (state) {
            case NEW -> {
                shutdownRequested = true;
                listener.close(); // never served: stop listening now
            }
            case SERVING -> {
                state = State.DRAINING;
                listener.close();
                acceptor.cancel(new CancelledException("the server is shutting down"));
                shutdownBegan.set();
            }
            case DRAINING, DONE -> {
                // already on its way
            }
        }
    }

    /**
     * Asks the server to shut down, from any thread (a signal handler, a test, another loop): the
     * same as {@link #shutdown()} run on the serving loop's thread through
     * {@link Loop#callSoonThreadsafe}. Before {@code serveForever} began, it makes
     * {@code serveForever} return at once; after it returned, it does nothing. Never blocks.
     *
     * @return a future completed once {@code serveForever} has returned (already completed if it
     *     has); never completed for a server that is never served
     */
    public CompletableFuture<Void> shutdownThreadsafe() {
        shutdownRequested = true; // before reading loop; serveForever writes loop, then reads this
        Loop serving = loop;
        if (serving != null) {
            serving.callSoonThreadsafe(() -> {
                if (state == State.SERVING) {
                    shutdown();
                }
            });
        }
        return stopped.copy();
    }

    /** The same as {@link #shutdown()} (a server that never served stops listening). Same thread rule. */
    @Override
    public void close() {
        shutdown();
    }

    void connectionEnded(Connection connection) {
        if (connections.remove(connection)) {
            slots.release();
            connectionGone.run();
            if (connections.isEmpty() && state == State.DRAINING) {
                allEnded.set();
            }
        }
    }

    /** A peer problem (reset, broken pipe, idle timeout) ended a connection: counted, not one line each. */
    void peerTrouble(String what) {
        peerTrouble.record(what, null);
    }

    void handlerFailed(String what, Throwable failure) {
        handlerFailures.record(what, failure);
    }

    private void closeLogs() {
        for (RateLimitedLog log : new RateLimitedLog[] {acceptFailures, peerTrouble, handlerFailures}) {
            if (log != null) {
                log.close();
            }
        }
    }

    private void requireLoopThread() {
        Loop serving = loop;
        if (serving != null) {
            serving.requireThisThread(this);
        }
    }

    /** Any thread (from another one, the count may be a moment old): for logs and dumps. */
    @Override
    public String toString() {
        return "AsyncServer[" + listener.localAddress() + ", " + connections.size() + " connections"
                + (state == State.DRAINING ? ", shutting down" : state == State.DONE ? ", stopped" : "") + "]";
    }

    /** The server's options; {@link #bind()} opens the listening socket. A plain object of the thread that makes it. */
    public static final class Builder {
        private final Handler handler;
        private String host = "127.0.0.1";
        private int port;
        private int backlog = 1024;
        private int maxConnections = Integer.MAX_VALUE;
        private Duration idleTimeout = Duration.ZERO;
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private Duration logInterval = Duration.ofSeconds(10);
        private boolean reusePort;
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

        /** How long repeated troubles are counted before one line reports them (default 10 s); for tests. */
        Builder logInterval(Duration logInterval) {
            if (!logInterval.isPositive()) {
                throw new IllegalArgumentException("the log interval must be positive, not " + logInterval);
            }
            this.logInterval = logInterval;
            return this;
        }

        /** Opens the listening socket now (no loop needed yet); serve it with {@link AsyncServer#serveForever()}. */
        public AsyncServer bind() throws IOException {
            return new AsyncServer(this, bindListener(), maxConnections, () -> { });
        }

        /**
         * Sets {@code SO_REUSEPORT} on the listening socket (default off), so that several servers
         * of this process or others may listen on the same port and the kernel spreads the
         * connections among them (Linux, the BSDs). Where the system has no such option, {@link
         * #bind()} fails with an {@link UnsupportedOperationException} that says so. A
         * {@link GroupServer} does not need it: see its javadoc for why one acceptor was kept.
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** Opens the listening socket these options ask for: TCP, or the Unix socket file. */
        AsyncServerSocket bindListener() throws IOException {
            if (unixSocket != null) {
                if (reusePort) {
                    throw new UnsupportedOperationException("SO_REUSEPORT is a TCP option: a Unix socket ("
                            + unixSocket + ") cannot take reusePort");
                }
                return AsyncServerSocket.bind(java.net.UnixDomainSocketAddress.of(unixSocket), backlog);
            }
            return AsyncServerSocket.bind(host, port, backlog, reusePort);
        }

        int maxConnections() {
            return maxConnections;
        }

        Duration logInterval() {
            return logInterval;
        }
    }
}
