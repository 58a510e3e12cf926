package boucle.net;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The writing half of an {@link AsyncSocket}: write now, flush once. A write only queues its
 * buffer; what is queued goes to the kernel in one gathering write ({@code writev}) at a flush
 * point, so a task that writes many times in one step, or many tasks that write to one socket in
 * one turn, cost one system call, not one per write (Netty's {@code write}/{@code flush}).
 *
 * <h2>Flush points</h2>
 * <ol>
 *   <li>The end of the turn: the first write into an empty queue puts this on the
 *       {@link SelectorEventSource}'s list, which writes every listed queue out at the start of
 *       its next poll, before {@code select}; so the bytes leave before the loop waits, and a
 *       lone ping-pong is as fast as a write straight to the socket.</li>
 *   <li>A read of this socket is about to make a system call ({@link #flushBeforeReading()}): a
 *       request's reply leaves before its handler reads (or waits for) the next request. Lines
 *       served from bytes already buffered make no system call, so the replies to a pipelined
 *       burst still leave together.</li>
 *   <li>{@link AsyncSocket#flush()}, {@link AsyncSocket#drain()}, {@link #shutdownOutput}, and a
 *       write that brings the queue past the high-water mark: those write at once, then park if
 *       the kernel did not take enough.</li>
 *   <li>Close: what the kernel takes at once goes out, the rest is dropped.</li>
 * </ol>
 * What the kernel does not take stays queued with {@code OP_WRITE} set, and the loop writes it
 * out whenever the selector says the channel is writable ({@link #flushFromLoop()}).
 *
 * <h2>Backpressure</h2>
 * A writer that brings the queue past the high-water mark parks until the loop has drained it
 * down to the low-water mark. So a peer that does not read costs at most about the high-water
 * mark of memory, and the writer slows to the peer's pace.
 *
 * <h2>States</h2>
 * <pre>
 *  idle (queue empty) --write--&gt; queued (on the turn-end list) --flush, all taken--&gt; idle
 *                                   |  flush, kernel full
 *                                   v
 *                     awaiting writable (OP_WRITE set) --writable, all taken--&gt; idle
 * </pre>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code pendingBytes} is the sum of the readable bytes of the queue ({@code head}, then
 *       {@code rest}); {@code head} is {@code null} only when the whole queue is empty.</li>
 *   <li>{@code OP_WRITE} is in the interest set exactly while {@code awaitingWritable}: the kernel
 *       refused part of the queue (or a task waits to write, for a connecting socket).</li>
 *   <li>Every buffer in the queue is owned here, released once written, or on close or failure.</li>
 *   <li>Once a write fails (peer reset), the failure is kept: the queue is dropped and every later
 *       write or flush throws it.</li>
 * </ul>
 * Loop-thread only.
 */
final class Outbound implements Registration.WritableListener, Runnable {
    static final int DEFAULT_LOW_WATER = 64 * 1024;
    static final int DEFAULT_HIGH_WATER = 256 * 1024;

    private final SocketChannel channel;
    private final Registration registration;
    private final NetSource source;
    /**
     * The queue is {@code head} then {@code rest}: the first buffer in a field, the others in a
     * deque made when a second one is queued. A request-reply connection (an echo) never queues
     * two, so it never makes the deque: an idle connection carries no queue object.
     */
    private ByteBuf head;
    /** The buffers queued after {@code head}; {@code null} until two were queued at once, then kept. */
    private ArrayDeque<ByteBuf> rest;
    private long pendingBytes;
    private int lowWater = DEFAULT_LOW_WATER;
    private int highWater = DEFAULT_HIGH_WATER;
    private IOException failure;
    private boolean outputShut;
    /** On the source's list of queues to write out when the turn ends. */
    private boolean flushListed;
    /** The kernel refused part of the queue: {@code OP_WRITE} is set and the loop writes the rest. */
    private boolean awaitingWritable;
    /** Write system calls made for this socket: a diagnostic for the batching's tests. */
    private long writeCalls;

    Outbound(SocketChannel channel, Registration registration) {
        this.channel = channel;
        this.registration = registration;
        this.source = registration.source();
        registration.onWritable(this); // no lambda: an idle connection carries no extra object
    }

    void setWaterMarks(int low, int high) {
        if (low < 0 || high < low || high == 0) {
            throw new IllegalArgumentException("need 0 <= low <= high and high > 0, got low " + low + ", high " + high);
        }
        lowWater = low;
        highWater = high;
    }

    /**
     * Takes ownership of {@code data} and queues it. Past the high-water mark, writes the queue
     * out at once and, if the kernel did not take enough, parks until it is drained to the low mark.
     */
    void write(ByteBuf data, long deadline) throws IOException {
        enqueue(data);
        if (pendingBytes > highWater) {
            if (!awaitingWritable) { // else the kernel is full: the loop writes on OP_WRITE
                source.budget().spend(); // a system call made without waiting: part of the step's work
                writeNow();
            }
            if (pendingBytes > highWater) {
                waitUntilPendingAtMost(lowWater, deadline, "write (the peer is not reading fast enough)");
            }
        }
    }

    /** Whether {@code bytes} more would stay within the high-water mark, so a write would not park. */
    boolean hasRoomFor(int bytes) {
        return pendingBytes + bytes <= highWater;
    }

    /** Queues {@code data} for the next flush point; never parks, never writes. Takes ownership of {@code data}. */
    void enqueue(ByteBuf data) throws IOException {
        try {
            requireWritable();
            if (!data.isReadable()) {
                return; // released below: nothing to send
            }
            pendingBytes += data.readableBytes();
            append(data);
            data = null;
            if (!flushListed && !awaitingWritable) {
                flushListed = true;
                source.flushAtTurnEnd(this);
            }
        } finally {
            if (data != null) {
                data.release();
            }
        }
    }

    /** Writes the queue out now: a read of this socket is about to make a system call; keeps a failure for later. */
    void flushBeforeReading() {
        if (!awaitingWritable && head != null && registration.isOpen()) {
            writeKeepingFailure();
        }
    }

    /** Called by the source when the turn ends: the same, for every socket written to during the turn. */
    void flushAtTurnEnd() {
        flushListed = false;
        flushBeforeReading();
    }

    /** Called by the loop when the channel is writable: writes the queue out as far as it goes. */
    @Override
    public void channelWritable() {
        flushFromLoop();
    }

    /** The turn-end flush ({@link SelectorEventSource#flushAtTurnEnd}). */
    @Override
    public void run() {
        flushAtTurnEnd();
    }

    void flushFromLoop() {
        writeKeepingFailure();
        registration.wakeWriter();
    }

    /** Parks until at most {@code limit} bytes are queued, writing first; rethrows a failure of the loop's writes. */
    void waitUntilPendingAtMost(long limit, long deadline, String what) throws IOException {
        rethrowFailure();
        if (pendingBytes > limit && !awaitingWritable) {
            writeNow();
        }
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
        return pendingBytes > 0 || head != null;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    long writeCalls() {
        return writeCalls;
    }

    /** Writes as much of the queue as the kernel takes; a failure is kept and thrown. */
    private void writeNow() throws IOException {
        writeKeepingFailure();
        rethrowFailure();
    }

    /** Writes as much of the queue as the kernel takes; a failure drops the queue and is kept for the writer. */
    private void writeKeepingFailure() {
        try {
            writeQueue();
        } catch (IOException e) {
            failure = e;
            releaseAll();
        }
        if (head == null) {
            if (awaitingWritable) {
                awaitingWritable = false;
                registration.removeInterest(SelectionKey.OP_WRITE);
            }
        } else if (!awaitingWritable) {
            awaitingWritable = true;
            registration.addInterest(SelectionKey.OP_WRITE);
        }
    }

    /** Gathering writes until the queue is empty or the kernel takes less than it was offered. */
    private void writeQueue() throws IOException {
        while (head != null) {
            boolean allTaken = rest == null || rest.isEmpty() || head.nioBufferCount() > SelectorEventSource.MAX_GATHER
                    ? writeHead() // alone, or in too many pieces to share a writev
                    : writeGathered();
            if (!allTaken) {
                return; // the kernel's buffer is full: wait for OP_WRITE
            }
        }
    }

    /** One write of the queue's first buffer; whether the kernel took all of it. */
    private boolean writeHead() throws IOException {
        int offered = head.readableBytes();
        long written = head.nioBufferCount() == 1 // consume() moves the index, not this write
                ? channel.write(head.internalNioBuffer(head.readerIndex(), offered)) // no ByteBuffer allocated
                : head.getBytes(head.readerIndex(), channel, offered);
        writeCalls++;
        consume(written);
        return written == offered;
    }

    /** One {@code writev} of as many queued buffers as it holds; whether the kernel took all of them. */
    private boolean writeGathered() throws IOException {
        ByteBuffer[] gather = source.gatherBuffers();
        int count = 0;
        long offered = 0;
        Iterator<ByteBuf> more = rest.iterator(); // a gathering write is made only with two or more queued
        for (ByteBuf buffer = head; buffer != null; buffer = more.hasNext() ? more.next() : null) {
            int parts = buffer.nioBufferCount();
            if (count + parts > gather.length) {
                break;
            }
            if (parts == 1) {
                gather[count++] = buffer.internalNioBuffer(buffer.readerIndex(), buffer.readableBytes());
            } else {
                for (ByteBuffer part : buffer.nioBuffers()) {
                    gather[count++] = part;
                }
            }
            offered += buffer.readableBytes();
        }
        try {
            long written = channel.write(gather, 0, count);
            writeCalls++;
            consume(written);
            return written == offered;
        } finally {
            Arrays.fill(gather, 0, count, null); // the shared array keeps no buffer alive
        }
    }

    /** Drops {@code written} bytes from the head of the queue, releasing the buffers fully written. */
    private void consume(long written) {
        pendingBytes -= written;
        while (written > 0) {
            int readable = head.readableBytes();
            if (written < readable) {
                head.skipBytes((int) written);
                return;
            }
            written -= readable;
            pollHead().release();
        }
    }

    /** Adds {@code data} at the end of the queue. */
    private void append(ByteBuf data) {
        if (head == null) {
            head = data;
        } else {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addLast(data);
        }
    }

    /** Takes the first buffer out of the queue; {@code null} if it is empty. */
    private ByteBuf pollHead() {
        ByteBuf taken = head;
        head = rest == null ? null : rest.pollFirst();
        return taken;
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

    /** Before a close: hands the kernel what it takes at once, without parking; the rest is dropped by {@link #releaseAll}. */
    void writeBeforeClose() {
        if (head != null && registration.isOpen()) {
            try {
                writeQueue();
            } catch (IOException e) {
                failure = e; // the close goes on: the bytes could not have been delivered anyway
            }
        }
    }

    /** Drops what is queued; called on close and on failure. */
    void releaseAll() {
        for (ByteBuf buffer; (buffer = pollHead()) != null; ) {
            buffer.release();
        }
        pendingBytes = 0;
    }
}
