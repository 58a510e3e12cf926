package boucle.net;

import boucle.core.Loop;
import boucle.core.LoopBound;
import boucle.core.Task;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLSession;

/**
 * A TCP or Unix domain stream connection for tasks: every call that would block parks the calling
 * task instead, and the loop runs other tasks meanwhile. Written as plain sequential code:
 *
 * <pre>{@code
 * try (AsyncSocket socket = AsyncSocket.connect("127.0.0.1", 7000, Duration.ofSeconds(5))) {
 *     socket.write("hello\n");
 *     String reply = socket.readLine(1024);
 * }
 * }</pre>
 *
 * A Unix domain socket is the same type on the same code path, connected with
 * {@code AsyncSocket.connect(UnixDomainSocketAddress.of(path), timeout)}; its addresses are then
 * {@link UnixDomainSocketAddress}es (a client's own is usually unnamed: an empty path).
 *
 * <h2>Buffers</h2>
 * Bytes arrive in pooled direct {@link ByteBuf}s sized to the traffic. A buffer returned by a
 * read belongs to the caller, who must release it (or pass it to {@link #write(ByteBuf)}, which
 * takes ownership and releases it once written). An idle socket holds no buffer.
 *
 * <h2>Writing: write now, flush once</h2>
 * {@code write} queues its bytes; what is queued goes to the kernel in one gathering write
 * ({@code writev}) when the loop's turn ends (before it waits for events), before a read of this
 * socket makes a system call, on {@link #flush()}, or once the queue passes the high-water
 * mark. So many writes in one step, or writes from many tasks in one turn, cost one system call,
 * and a reply still leaves before the loop waits. What the kernel does not take the loop writes
 * out in the background. Past the high-water mark the writer parks until the queue is drained to
 * the low-water mark. {@link #flush()} waits until everything is written, {@link #drain()} until
 * the queue is at or under the low-water mark.
 *
 * <h2>Fairness: a budget per step</h2>
 * A task whose socket always has data would never park, and would hold the loop. So each task step
 * has a budget of 16 units (Netty reads a channel at most 16 times per turn): a read system call
 * made without waiting for readiness first costs one unit, so does a read or {@code readLine}
 * served from bytes already buffered, and a write that has to hand a queue past the high-water mark
 * to the kernel. The call that would spend the 17th unit first yields, as
 * {@link boucle.core.Boucle#interrupt()} does (the task goes to the back of the ready queue and
 * goes on after the other ready tasks and the loop's look at its sockets), then does its work with
 * a fresh budget. A call that parks ends the step, so a task that waits for its data never yields
 * for the budget. Writes that only queue, and {@link #tryWrite}, cost nothing and never yield.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Loop-thread only, and every parking call from inside a task of a {@link Net#newLoop()} loop.
 *       While the loop runs, a call from another thread is refused with an
 *       {@link IllegalStateException} before it changes anything; {@link #localAddress()},
 *       {@link #remoteAddress()} and {@link #toString()} are safe from any thread.</li>
 *   <li>At most one task reads and one task writes at a time (a second one is an
 *       {@link IllegalStateException}); any task may {@link #tryWrite} or {@link #close}.</li>
 *   <li>{@link #close()} wakes the tasks parked on the socket, which then throw a
 *       {@link SocketClosedException}. Closing hands the kernel what it takes at once and drops
 *       the rest of the queue: call {@link #flush()} first to send it all.</li>
 *   <li>Timeouts ({@link #setReadTimeout}, {@link #setWriteTimeout}) apply per call, and end it with
 *       a {@link java.net.SocketTimeoutException}; the socket stays usable.</li>
 *   <li>On a connection of an {@link AsyncServer} that began shutting down, a read that would wait
 *       for the peer throws a {@link ServerShuttingDownException}; bytes already received are
 *       still returned, and writes go on.</li>
 * </ul>
 */
public final class AsyncSocket implements AutoCloseable, LoopBound {
    /** The socket (a channel, or a descriptor the ring drives): the bottom of {@link #stream}, which knows when bytes last arrived. */
    private final SocketTransport transport;
    /** What reads and writes go through: the transport, or TLS over it after {@link #startTls}. */
    private ByteStream stream;
    private Inbound inbound;
    private final SocketAddress local;
    private final SocketAddress remote;
    private long readTimeoutNanos;
    private long writeTimeoutNanos;

    private AsyncSocket(SocketChannel channel, Registration registration) throws IOException {
        this(new SocketStream(channel, registration), channel.getLocalAddress(), channel.getRemoteAddress());
    }

    private AsyncSocket(SocketTransport transport, SocketAddress local, SocketAddress remote) {
        this.transport = transport;
        this.stream = transport;
        this.inbound = new Inbound(transport, transport.source().budget());
        this.local = local;
        this.remote = remote;
    }

    /** Connects to {@code host:port}, parking until connected or {@code timeout} has passed. */
    public static AsyncSocket connect(String host, int port, Duration timeout) throws IOException {
        return connect(new InetSocketAddress(host, port), timeout);
    }

    /**
     * Connects to {@code address}: an {@link InetSocketAddress} for TCP, a
     * {@link UnixDomainSocketAddress} for a Unix domain socket. Parks until connected or
     * {@code timeout} has passed. Call from a task.
     */
    public static AsyncSocket connect(SocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        Task.current(); // a clear error outside a task, before a channel is opened
        if (address instanceof InetSocketAddress inet && Net.source(Loop.current()) instanceof UringEventSource ring) {
            return RingConnect.connect(ring, inet, Loop.current().now() + timeout.toNanos());
        }
        boolean unix = address instanceof UnixDomainSocketAddress;
        SocketChannel channel = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            Registration registration = new Registration(channel);
            long deadline = registration.loop().now() + timeout.toNanos();
            if (!unix) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (!channel.connect(address)) {
                registration.untilReady(SelectionKey.OP_CONNECT, deadline, "connect to " + describe(address),
                        () -> channel.finishConnect() ? Boolean.TRUE : null);
                // a connected socket reports no OP_CONNECT, but epoll would keep waking for it
                registration.removeInterest(SelectionKey.OP_CONNECT);
            }
            return new AsyncSocket(channel, registration);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Connects to {@code host:port} over TLS: connects, then runs the handshake, all within
     * {@code timeout} (and the options' handshake timeout). The server's certificate must be trusted
     * by {@code tls} and, unless {@link TlsOptions#withoutHostnameVerification()}, name {@code host}.
     *
     * <pre>{@code
     * try (AsyncSocket socket = AsyncSocket.connect("example.org", 443, Duration.ofSeconds(5), TlsOptions.client())) {
     *     socket.write("HEAD / HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n");
     *     String status = socket.readLine(1000);
     * }
     * }</pre>
     *
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (untrusted certificate, wrong name...)
     */
    public static AsyncSocket connect(String host, int port, Duration timeout, TlsOptions tls) throws IOException {
        Objects.requireNonNull(tls, "tls");
        if (!tls.isClient()) {
            throw new IllegalArgumentException("connect needs client TLS options (TlsOptions.client...), not " + tls);
        }
        Task.current();
        long started = System.nanoTime();
        AsyncSocket socket = connect(new InetSocketAddress(host, port), timeout);
        try {
            long left = timeout.toNanos() - (System.nanoTime() - started);
            socket.startTls(tls, host, socket.loop().now() + Math.max(0, left));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close("the TLS handshake failed: " + e.getMessage());
            throw e;
        }
    }

    /** Wraps a connected channel: one {@link AsyncServerSocket#accept()} took, or an end of an {@link AsyncSocketPair}. */
    static AsyncSocket accepted(SocketChannel channel) throws IOException {
        try {
            if (channel.getLocalAddress() instanceof InetSocketAddress) { // no Nagle for Unix sockets to turn off
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            return new AsyncSocket(channel, new Registration(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Wraps a TCP socket descriptor connected or accepted on an io_uring loop; the socket owns it from now on. */
    static AsyncSocket onRing(UringEventSource ring, int fd, SocketAddress local, SocketAddress remote) {
        return new AsyncSocket(new UringStream(Loop.current(), ring, fd), local, remote);
    }

    // ---- TLS ---------------------------------------------------------------------------------

    /**
     * Runs a TLS handshake over this connection and from then on reads and writes through TLS
     * (STARTTLS). A server passes server options and {@code peerHost} {@code null}; a client passes
     * the host name it expects the certificate to name. Parks until the handshake ends, within the
     * options' handshake timeout and the read timeout. Call from a task, before reading anything
     * (bytes already buffered would be plaintext the peer sent before TLS).
     *
     * @throws javax.net.ssl.SSLException if the handshake fails; close the socket then
     */
    public void startTls(TlsOptions options, String peerHost) throws IOException {
        requireLoopThread();
        startTls(options, peerHost, readDeadline());
    }

    private void startTls(TlsOptions options, String peerHost, long deadline) throws IOException {
        Objects.requireNonNull(options, "options");
        requireLoopThread();
        Task.current();
        if (tls() != null) {
            throw new IllegalStateException("TLS is already on for this socket");
        }
        if (inbound.hasBuffered()) {
            throw new IllegalStateException("bytes were read before TLS began: startTls must come first");
        }
        int peerPort = remote instanceof InetSocketAddress inet ? inet.getPort() : -1;
        TlsStream secured = new TlsStream(transport, options.newEngine(options.isClient() ? peerHost : null, peerPort),
                options, transport.loop());
        stream = secured;
        inbound = new Inbound(secured, transport.source().budget());
        secured.handshake(deadline);
    }

    /** Whether reads and writes go through TLS. */
    public boolean isTls() {
        requireLoopThread();
        return tls() != null;
    }

    /** The TLS session (protocol, cipher suite, peer certificates), or {@code null} without TLS. */
    public SSLSession tlsSession() {
        requireLoopThread();
        return tls() == null ? null : tls().engine().getSession();
    }

    /** The application protocol ALPN agreed on, or {@code null} (no TLS, or no ALPN). */
    public String applicationProtocol() {
        requireLoopThread();
        String protocol = tls() == null ? null : tls().engine().getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * Parks until some bytes arrive and returns them in a buffer the caller now owns; returns
     * {@code null} at the end of the stream (the peer shut its output down or closed).
     */
    public ByteBuf read() throws IOException {
        requireLoopThread();
        return inbound.readSome(readDeadline());
    }

    /** Reads some bytes into {@code target} (at most its writable bytes); -1 at the end of the stream. */
    public int read(ByteBuf target) throws IOException {
        requireLoopThread();
        return inbound.readInto(target, readDeadline());
    }

    /**
     * Reads exactly {@code n} bytes into a buffer the caller owns.
     *
     * @throws java.io.EOFException if the stream ends first (the bytes read so far are dropped)
     */
    public ByteBuf readExactly(int n) throws IOException {
        requireLoopThread();
        return inbound.readExactly(n, readDeadline());
    }

    /**
     * Reads a line ended by LF or CRLF and returns it without its end, decoded as UTF-8; returns
     * {@code null} at the end of the stream. Bytes after the last line end are not a line: if the
     * stream ends there, they are consumed and an {@link IncompleteLineException} says so (the peer
     * most likely died mid-line; the next call returns {@code null}).
     *
     * @param maxLength the longest line accepted, in bytes; it bounds the memory a peer can make this hold
     * @throws IncompleteLineException if the stream ends in the middle of a line (an {@link java.io.EOFException})
     * @throws LineTooLongException if the line is longer; that line is skipped, reading can go on
     * @throws MalformedLineException if the line is not valid UTF-8; it is skipped, reading can go on
     */
    public String readLine(int maxLength) throws IOException {
        requireLoopThread();
        return inbound.readLine(maxLength, readDeadline());
    }

    /** Whether a read has met the end of the stream and every byte before it was consumed. */
    public boolean isEndOfStream() {
        requireLoopThread();
        return inbound.isEndOfStream();
    }

    // ---- writing -----------------------------------------------------------------------------

    /**
     * Queues {@code data} for the next flush point and takes ownership of it; past the high-water
     * mark, writes the queue out and parks until it is drained to the low-water mark. A call
     * refused for its thread takes nothing: the caller still owns {@code data}.
     */
    public void write(ByteBuf data) throws IOException {
        requireLoopThread();
        stream.send(data, writeDeadline());
    }

    public void write(byte[] bytes) throws IOException {
        requireLoopThread();
        ByteBuf data = Inbound.ALLOCATOR.directBuffer(bytes.length);
        data.writeBytes(bytes);
        write(data);
    }

    /** Writes {@code text} encoded as UTF-8. */
    public void write(String text) throws IOException {
        requireLoopThread();
        write(ByteBufUtil.writeUtf8(Inbound.ALLOCATOR, text));
    }

    /**
     * Queues {@code text} (UTF-8) if it fits under the high-water mark, without ever parking or
     * yielding, and returns {@code true}; returns {@code false} and writes nothing if it does not
     * fit. Any task may call it: it is how one task sends to many peers without one slow peer
     * stalling it, and a broadcast to N peers costs one gathering write per peer per turn.
     */
    public boolean tryWrite(String text) throws IOException {
        requireLoopThread();
        if (!stream.hasRoomFor(ByteBufUtil.utf8Bytes(text))) {
            return false;
        }
        stream.sendNow(ByteBufUtil.writeUtf8(Inbound.ALLOCATOR, text));
        return true;
    }

    /** Writes the queue out now, then parks until every byte written so far has been handed to the kernel. */
    public void flush() throws IOException {
        requireLoopThread();
        stream.awaitQueuedAtMost(0, writeDeadline(), "flush");
    }

    /** Parks until the bytes queued are at or under the low-water mark. */
    public void drain() throws IOException {
        requireLoopThread();
        stream.awaitQueuedAtMost(stream.lowWaterMark(), writeDeadline(), "drain");
    }

    /** Bytes written but not yet handed to the kernel. */
    public long pendingWriteBytes() {
        requireLoopThread();
        return stream.queuedBytes();
    }

    /** Sets the write queue's marks, in bytes (defaults: 64 KiB and 256 KiB). */
    public void setWriteBufferWaterMarks(int low, int high) {
        requireLoopThread();
        stream.setWaterMarks(low, high);
    }

    /**
     * Flushes, then shuts the output down: the peer reads end-of-stream; this side may still read.
     * Over TLS it first sends {@code close_notify} (TLS 1.3 peers may go on sending; a TLS 1.2 peer
     * usually answers with its own and stops).
     */
    public void shutdownOutput() throws IOException {
        requireLoopThread();
        stream.sendEof(writeDeadline());
    }

    // ---- timeouts, addresses, closing ----------------------------------------------------------

    /** The longest a read call may park, or {@link Duration#ZERO} (the default) for no limit. */
    public void setReadTimeout(Duration timeout) {
        requireLoopThread();
        readTimeoutNanos = timeout.toNanos();
    }

    /** The longest a write, flush or drain call may park, or {@link Duration#ZERO} for no limit. */
    public void setWriteTimeout(Duration timeout) {
        requireLoopThread();
        writeTimeoutNanos = timeout.toNanos();
    }

    private long readDeadline() {
        return readTimeoutNanos <= 0 ? Registration.NO_DEADLINE : transport.loop().now() + readTimeoutNanos;
    }

    private long writeDeadline() {
        return writeTimeoutNanos <= 0 ? Registration.NO_DEADLINE : transport.loop().now() + writeTimeoutNanos;
    }

    /** This end's address: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}. Any thread. */
    public SocketAddress localAddress() {
        return local;
    }

    /** The peer's address: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}. Any thread. */
    public SocketAddress remoteAddress() {
        return remote;
    }

    public boolean isOpen() {
        requireLoopThread();
        return transport.isOpen();
    }

    /**
     * Closes at once: queued bytes the kernel takes without waiting go out, the rest is dropped
     * (call {@link #flush()} first to send it all); tasks parked on the socket get a {@link SocketClosedException}.
     * Loop-thread only, like the rest: from another thread it is refused before anything is
     * closed; use {@code loop.callSoonThreadsafe(socket::close)}.
     */
    @Override
    public void close() {
        close("closed by this side");
    }

    /**
     * Closes at once like {@link #close()}, with a reason that the tasks parked on the socket, and
     * any later call, read in their {@link SocketClosedException}.
     */
    public void close(String reason) {
        requireLoopThread();
        if (transport.isOpen()) {
            stream.close(reason); // over TLS: a close_notify first, if it can go without waiting
            inbound.release();
        }
    }

    /** Refuses, before any change, a call from another thread while the loop runs. */
    private void requireLoopThread() {
        transport.loop().requireThisThread(this);
    }

    /** The server began shutting down: read-side waits end with a {@link ServerShuttingDownException}. */
    void endReadWaits(String reason) {
        transport.endReadWaits(reason);
    }

    /** When the last byte arrived, on the loop's clock. */
    long lastReadAt() {
        return transport.lastReadAt();
    }

    Loop loop() {
        return transport.loop();
    }

    /** The selector registration of a socket on a NIO loop: for the NIO path's tests. */
    Registration registration() {
        return ((SocketStream) transport).registration();
    }

    /** The TLS layer, or {@code null}: a type test, not a field (an idle plain socket carries no more). */
    private TlsStream tls() {
        return stream instanceof TlsStream secured ? secured : null;
    }

    /** How many write system calls this socket has made; a diagnostic for the batching's tests. */
    long writeCalls() {
        return transport.writeCalls();
    }

    /** What reads and writes go through: the channel, or TLS over it. */
    ByteStream stream() {
        return stream;
    }

    /** This socket's channel as a {@link ByteStream}, under TLS if any. */
    ByteStream transport() {
        return transport;
    }

    /** An address as people read it: {@code host:port}, or {@code unix:path} ({@code unix:(unnamed)}). */
    static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            String path = unix.getPath().toString();
            return "unix:" + (path.isEmpty() ? "(unnamed)" : path);
        }
        return String.valueOf(address);
    }

    /** Any thread (from another one, the "closed" part may be a moment late): for logs and dumps. */
    @Override
    public String toString() {
        return "AsyncSocket[" + describe(local) + " <-> " + describe(remote) + (transport.isOpen() ? "" : ", closed") + "]";
    }
}
