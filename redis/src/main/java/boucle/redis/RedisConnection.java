package boucle.redis;

import boucle.core.Boucle;
import boucle.core.Task;
import boucle.net.AsyncSocket;
import boucle.net.Net;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One TCP connection to Redis: its socket, its reader of replies, and, for a command connection,
 * the calls that wait for replies in the order their commands went out (Redis answers in order,
 * so the first reply is the first call's).
 *
 * <h2>Writing from many tasks without a writer per command</h2>
 * A command is encoded and handed to the socket by the task that issues it, which only queues it
 * (the socket writes what is queued once per turn, so commands from many tasks in one turn leave
 * in one system call). A task must never park there, since it would park inside someone else's
 * pipeline; so when the socket's queue is past {@link #HIGH_WATER}, or a backlog already waits,
 * the command is appended to the backlog instead, and the connection's writer task hands the
 * backlog to the socket, parking until the kernel takes it. Order is kept: nothing goes straight
 * to the socket while a backlog waits.
 *
 * <p>Loop-thread only, from the tasks of the loop that opened it.
 */
final class RedisConnection {
    /** The socket's write queue marks: past the high one, commands go to the backlog. */
    static final int LOW_WATER = 64 * 1024;
    static final int HIGH_WATER = 256 * 1024;

    private final RedisUri uri;
    private final AsyncSocket socket;
    private final RespReader reader;
    private final ByteBufAllocator allocator = Net.allocator();
    /** Calls whose replies are due, oldest first. */
    private final ArrayDeque<RedisCall> inFlight = new ArrayDeque<>();
    /** Commands encoded while the socket's queue was full, for the writer task; {@code null} when none. */
    private ByteBuf backlog;
    private Task<Void> writer;
    private boolean writerIdle;
    /** Why the connection ended, or {@code null} while it lives. */
    private RedisException lost;

    private RedisConnection(RedisUri uri, AsyncSocket socket, RedisOptions options) {
        this.uri = uri;
        this.socket = socket;
        this.reader = new RespReader(allocator, options.maxBulkBytes());
        socket.setWriteBufferWaterMarks(LOW_WATER, HIGH_WATER);
    }

    /**
     * Connects and authenticates ({@code AUTH}, {@code SELECT} as the URI says), all within the
     * connect timeout. Parks; call from a task. A host name is resolved on another thread.
     *
     * @throws RedisUnavailableException if Redis cannot be reached, or refuses the handshake
     */
    static RedisConnection open(RedisUri uri, RedisOptions options) throws RedisException {
        Duration timeout = options.connectTimeout();
        AsyncSocket socket;
        try {
            socket = AsyncSocket.connect(resolve(uri), timeout);
        } catch (IOException e) {
            throw new RedisUnavailableException("cannot connect to Redis at " + uri + ": " + describe(e), e);
        }
        RedisConnection connection = new RedisConnection(uri, socket, options);
        boolean opened = false;
        try {
            socket.setReadTimeout(timeout);
            if (uri.password() != null) {
                connection.handshake(uri.user() == null ? List.of("AUTH", uri.password())
                        : List.of("AUTH", uri.user(), uri.password()), "AUTH");
            }
            if (uri.database() != 0) {
                connection.handshake(List.of("SELECT", Integer.toString(uri.database())), "SELECT " + uri.database());
            }
            // a Redis that is stalled (stopped, swapping) still completes TCP handshakes from its
            // backlog: only an answer says it serves
            connection.handshake(List.of("PING"), "PING");
            socket.setReadTimeout(options.pingInterval()); // silence past it: the link is checked
            opened = true;
            opened = true;
            return connection;
        } catch (RedisProtocolException e) {
            RedisUnavailableException failure = new RedisUnavailableException("the server at " + uri
                    + " does not speak RESP (is it Redis?): " + e.getMessage(), e);
            connection.lose(failure);
            throw failure;
        } catch (RedisException e) {
            connection.lose(e);
            throw e;
        } catch (IOException e) {
            RedisUnavailableException failure = new RedisUnavailableException("the handshake with " + uri
                    + " failed: " + describe(e), e);
            connection.lose(failure);
            throw failure;
        } finally {
            if (!opened) { // cancelled in the handshake: the socket must not stay open
                connection.lose(new RedisUnavailableException("the connection to " + uri + " was given up"));
            }
        }
    }

    private static InetSocketAddress resolve(RedisUri uri) throws IOException {
        String host = uri.host();
        if (host.matches("[0-9.]+") || host.indexOf(':') >= 0) {
            return new InetSocketAddress(host, uri.port()); // an address literal: nothing to look up
        }
        try {
            // name lookups block: not on the loop's thread
            return new InetSocketAddress(Boucle.runInThread(() -> InetAddress.getByName(host)), uri.port());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception other) {
            throw new IOException("could not resolve " + host, other);
        }
    }

    /** Sends one command before the connection serves anyone, and checks its reply is not an error. */
    private void handshake(List<String> command, String what) throws IOException {
        socket.write(RespWriter.encode(allocator, command));
        socket.flush();
        RedisValue reply = readValue();
        if (reply instanceof RedisValue.Error error) {
            throw new RedisUnavailableException("Redis at " + uri + " refused " + what + ": " + error.message());
        }
    }

    /** Starts the writer task that drains the backlog; {@code spawner} starts it as the link's. */
    void startWriter(java.util.function.Function<boucle.core.Routine, Task<Void>> spawner) {
        writer = spawner.apply(this::writeBacklog);
    }

    // ---- sending -------------------------------------------------------------------------------

    /**
     * Sends a command whose reply goes to {@code call}. Never parks. Refuses a bad argument
     * before any change.
     *
     * @throws RedisUnavailableException if the connection is gone (the call is failed too)
     */
    void send(RedisCall call, List<?> command) throws RedisUnavailableException {
        int size = RespWriter.encodedSize(command); // checks the arguments before anything changes
        requireAlive();
        inFlight.addLast(call);
        write(command, size);
    }

    /** Sends a command whose replies are not matched to calls (a subscriber's). Never parks. */
    void sendUntracked(List<?> command) throws RedisUnavailableException {
        int size = RespWriter.encodedSize(command);
        requireAlive();
        write(command, size);
    }

    private void write(List<?> command, int size) throws RedisUnavailableException {
        try {
            if (backlog == null && socket.pendingWriteBytes() + size <= HIGH_WATER) {
                socket.write(RespWriter.encode(allocator, command)); // only queues: it stays under the high mark
                return;
            }
            if (backlog == null) {
                backlog = allocator.directBuffer(Math.max(size, 4096));
            }
            RespWriter.encodeInto(backlog.ensureWritable(size), command);
            if (writerIdle) {
                writer.wake();
            }
        } catch (IOException e) {
            RedisUnavailableException failure = new RedisUnavailableException("writing to " + uri + " failed: "
                    + describe(e), e);
            lose(failure);
            throw failure;
        }
    }

    private void requireAlive() throws RedisUnavailableException {
        if (lost != null) {
            throw new RedisUnavailableException("the link to " + uri + " is down: " + lost.getMessage(), lost);
        }
    }

    /** The writer task's body: hands the backlog to the socket whenever there is one. */
    private void writeBacklog() {
        Task<?> me = Task.current();
        try {
            while (lost == null) {
                if (backlog == null) {
                    writerIdle = true;
                    try {
                        me.park("the backlog of " + this);
                    } finally {
                        writerIdle = false;
                    }
                    continue;
                }
                ByteBuf out = backlog;
                backlog = null;
                socket.write(out); // parks until the kernel takes it down to the low mark; commands meanwhile go to a new backlog
            }
        } catch (IOException e) {
            lose(new RedisUnavailableException("writing to " + uri + " failed: " + describe(e), e));
        }
    }

    // ---- receiving -----------------------------------------------------------------------------

    /**
     * Parks until the next reply or push message.
     *
     * @throws Silence if nothing came for the read timeout ({@link #expectWithin}); the
     *     connection stays usable
     * @throws RedisUnavailableException at the end of the stream or when the socket fails
     * @throws RedisProtocolException if the bytes are not RESP2
     */
    RedisValue readValue() throws RedisException {
        while (true) {
            RedisValue value = reader.next();
            if (value != null) {
                return value;
            }
            ByteBuf data;
            try {
                data = socket.read();
            } catch (SocketTimeoutException quiet) {
                throw new Silence();
            } catch (IOException e) {
                throw lost != null ? lost : new RedisUnavailableException("reading from " + uri + " failed: "
                        + describe(e), e);
            }
            if (data == null) {
                throw new RedisUnavailableException("Redis at " + uri + " closed the connection");
            }
            reader.feed(data);
        }
    }

    /** How long {@link #readValue()} waits for bytes before it throws {@link Silence}. */
    void expectWithin(Duration timeout) {
        socket.setReadTimeout(timeout);
    }

    /** Nothing came from Redis for the read timeout: a signal for the link, never shown to users. */
    static final class Silence extends RedisException {
        Silence() {
            super("no bytes from Redis within the read timeout");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a signal, thrown on a quiet link every ping interval: no stack to fill
        }
    }

    /** The oldest call waiting for a reply, taken out; {@code null} if none waits. */
    RedisCall nextCall() {
        return inFlight.pollFirst();
    }

    /** How many calls wait for their replies. */
    int inFlight() {
        return inFlight.size();
    }

    // ---- ending --------------------------------------------------------------------------------

    /**
     * Ends the connection for {@code cause}: closes the socket, drops the backlog, fails every
     * call still waiting with a {@link RedisUnavailableException}. Never parks; idempotent.
     */
    void lose(RedisException cause) {
        if (lost != null) {
            return;
        }
        lost = cause;
        socket.close(cause.getMessage());
        reader.release();
        if (backlog != null) {
            backlog.release();
            backlog = null;
        }
        if (writer != null) {
            writer.cancel(); // the writer itself, when it is the one losing the link: it ends before it parks again
        }
        RedisUnavailableException failure = cause instanceof RedisUnavailableException unavailable ? unavailable
                : new RedisUnavailableException("the link to " + uri + " was dropped: " + cause.getMessage(), cause);
        for (RedisCall call; (call = inFlight.pollFirst()) != null; ) {
            call.fail(failure);
        }
    }

    /** Why the connection ended, or {@code null} while it lives. */
    RedisException lostCause() {
        return lost;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "RedisConnection[" + uri + (lost != null ? ", lost" : "") + "]";
    }
}
