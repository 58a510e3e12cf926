package boucle.net;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * The writing half of an {@link AsyncSocket}: bytes go straight to the channel when nothing is
 * queued (no copy, no {@code OP_WRITE}); what the kernel does not take is queued, and the loop
 * writes the queue out whenever the selector says the channel is writable, while the task that
 * wrote goes on with its work.
 *
 * <h2>Backpressure</h2>
 * A writer that brings the queue past the high-water mark parks until the loop has drained it
 * down to the low-water mark. So a peer that does not read costs at most about the high-water
 * mark of memory, and the writer slows to the peer's pace.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code pendingBytes} is the sum of the readable bytes of {@code queue}.</li>
 *   <li>{@code OP_WRITE} is in the interest set exactly while the queue is not empty, or while a
 *       task waits to write (a connecting socket).</li>
 *   <li>Every buffer in the queue is owned here, released once written, or on close or failure.</li>
 *   <li>Once a write fails (peer reset), the failure is kept: the queue is dropped and every later
 *       write or flush throws it.</li>
 * </ul>
 * Loop-thread only.
 */
final class Outbound {
    static final int DEFAULT_LOW_WATER = 64 * 1024;
    static final int DEFAULT_HIGH_WATER = 256 * 1024;

    private final SocketChannel channel;
    private final Registration registration;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4);
    private long pendingBytes;
    private int lowWater = DEFAULT_LOW_WATER;
    private int highWater = DEFAULT_HIGH_WATER;
    private IOException failure;
    private boolean outputShut;

    Outbound(SocketChannel channel, Registration registration) {
        this.channel = channel;
        this.registration = registration;
        registration.onWritable(this::flushFromLoop);
    }

    void setWaterMarks(int low, int high) {
        if (low < 0 || high < low || high == 0) {
            throw new IllegalArgumentException("need 0 <= low <= high and high > 0, got low " + low + ", high " + high);
        }
        lowWater = low;
        highWater = high;
    }

    /** Takes ownership of {@code data}; parks past the high-water mark until drained to the low one. */
    void write(ByteBuf data, long deadline) throws IOException {
        enqueue(data);
        if (pendingBytes > highWater) {
            waitUntilPendingAtMost(lowWater, deadline, "write (the peer is not reading fast enough)");
        }
    }

    /** Whether {@code bytes} more would stay within the high-water mark, so a write would not park. */
    boolean hasRoomFor(int bytes) {
        return pendingBytes + bytes <= highWater;
    }

    /** Writes what the channel takes now and queues the rest; never parks. Takes ownership of {@code data}. */
    void enqueue(ByteBuf data) throws IOException {
        try {
            requireWritable();
            if (queue.isEmpty()) {
                data.readBytes(channel, data.readableBytes());
                if (!data.isReadable()) {
                    return; // all taken by the kernel: the common case, and the fast one
                }
                registration.addInterest(SelectionKey.OP_WRITE);
            }
            pendingBytes += data.readableBytes();
            queue.addLast(data);
            data = null;
        } finally {
            if (data != null) {
                data.release();
            }
        }
    }

    /** Parks until at most {@code limit} bytes are queued; rethrows a failure of the loop's writes. */
    void waitUntilPendingAtMost(long limit, long deadline, String what) throws IOException {
        while (pendingBytes > limit) {
            registration.await(SelectionKey.OP_WRITE, deadline, what);
            rethrowFailure();
        }
        rethrowFailure();
    }

    int lowWater() {
        return lowWater;
    }

    boolean hasPending() {
        return pendingBytes > 0 || !queue.isEmpty();
    }

    long pendingBytes() {
        return pendingBytes;
    }

    /** Called by the loop when the channel is writable: writes the queue out as far as it goes. */
    void flushFromLoop() {
        try {
            writeQueue();
        } catch (IOException e) {
            failure = e;
            releaseAll();
        }
        if (queue.isEmpty()) {
            registration.removeInterest(SelectionKey.OP_WRITE);
        }
        registration.wakeWriter();
    }

    private void writeQueue() throws IOException {
        for (ByteBuf head; (head = queue.peekFirst()) != null; ) {
            pendingBytes -= head.readBytes(channel, head.readableBytes());
            if (head.isReadable()) {
                return; // the kernel's buffer is full again: wait for the next OP_WRITE
            }
            queue.pollFirst().release();
        }
    }

    /** Flushes, then ends the output: the peer reads end-of-stream, and this side can still read. */
    void shutdownOutput(long deadline) throws IOException {
        if (outputShut) {
            return;
        }
        waitUntilPendingAtMost(0, deadline, "flush before shutting the output down");
        outputShut = true;
        channel.shutdownOutput();
    }

    private void requireWritable() throws IOException {
        registration.requireOpen();
        rethrowFailure();
        if (outputShut) {
            throw new SocketClosedException("the output was shut down (shutdownOutput), nothing more can be written");
        }
    }

    private void rethrowFailure() throws IOException {
        if (failure != null) {
            throw new IOException("an earlier write failed: " + failure.getMessage(), failure);
        }
    }

    /** Drops what is queued; called on close and on failure. */
    void releaseAll() {
        for (ByteBuf buffer; (buffer = queue.pollFirst()) != null; ) {
            buffer.release();
        }
        pendingBytes = 0;
    }
}
