package boucle.net;

import boucle.core.StepBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A connected socket channel, TCP or Unix, as a {@link ByteStream}: the bottom of every
 * {@link AsyncSocket}. Bytes come from the channel into pooled direct buffers sized to the traffic
 * ({@link ReadSizer}); bytes go out through {@link Outbound} and its backpressure.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A buffer is allocated only once readiness says data is there, and released if the read
 *       finds none: an idle connection holds no buffer.</li>
 *   <li>{@code mayHaveMore} is false after a read that did not fill its buffer: the socket is then
 *       most likely drained, so the next read waits for readiness first instead of paying a
 *       {@code read} syscall that returns 0 (Netty stops reading on such a read too).</li>
 *   <li>A read made without waiting first costs a unit of the loop's {@link StepBudget}: a socket
 *       that always has data yields now and then instead of holding the loop.</li>
 *   <li>Before each read system call (and so before a read parks), the socket's queued output is
 *       written ("write now, flush once"): the peer can answer meanwhile, and a reply leaves before
 *       its writer waits for the next request. A read served from bytes already buffered above
 *       makes no system call, so the replies to a pipelined burst still leave together.</li>
 * </ul>
 * Loop-thread only.
 */
final class SocketStream implements SocketTransport, Registration.Attempt<ByteBuf> {
    /** What {@link #readOnce} returns at the end of the stream: not {@code null}, which means "would block". */
    private static final ByteBuf END = Unpooled.EMPTY_BUFFER;

    private final SocketChannel channel;
    private final Registration registration;
    private final Outbound outbound;
    /** The {@link ReadSizer} state: an int, not an object (every connection has one). */
    private int sizing = ReadSizer.START;
    private boolean endOfStream;
    private boolean mayHaveMore = true;
    private long lastReadAt;

    SocketStream(SocketChannel channel, Registration registration) {
        this.channel = channel;
        this.registration = registration;
        this.outbound = new Outbound(channel, registration);
        this.lastReadAt = registration.loop().now();
    }

    Registration registration() {
        return registration;
    }

    @Override
    public boucle.core.Loop loop() {
        return registration.loop();
    }

    @Override
    public NetSource source() {
        return registration.source();
    }

    @Override
    public void endReadWaits(String reason) {
        registration.endReadWaits(reason);
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * The read loop, written out rather than through {@code Registration.untilReady} and a helper:
     * an idle connection parks here, and every frame between the handler and the park stays in
     * its continuation's stack chunk for as long as it waits. When the socket is most likely
     * drained, the queued output is flushed and readiness awaited before the first attempt.
     */
    @Override
    public ByteBuf receiveSome(long deadline) throws IOException {
        registration.requireOpen();
        if (endOfStream) {
            return null;
        }
        boolean wait = !mayHaveMore;
        if (wait) {
            outbound.flushBeforeReading(); // before the wait too: the reply leaves before its writer parks
        }
        for (;;) {
            if (wait) {
                registration.await(SelectionKey.OP_READ, deadline, "read");
            }
            ByteBuf bytes = tryOnce();
            if (bytes != null) {
                return bytes == END ? null : bytes;
            }
            wait = true;
        }
    }

    /**
     * Before a read: when the socket is most likely drained, flushes the queued output and waits
     * for readiness first; {@code false} at the end of the stream.
     */
    private boolean readyToRead(long deadline) throws IOException {
        registration.requireOpen();
        if (endOfStream) {
            return false;
        }
        if (!mayHaveMore) {
            outbound.flushBeforeReading(); // before the wait too: the reply leaves before its writer parks
            registration.await(SelectionKey.OP_READ, deadline, "read");
        }
        return true;
    }

    /**
     * Before each read system call: what this socket's task wrote goes out first (a 64 KiB echo
     * would otherwise find the socket drained and park once per message), and the read costs a unit
     * of the step's budget: past it, the task yields first (the first read after a wait is the first
     * unit of a new step, and never yields).
     */
    private void spendOnRead() throws IOException {
        outbound.flushBeforeReading();
        registration.source().budget().spend(); // looked up, not a field: an idle connection stays light
        registration.requireOpen(); // a yield let other tasks run: one may have closed the socket
    }

    /** One non-blocking read into a new buffer: the bytes, {@link #END}, or {@code null} (would block). */
    @Override
    public ByteBuf tryOnce() throws IOException {
        spendOnRead();
        int size = ReadSizer.nextSize(sizing);
        ByteBuf buffer = Inbound.ALLOCATOR.directBuffer(size);
        try {
            int n = buffer.writeBytes(channel, size);
            if (recorded(n, size) > 0) {
                ByteBuf handedOut = buffer;
                buffer = null;
                return handedOut;
            }
            return n < 0 ? END : null;
        } finally {
            if (buffer != null) {
                buffer.release();
            }
        }
    }

    @Override
    public int receiveInto(ByteBuf target, long deadline) throws IOException {
        int room = target.writableBytes();
        if (!readyToRead(deadline)) {
            return -1;
        }
        Integer n = registration.untilReady(SelectionKey.OP_READ, deadline, "read", () -> {
            spendOnRead();
            int got = recorded(target.writeBytes(channel, room), room);
            return got == 0 ? null : got;
        });
        return n;
    }

    /**
     * Notes what a read of at most {@code max} bytes returned, and returns it. A read that found
     * nothing is followed by a wait; the queued output went out just before that read.
     */
    private int recorded(int n, int max) {
        if (n < 0) {
            endOfStream = true;
        } else if (n == 0) {
            mayHaveMore = false;
        } else {
            sizing = ReadSizer.record(sizing, n);
            mayHaveMore = n == max;
            lastReadAt = registration.loop().now();
        }
        return n;
    }

    @Override
    public long lastReadAt() {
        return lastReadAt;
    }

    // ---- writing -----------------------------------------------------------------------------

    @Override
    public void send(ByteBuf data, long deadline) throws IOException {
        outbound.write(data, deadline);
    }

    @Override
    public void sendNow(ByteBuf data) throws IOException {
        outbound.enqueue(data);
    }

    @Override
    public boolean hasRoomFor(int bytes) {
        return outbound.hasRoomFor(bytes);
    }

    @Override
    public void awaitQueuedAtMost(long limit, long deadline, String what) throws IOException {
        outbound.waitUntilPendingAtMost(limit, deadline, what);
    }

    @Override
    public long queuedBytes() {
        return outbound.pendingBytes();
    }

    @Override
    public void setWaterMarks(int low, int high) {
        outbound.setWaterMarks(low, high);
    }

    @Override
    public int lowWaterMark() {
        return outbound.lowWater();
    }

    @Override
    public void sendEof(long deadline) throws IOException {
        outbound.shutdownOutput(deadline);
    }

    // ---- closing -----------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return registration.isOpen();
    }

    @Override
    public void close(String reason) {
        if (registration.isOpen()) {
            outbound.writeBeforeClose(); // what the kernel takes without waiting still goes out
            registration.close(reason);
            outbound.releaseAll();
        }
    }

    /** How many write system calls this socket has made; a diagnostic for the batching's tests. */
    @Override
    public long writeCalls() {
        return outbound.writeCalls();
    }

    @Override
    public String toString() {
        return "socket " + channel;
    }
}
