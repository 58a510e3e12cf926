package boucle.net;

import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.Errno;
import boucle.net.uring.MessageHeader;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;

/**
 * One socket's sending side on io_uring: write now, send once per turn.
 *
 * <h2>Flow</h2>
 * {@link #write} only queues (taking the buffer over) and lists this sender with the loop's source;
 * when the turn ends the source calls {@link #flushAtTurnEnd()}, which prepares one send of what is
 * queued: an {@code IORING_OP_SEND} of a lone buffer, or an {@code IORING_OP_SENDMSG} gathering up
 * to {@value #MAX_GATHER} buffers and {@value #MAX_SEND} bytes with no copy, as NIO's gathering
 * write does. Every socket's send of the turn leaves in the poll's one {@code io_uring_enter}. One
 * send is in flight per socket at a time, so bytes leave in order; a short send puts what it did
 * not send back at the queue's head, to go first next.
 *
 * <h2>Backpressure</h2>
 * A writer that finds more than the high-water mark queued parks until the completions bring it to
 * the low-water mark, as {@link Outbound} does.
 *
 * <p>Loop-thread only; one writer at a time.
 */
final class UringSender implements Runnable {
    /**
     * The most bytes one gathering send lists. Fewer, larger sends are what large transfers need:
     * at 1 MiB echoed, sends of one 64 KiB buffer each did 0.84-0.91x Netty io_uring's messages
     * per second, sends of what was queued 0.95-1.0x.
     */
    static final int MAX_SEND = 1024 * 1024;
    /** The most buffers one gathering send lists. */
    static final int MAX_GATHER = 64;
    /** A peer gone away is an error result, not a SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;

    private final UringEventSource source;
    private final int fd;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4); // small: an idle connection keeps it
    private long queuedBytes;
    private long lowWater = 32 * 1024;
    private long highWater = 64 * 1024;
    /** The lone buffer being sent, its bytes from readerIndex on; the kernel reads it until the completion. */
    private ByteBuf inFlight;
    /** The buffers a gathering send is sending, sized to them: none between sends, so an idle connection holds no array. */
    private ByteBuf[] gathered;
    /** The gathering send's msghdr and iovecs, read by the kernel until the completion. */
    private ByteBuf messageHeader;
    private long inFlightUserData;
    private boolean listed;
    private int error;
    private Task<?> writer;
    private boolean closed;
    private String closeReason = "the socket is closed";
    /** Sends submitted: a diagnostic for tests of flush-once. */
    private long sends;

    UringSender(UringEventSource source, int fd) {
        this.source = source;
        this.fd = fd;
    }

    void setWaterMarks(long low, long high) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("water marks " + low + " / " + high);
        }
        lowWater = low;
        highWater = high;
    }

    /**
     * Queues {@code data} (taken over) to be sent when the turn ends; parks first while more than
     * the high-water mark is queued.
     */
    void write(ByteBuf data, long deadline) throws IOException {
        enqueue(data);
        if (queuedBytes > highWater) {
            awaitQueuedAtMost(lowWater, deadline);
        }
    }

    /** Queues {@code data} (taken over, whatever happens) to be sent when the turn ends; never parks. */
    void enqueue(ByteBuf data) throws IOException {
        try {
            requireUsable();
        } catch (IOException | RuntimeException e) {
            data.release();
            throw e;
        }
        if (!data.hasMemoryAddress()) { // a heap or composite buffer: the kernel reads from native memory
            ByteBuf direct = Net.allocator().directBuffer(data.readableBytes());
            try {
                direct.writeBytes(data);
            } finally {
                data.release();
            }
            data = direct;
        }
        queue.add(data);
        queuedBytes += data.readableBytes();
        if (!listed && inFlightUserData == 0) {
            listed = true;
            source.flushAtTurnEnd(this); // no lambda: an idle connection carries no extra object
        }
    }

    long lowWater() {
        return lowWater;
    }

    long highWater() {
        return highWater;
    }

    /** Parks until at most {@code limit} bytes are queued or in flight. */
    void awaitQueuedAtMost(long limit, long deadline) throws IOException {
        while (queuedBytes > limit) {
            requireUsable();
            Task<?> me = Task.current();
            if (writer != null) {
                throw new IllegalStateException("task '" + me.name() + "' wants to write, but task '"
                        + writer.name() + "' already waits to write: one task per direction per socket");
            }
            Handle timer = deadline == Registration.NO_DEADLINE ? null : Loop.current().callAt(deadline, me::wake);
            writer = me;
            source.taskParked();
            try {
                me.park(this);
            } finally {
                source.taskUnparked();
                writer = null;
                if (timer != null) {
                    timer.cancel();
                }
            }
            if (timer != null && timer.hasRun() && queuedBytes > limit) {
                throw new SocketTimeoutException("timed out waiting to write");
            }
        }
        requireUsable();
    }

    /** Bytes queued or in flight. */
    long queuedBytes() {
        return queuedBytes;
    }

    long sends() {
        return sends;
    }

    /** The turn-end flush ({@link UringEventSource#flushAtTurnEnd}). */
    @Override
    public void run() {
        flushAtTurnEnd();
    }

    /** Called by the source when the turn ends: one send of what is queued. */
    void flushAtTurnEnd() {
        listed = false;
        if (inFlightUserData == 0 && !closed && error == 0) {
            sendNext();
        }
    }

    /**
     * Sends what is queued from its head: one buffer with a send, or up to {@link #MAX_GATHER}
     * buffers and {@link #MAX_SEND} bytes with one gathering send, with no copy. The buffers stay
     * the kernel's to read until the completion.
     */
    private void sendNext() {
        if (queue.isEmpty()) {
            return;
        }
        source.outputStarted(); // ended when the send's completion has come
        ByteBuf first = queue.poll();
        if (queue.isEmpty() || first.readableBytes() >= MAX_SEND) {
            inFlight = first;
            long address = first.memoryAddress() + first.readerIndex();
            int length = first.readableBytes();
            inFlightUserData = source.start((ring, userData) -> ring.send(fd, address, length, MSG_NOSIGNAL, userData),
                    this::complete);
        } else {
            gather(first);
        }
        sends++;
    }

    private void gather(ByteBuf first) {
        int count = 1;
        long bytes = first.readableBytes();
        for (ByteBuf next : queue) {
            if (count == MAX_GATHER || bytes + next.readableBytes() > MAX_SEND) {
                break;
            }
            bytes += next.readableBytes();
            count++;
        }
        gathered = new ByteBuf[count];
        gathered[0] = first;
        for (int i = 1; i < count; i++) {
            gathered[i] = queue.poll();
        }
        messageHeader = Net.allocator().directBuffer(MessageHeader.size(count));
        long header = messageHeader.memoryAddress();
        MessageHeader.write(header, count);
        for (int i = 0; i < count; i++) {
            ByteBuf buffer = gathered[i];
            MessageHeader.setBuffer(header, i, buffer.memoryAddress() + buffer.readerIndex(), buffer.readableBytes());
        }
        inFlightUserData = source.start((ring, userData) -> ring.sendGathered(fd, header, MSG_NOSIGNAL, userData),
                this::complete);
    }

    /** The send's completion, during the loop's poll. */
    private void complete(int result, int flags) {
        inFlightUserData = 0;
        if (result > 0) {
            queuedBytes -= result;
        }
        if (closed || result < 0) {
            if (result < 0 && result != -Errno.ECANCELED && !closed) {
                error = result;
            }
            releaseInFlight();
            releaseQueue();
        } else {
            putBackUnsent(result); // a short send: the rest goes first next
        }
        source.outputEnded();
        if (!closed && error == 0) {
            sendNext();
        }
        if (writer != null && (queuedBytes <= lowWater || error != 0 || closed)) {
            writer.wake();
        }
    }

    /** After a send of {@code sent} bytes: the buffers sent are released, the rest goes back to the queue's head, in order. */
    private void putBackUnsent(int sent) {
        if (inFlight != null) {
            inFlight.skipBytes(sent);
            if (inFlight.isReadable()) {
                queue.addFirst(inFlight);
            } else {
                inFlight.release();
            }
            inFlight = null;
            return;
        }
        messageHeader.release();
        messageHeader = null;
        int unsentFrom = gathered.length;
        long left = sent;
        for (int i = 0; i < gathered.length; i++) {
            ByteBuf buffer = gathered[i];
            int length = buffer.readableBytes();
            if (left >= length) {
                left -= length;
                buffer.release();
            } else {
                buffer.skipBytes((int) left);
                unsentFrom = i;
                break;
            }
        }
        for (int i = gathered.length - 1; i >= unsentFrom; i--) {
            queue.addFirst(gathered[i]);
        }
        gathered = null;
    }

    private void releaseInFlight() {
        if (inFlight != null) {
            inFlight.release();
            inFlight = null;
        }
        if (messageHeader != null) {
            messageHeader.release();
            messageHeader = null;
        }
        if (gathered != null) {
            for (ByteBuf buffer : gathered) {
                buffer.release();
            }
            gathered = null;
        }
    }

    private void sendWhatTheKernelTakes() {
        while (!queue.isEmpty()) {
            ByteBuf head = queue.peek();
            int length = head.readableBytes();
            long sent = length == 0 ? 0 : boucle.net.uring.NativeSockets.sendNow(fd, head.memoryAddress() + head.readerIndex(), length);
            if (sent < length) {
                return; // the kernel is full (or the peer gone): the rest is dropped with the queue
            }
            queue.poll().release();
            queuedBytes -= length;
        }
    }

    private void releaseQueue() {
        while (!queue.isEmpty()) {
            ByteBuf data = queue.poll();
            queuedBytes -= data.readableBytes();
            data.release();
        }
    }

    private void requireUsable() throws IOException {
        if (closed) {
            throw new SocketClosedException(closeReason);
        }
        if (error != 0) {
            throw new IOException("send failed: " + Errno.message(error));
        }
    }

    /**
     * Drops what is queued and cancels the send in flight (its buffer is released when its
     * completion comes); a parked writer wakes with a {@link SocketClosedException}.
     */
    void close() {
        close("the socket is closed");
    }

    /**
     * As {@link #close()}, with the reason a parked or later writer reads; first, when no send is
     * in flight, what is queued and the kernel takes at once goes out (as {@link Outbound} does).
     */
    void close(String reason) {
        if (closed) {
            return;
        }
        closeReason = reason;
        if (inFlightUserData == 0 && error == 0) {
            sendWhatTheKernelTakes();
        }
        closed = true;
        releaseQueue();
        if (inFlightUserData != 0) {
            source.cancel(inFlightUserData);
        }
        if (writer != null) {
            writer.wake();
        }
    }
}
