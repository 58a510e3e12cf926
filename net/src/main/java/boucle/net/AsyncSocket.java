package boucle.net;

import boucle.core.Loop;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP connection for tasks: every call that would block parks the calling task instead, and
 * the loop runs other tasks meanwhile. Written as plain sequential code:
 *
 * <pre>{@code
 * try (AsyncSocket socket = AsyncSocket.connect("127.0.0.1", 7000, Duration.ofSeconds(5))) {
 *     socket.write("hello\n");
 *     String reply = socket.readLine(1024);
 * }
 * }</pre>
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
public final class AsyncSocket implements AutoCloseable {
    private final Registration registration;
    private final Inbound inbound;
    private final Outbound outbound;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private long readTimeoutNanos;
    private long writeTimeoutNanos;

    private AsyncSocket(SocketChannel channel, Registration registration) throws IOException {
        this.registration = registration;
        this.outbound = new Outbound(channel, registration);
        this.inbound = new Inbound(channel, registration, outbound::flushBeforeReading);
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
    }

    /** Connects to {@code host:port}, parking until connected or {@code timeout} has passed. */
    public static AsyncSocket connect(String host, int port, Duration timeout) throws IOException {
        return connect(new InetSocketAddress(host, port), timeout);
    }

    public static AsyncSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        SocketChannel channel = SocketChannel.open();
        try {
            Registration registration = new Registration(channel);
            long deadline = registration.loop().now() + timeout.toNanos();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (!channel.connect(address)) {
                while (!channel.finishConnect()) {
                    registration.await(SelectionKey.OP_CONNECT, deadline, "connect to " + address);
                }
                // a connected socket reports no OP_CONNECT, but epoll would keep waking for it
                registration.removeInterest(SelectionKey.OP_CONNECT);
            }
            return new AsyncSocket(channel, registration);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Wraps a connection that {@link AsyncServerSocket#accept()} took. */
    static AsyncSocket accepted(SocketChannel channel) throws IOException {
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return new AsyncSocket(channel, new Registration(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        outbound.write(data, writeDeadline());
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
        if (!outbound.hasRoomFor(ByteBufUtil.utf8Bytes(text))) {
            return false;
        }
        outbound.enqueue(ByteBufUtil.writeUtf8(Inbound.ALLOCATOR, text));
        return true;
    }

    /** Writes the queue out now, then parks until every byte written so far has been handed to the kernel. */
    public void flush() throws IOException {
        requireLoopThread();
        outbound.waitUntilPendingAtMost(0, writeDeadline(), "flush");
    }

    /** Parks until the bytes queued are at or under the low-water mark. */
    public void drain() throws IOException {
        requireLoopThread();
        outbound.waitUntilPendingAtMost(outbound.lowWater(), writeDeadline(), "drain");
    }

    /** Bytes written but not yet handed to the kernel. */
    public long pendingWriteBytes() {
        requireLoopThread();
        return outbound.pendingBytes();
    }

    /** Sets the write queue's marks, in bytes (defaults: 64 KiB and 256 KiB). */
    public void setWriteBufferWaterMarks(int low, int high) {
        requireLoopThread();
        outbound.setWaterMarks(low, high);
    }

    /** Flushes, then shuts the output down: the peer reads end-of-stream; this side may still read. */
    public void shutdownOutput() throws IOException {
        requireLoopThread();
        outbound.shutdownOutput(writeDeadline());
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
        return readTimeoutNanos <= 0 ? Registration.NO_DEADLINE : registration.loop().now() + readTimeoutNanos;
    }

    private long writeDeadline() {
        return writeTimeoutNanos <= 0 ? Registration.NO_DEADLINE : registration.loop().now() + writeTimeoutNanos;
    }

    /** Any thread: fixed when the socket was made. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Any thread: fixed when the socket was made. */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    public boolean isOpen() {
        requireLoopThread();
        return registration.isOpen();
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
        if (registration.isOpen()) {
            outbound.writeBeforeClose();
            registration.close(reason);
            inbound.release();
            outbound.releaseAll();
        }
    }

    /** Refuses, before any change, a call from another thread while the loop runs. */
    private void requireLoopThread() {
        LoopThread.require(registration.loop(), this);
    }

    /** The server began shutting down: read-side waits end with a {@link ServerShuttingDownException}. */
    void endReadWaits(String reason) {
        registration.endReadWaits(reason);
    }

    /** When the last byte arrived, on the loop's clock. */
    long lastReadAt() {
        return inbound.lastReadAt();
    }

    Loop loop() {
        return registration.loop();
    }

    Registration registration() {
        return registration;
    }

    /** How many write system calls this socket has made; a diagnostic for the batching's tests. */
    long writeCalls() {
        return outbound.writeCalls();
    }

    /** Any thread (from another one, the "closed" part may be a moment late): for logs and dumps. */
    @Override
    public String toString() {
        SocketAddress peer = remote;
        return "AsyncSocket[" + local + " <-> " + peer + (registration.isOpen() ? "" : ", closed") + "]";
    }
}
