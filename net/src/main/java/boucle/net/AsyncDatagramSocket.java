package boucle.net;

import boucle.core.Loop;
import boucle.core.LoopBound;
import boucle.core.Task;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.Objects;

/**
 * A UDP socket for tasks: {@link #receive()} parks the calling task until a datagram arrives, and
 * {@link #send} parks while the kernel cannot take one more; the loop runs other tasks meanwhile.
 *
 * <pre>{@code
 * try (AsyncDatagramSocket socket = AsyncDatagramSocket.bind("127.0.0.1", 7000)) {
 *     for (;;) {                                     // a UDP echo server, in a task
 *         Datagram datagram = socket.receive();
 *         socket.send(datagram.content(), datagram.sender());  // send takes the buffer over
 *     }
 * }
 * }</pre>
 *
 * <h2>What UDP does not promise</h2>
 * A datagram may be lost, duplicated, or arrive after one sent later; nothing here resends or
 * reorders. A protocol on top that needs order or delivery numbers its datagrams and resends
 * what is not acknowledged: that is the caller's concern. On loopback, with a bounded number of
 * datagrams in flight (fewer than the receiver's kernel buffer holds), none is lost in practice.
 *
 * <h2>When a send parks</h2>
 * Only while the kernel says it has no room for the datagram in the socket's send buffer, which
 * happens when a real interface's queue is full. A slow receiver never makes a send park: UDP has
 * no flow control, so the datagrams its receive buffer has no room for are dropped at its end and
 * the sender is not told. Over loopback (Linux) a datagram leaves the send buffer as soon as it is
 * sent, so a send there never parks, however small {@code SO_SNDBUF} is.
 *
 * <h2>Datagram size and truncation</h2>
 * Each {@code receive} reads into a pooled direct buffer one byte larger than
 * {@link #setMaxDatagramSize the maximum datagram size} (default {@value #DEFAULT_MAX_DATAGRAM_SIZE},
 * the largest UDP payload over IPv4). The kernel cuts a longer datagram to the buffer and drops the
 * rest, so a read that fills the buffer to the last byte means the datagram was longer than the
 * maximum: the {@link Datagram} then holds its first {@code max} bytes and says
 * {@link Datagram#truncated()}. How long it really was is lost.
 *
 * <h2>Connected mode</h2>
 * {@link #connect(InetSocketAddress)} makes a socket that talks to one peer: {@link #send(ByteBuf)}
 * needs no address, {@code receive} only returns that peer's datagrams, and an ICMP "port
 * unreachable" sent back for an earlier datagram surfaces as a
 * {@link java.net.PortUnreachableException} from a later {@code receive} or {@code send}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Binding needs no loop; the socket joins the loop of the first task that sends or receives,
 *       and every later call must come from a task of that same loop.</li>
 *   <li>Threads: {@link #bind}, {@link #connect}, {@link #localAddress()}, {@link #remoteAddress()},
 *       {@link #maxDatagramSize()} and {@link #toString()} are safe from any thread. The rest is for
 *       the thread of the loop the socket joined: while that loop runs, a call from another thread
 *       is refused with an {@link IllegalStateException} before it changes anything.</li>
 *   <li>At most one task receives and one task sends at a time (a second one is an
 *       {@link IllegalStateException}).</li>
 *   <li>Timeouts ({@link #setReceiveTimeout}, {@link #setSendTimeout}) apply per call and end it
 *       with a {@link java.net.SocketTimeoutException}; the socket stays usable.</li>
 *   <li>{@link #close()} wakes a parked task, which then throws a {@link SocketClosedException}.</li>
 * </ul>
 */
public final class AsyncDatagramSocket implements AutoCloseable, LoopBound {
    /** The largest UDP payload over IPv4: 65,535 minus the IPv4 and UDP headers. */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 65_507;
    private static final int LARGEST_DATAGRAM = 65_535;

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final InetSocketAddress peer;
    private Registration registration;
    private String closeReason;
    private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
    private long receiveTimeoutNanos;
    private long sendTimeoutNanos;
    /** False once a receive found nothing: the next one waits for readiness before trying. */
    private boolean mayHaveMore = true;
    /** The system call of a send; tests put in one that says "no room" (see {@link SendCall}). */
    private SendCall sendCall = DatagramChannel::send;

    /**
     * One non-blocking send: the bytes sent, or 0 when the kernel has no room for the datagram.
     * On Linux a UDP socket's room is its send buffer, and over loopback a datagram leaves it as
     * soon as it is sent (the receiver drops what it has no room for), so 0 only comes from a real
     * interface whose queue is full: the tests make the kernel's "no room" with this seam.
     */
    @FunctionalInterface
    interface SendCall {
        int send(DatagramChannel channel, ByteBuffer source, SocketAddress target) throws IOException;
    }

    private AsyncDatagramSocket(DatagramChannel channel, InetSocketAddress peer) throws IOException {
        this.channel = channel;
        this.peer = peer;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /** A socket bound to {@code host:port}; port 0 picks a free port, which {@link #localAddress()} tells. */
    public static AsyncDatagramSocket bind(String host, int port) throws IOException {
        return bind(new InetSocketAddress(host, port));
    }

    /** A socket bound to {@code address}; callable from any thread, no loop needed yet. */
    public static AsyncDatagramSocket bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(address);
            return new AsyncDatagramSocket(channel, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A socket connected to {@code peer}, bound to an ephemeral port of the interface that routes
     * to it (see "Connected mode" above). UDP has no handshake: this never parks and the peer
     * learns of nothing until the first datagram.
     */
    public static AsyncDatagramSocket connect(InetSocketAddress peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        if (peer.isUnresolved()) {
            throw new java.net.UnknownHostException(peer.getHostString());
        }
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.connect(peer);
            return new AsyncDatagramSocket(channel, peer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    // ---- receiving ---------------------------------------------------------------------------

    /**
     * Parks until a datagram arrives and returns it; the caller owns its {@link Datagram#content()}.
     * Call from a task.
     *
     * @throws java.net.SocketTimeoutException if the receive timeout passed first
     * @throws java.net.PortUnreachableException in connected mode, if the peer had no socket for an
     *     earlier datagram
     */
    public Datagram receive() throws IOException {
        Registration joined = joinLoop();
        long deadline = deadline(receiveTimeoutNanos);
        String what = "receive a datagram on " + local;
        if (!mayHaveMore) {
            joined.await(SelectionKey.OP_READ, deadline, what);
        }
        return joined.untilReady(SelectionKey.OP_READ, deadline, what, this::receiveNow);
    }

    /** One non-blocking receive: a datagram, or {@code null} if none is queued in the kernel. */
    private Datagram receiveNow() throws IOException {
        int capacity = maxDatagramSize + 1; // one byte more than the max: filling it means "longer"
        ByteBuf buffer = Inbound.ALLOCATOR.directBuffer(capacity, capacity);
        try {
            ByteBuffer target = buffer.internalNioBuffer(0, capacity);
            int start = target.position();
            SocketAddress sender = channel.receive(target);
            mayHaveMore = sender != null;
            if (sender == null) {
                return null;
            }
            int length = target.position() - start;
            boolean truncated = length == capacity;
            buffer.writerIndex(truncated ? maxDatagramSize : length);
            Datagram datagram = new Datagram(fitted(buffer), (InetSocketAddress) sender, truncated);
            buffer = null; // handed over
            return datagram;
        } finally {
            if (buffer != null) {
                buffer.release();
            }
        }
    }

    /**
     * The bytes in a buffer of about their size: a 100-byte datagram should not pin a 64 KiB
     * pooled buffer for as long as its receiver keeps it. Takes ownership of {@code buffer}.
     */
    private static ByteBuf fitted(ByteBuf buffer) {
        int length = buffer.readableBytes();
        if (length >= buffer.capacity() / 2) {
            return buffer;
        }
        try {
            ByteBuf small = Inbound.ALLOCATOR.directBuffer(Math.max(length, 1));
            small.writeBytes(buffer);
            return small;
        } finally {
            buffer.release();
        }
    }

    // ---- sending -----------------------------------------------------------------------------

    /**
     * Sends {@code data} as one datagram to {@code target} and takes ownership of it (it is
     * released once sent, or if sending fails); parks while the kernel has no room for it. Call
     * from a task. An empty datagram is sent without waiting for room: the kernel's answer does not
     * tell "sent" from "no room" for it.
     *
     * @throws java.net.SocketTimeoutException if the send timeout passed first (nothing was sent)
     * @throws java.nio.channels.AlreadyConnectedException in connected mode, for another target
     * @throws IOException from the kernel, for example for a datagram larger than UDP allows
     */
    public void send(ByteBuf data, InetSocketAddress target) throws IOException {
        requireLoopThread(); // before taking the buffer over: a refused call changes nothing
        try {
            Objects.requireNonNull(target, "target");
            if (peer != null && !peer.equals(target)) {
                throw new java.nio.channels.AlreadyConnectedException();
            }
            Registration joined = joinLoop();
            long deadline = deadline(sendTimeoutNanos);
            int length = data.readableBytes();
            ByteBuffer source = data.internalNioBuffer(data.readerIndex(), length);
            joined.untilReady(SelectionKey.OP_WRITE, deadline, "send a datagram to " + target,
                    () -> sendCall.send(channel, source, target) > 0 || length == 0 ? Boolean.TRUE : null);
        } finally {
            data.release();
        }
    }

    /** Sends {@code bytes} as one datagram to {@code target}; see {@link #send(ByteBuf, InetSocketAddress)}. */
    public void send(byte[] bytes, InetSocketAddress target) throws IOException {
        requireLoopThread();
        send(copied(bytes), target);
    }

    /** In connected mode, sends {@code data} to the peer; see {@link #send(ByteBuf, InetSocketAddress)}. */
    public void send(ByteBuf data) throws IOException {
        requireLoopThread();
        if (peer == null) {
            data.release();
            throw new java.nio.channels.NotYetConnectedException();
        }
        send(data, peer);
    }

    /** In connected mode, sends {@code bytes} to the peer. */
    public void send(byte[] bytes) throws IOException {
        requireLoopThread();
        send(copied(bytes));
    }

    private static ByteBuf copied(byte[] bytes) {
        ByteBuf data = Inbound.ALLOCATOR.directBuffer(Math.max(bytes.length, 1));
        data.writeBytes(bytes);
        return data;
    }

    /** Replaces the send system call: the tests' way to make a kernel that has no room. Loop-thread only. */
    void setSendCall(SendCall call) {
        requireLoopThread();
        sendCall = Objects.requireNonNull(call, "call");
    }

    // ---- options, addresses, closing ---------------------------------------------------------

    /**
     * The longest datagram {@code receive} returns whole (default {@value #DEFAULT_MAX_DATAGRAM_SIZE});
     * a longer one is truncated to it and reported. Each receive holds a buffer of this size plus
     * one only while it reads. Loop-thread only once the socket is in use.
     */
    public void setMaxDatagramSize(int bytes) {
        requireLoopThread();
        if (bytes < 1 || bytes > LARGEST_DATAGRAM) {
            throw new IllegalArgumentException("a datagram size is from 1 to " + LARGEST_DATAGRAM + " bytes, not " + bytes);
        }
        maxDatagramSize = bytes;
    }

    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /** The longest a receive may park, or {@link Duration#ZERO} (the default) for no limit. */
    public void setReceiveTimeout(Duration timeout) {
        requireLoopThread();
        receiveTimeoutNanos = timeout.toNanos();
    }

    /** The longest a send may park, or {@link Duration#ZERO} (the default) for no limit. */
    public void setSendTimeout(Duration timeout) {
        requireLoopThread();
        sendTimeoutNanos = timeout.toNanos();
    }

    /**
     * Sets a socket option of the channel, for example {@code StandardSocketOptions.SO_RCVBUF} (the
     * kernel's receive queue: datagrams that arrive while it is full are dropped) or
     * {@code SO_BROADCAST}.
     */
    public <T> AsyncDatagramSocket setOption(SocketOption<T> option, T value) throws IOException {
        requireLoopThread();
        channel.setOption(option, value);
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        requireLoopThread();
        return channel.getOption(option);
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /** The peer of a connected socket, else {@code null}. */
    public InetSocketAddress remoteAddress() {
        return peer;
    }

    public boolean isOpen() {
        requireLoopThread();
        return closeReason == null;
    }

    /** Closes the socket; a task parked on it wakes with a {@link SocketClosedException}. Idempotent. */
    @Override
    public void close() {
        close("closed by this side");
    }

    /** Closes like {@link #close()}, with the reason parked tasks and later calls read. */
    public void close(String reason) {
        requireLoopThread();
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        if (registration != null) {
            registration.close(reason);
        } else {
            try {
                channel.close();
            } catch (IOException ignored) {
                // never used by a loop, nobody waits: there is no one to tell
            }
        }
    }

    /** Refuses, before any change, a call from another thread while the loop the socket joined runs. */
    private void requireLoopThread() {
        if (registration != null) {
            registration.loop().requireThisThread(this);
        }
    }

    /** The registration with the current task's loop: made on first use, then the same loop only. */
    private Registration joinLoop() throws IOException {
        requireLoopThread();
        Task.current(); // a clear error outside a task, before anything changes
        if (closeReason != null) {
            throw new SocketClosedException(closeReason);
        }
        if (registration == null) {
            registration = new Registration(channel);
        } else if (registration.loop() != Loop.current()) {
            throw new IllegalStateException("this datagram socket belongs to " + registration.loop()
                    + ", but a task of " + Loop.current() + " used it: a socket stays on one loop");
        }
        return registration;
    }

    private long deadline(long timeoutNanos) {
        return timeoutNanos <= 0 ? Registration.NO_DEADLINE : registration.loop().now() + timeoutNanos;
    }

    @Override
    public String toString() {
        return "AsyncDatagramSocket[" + local + (peer != null ? " -> " + peer : "") + (closeReason == null ? "" : ", closed") + "]";
    }
}
