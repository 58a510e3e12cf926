package boucle.net;

import boucle.core.Loop;
import boucle.net.uring.Errno;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * A connected TCP socket driven by the loop's io_uring ring, as a {@link ByteStream}: the bottom
 * of an {@link AsyncSocket} on an io_uring loop. Framing, timeouts, TLS and the server sit above
 * it unchanged.
 *
 * <ul>
 *   <li>Receiving ({@link UringReceiver}): one multishot receive on the loop's provided-buffer
 *       ring; the kernel takes a buffer only when bytes arrive, so an idle connection holds none.
 *       Reads served from arrivals already queued spend the loop's step budget.</li>
 *   <li>Sending ({@link UringSender}): writes queue; at the turn's end one send per socket leaves
 *       in the poll's one {@code io_uring_enter}; past the high-water mark a writer parks.</li>
 *   <li>{@link #sendEof}: flush, then {@code IORING_OP_SHUTDOWN}; {@link #close}: what the kernel
 *       takes at once goes out, the operations in flight are cancelled
 *       ({@code IORING_OP_ASYNC_CANCEL}; their buffers come back with their last completions), and
 *       the descriptor is closed through the ring ({@code IORING_OP_CLOSE}).</li>
 * </ul>
 * Loop-thread only.
 */
final class UringStream implements SocketTransport {
    private static final int SHUT_WR = 1;

    private final Loop loop;
    private final UringEventSource source;
    private final int fd;
    private final UringReceiver receiver;
    private final UringSender sender;
    /** What a {@link #receiveInto} could not take, handed out first by the next receive. */
    private ByteBuf leftover;
    private long lastReadAt;
    private boolean outputShut;
    private String closeReason;

    UringStream(Loop loop, UringEventSource source, int fd) {
        this.loop = loop;
        this.source = source;
        this.fd = fd;
        source.adopt(fd);
        this.receiver = new UringReceiver(source, fd);
        this.sender = new UringSender(source, fd);
        sender.setWaterMarks(Outbound.DEFAULT_LOW_WATER, Outbound.DEFAULT_HIGH_WATER);
        this.lastReadAt = loop.now();
    }

    @Override
    public Loop loop() {
        return loop;
    }

    @Override
    public NetSource source() {
        return source;
    }

    // ---- reading -----------------------------------------------------------------------------

    @Override
    public ByteBuf receiveSome(long deadline) throws IOException {
        requireOpen();
        if (leftover != null) { // work done without waiting: it spends the step's budget (may yield first)
            source.budget().spend();
            requireOpen();
            ByteBuf rest = leftover;
            leftover = null;
            return rest;
        }
        ByteBuf data = receiver.readSome(deadline);
        if (data != null) {
            lastReadAt = loop.now();
        }
        return data;
    }

    @Override
    public int receiveInto(ByteBuf target, long deadline) throws IOException {
        ByteBuf data = receiveSome(deadline);
        if (data == null) {
            return -1;
        }
        try {
            int n = Math.min(target.writableBytes(), data.readableBytes());
            target.writeBytes(data, n);
            if (data.isReadable()) {
                leftover = data;
                data = null;
            }
            return n;
        } finally {
            if (data != null) {
                data.release();
            }
        }
    }

    @Override
    public long lastReadAt() {
        return lastReadAt;
    }

    @Override
    public void endReadWaits(String reason) {
        receiver.endWaits(reason);
    }

    // ---- writing -----------------------------------------------------------------------------

    @Override
    public void send(ByteBuf data, long deadline) throws IOException {
        if (refusedAfterEof(data)) {
            return;
        }
        sender.write(data, deadline);
    }

    @Override
    public void sendNow(ByteBuf data) throws IOException {
        if (refusedAfterEof(data)) {
            return;
        }
        sender.enqueue(data);
    }

    /** Output shut down: the data is released and the call refused, as a channel refuses a write then. */
    private boolean refusedAfterEof(ByteBuf data) throws IOException {
        if (outputShut && closeReason == null) {
            data.release();
            throw new IOException("the output of this socket was shut down");
        }
        return false;
    }

    @Override
    public void awaitQueuedAtMost(long limit, long deadline, String what) throws IOException {
        sender.awaitQueuedAtMost(limit, deadline);
    }

    @Override
    public long queuedBytes() {
        return sender.queuedBytes();
    }

    @Override
    public boolean hasRoomFor(int bytes) {
        return sender.queuedBytes() + bytes <= sender.highWater();
    }

    @Override
    public void setWaterMarks(int low, int high) {
        sender.setWaterMarks(low, high);
    }

    @Override
    public int lowWaterMark() {
        return (int) sender.lowWater();
    }

    @Override
    public void sendEof(long deadline) throws IOException {
        requireOpen();
        if (outputShut) {
            return;
        }
        sender.awaitQueuedAtMost(0, deadline);
        outputShut = true;
        int result = UringEventSource.result(source.await((ring, userData) -> ring.shutdown(fd, SHUT_WR, userData),
                deadline, "shut the output down"));
        if (result < 0 && result != -107) { // ENOTCONN: the peer is gone already, and so is the output
            throw new IOException("shutdown failed: " + Errno.message(result));
        }
    }

    @Override
    public long writeCalls() {
        return sender.sends();
    }

    // ---- closing -----------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return closeReason == null;
    }

    private void requireOpen() throws SocketClosedException {
        if (closeReason != null) {
            throw new SocketClosedException(closeReason);
        }
    }

    @Override
    public void close(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        sender.close(reason); // what the kernel takes at once still goes out
        receiver.close(reason);
        if (leftover != null) {
            leftover.release();
            leftover = null;
        }
        source.closeDescriptor(fd);
    }

    @Override
    public String toString() {
        return "io_uring socket fd " + fd;
    }
}
