package boucle.net;

import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.Errno;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;

/**
 * One socket's sending side on io_uring: write now, send once per turn.
 *
 * <h2>Flow</h2>
 * {@link #write} only queues (taking the buffer over) and lists this sender with the loop's source;
 * when the turn ends the source calls {@link #flushAtTurnEnd()}, which merges what is queued into
 * one buffer (up to {@value #MAX_SEND} bytes) and prepares one {@code IORING_OP_SEND}: every
 * socket's send of the turn leaves in the poll's one {@code io_uring_enter}. One send is in flight
 * per socket at a time, so bytes leave in order; a short send sends the rest next.
 *
 * <h2>Backpressure</h2>
 * A writer that finds more than the high-water mark queued parks until the completions bring it to
 * the low-water mark, as {@link Outbound} does.
 *
 * <p>Loop-thread only; one writer at a time.
 */
final class UringSender implements Runnable {
    static final int MAX_SEND = 64 * 1024;
    /** A peer gone away is an error result, not a SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;

    private final UringEventSource source;
    private final int fd;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4); // small: an idle connection keeps it
    private long queuedBytes;
    private long lowWater = 32 * 1024;
    private long highWater = 64 * 1024;
    /** The buffer being sent, its bytes from readerIndex on; the kernel reads it until the completion. */
    private ByteBuf inFlight;
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
        queue.add(data);
        queuedBytes += data.readableBytes();
        if (!listed && inFlight == null) {
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
        if (inFlight == null && !closed && error == 0) {
            sendNext();
        }
    }

    private void sendNext() {
        if (queue.isEmpty()) {
            return;
        }
        ByteBuf first = queue.poll();
        source.outputStarted(); // ended when inFlight is released
        if (first.hasMemoryAddress() && (queue.isEmpty() || first.readableBytes() >= MAX_SEND)) {
            inFlight = first;
        } else { // gather by copying: one send for the turn's small writes (or a heap or composite buffer made direct)
            ByteBuf merged = Net.allocator().directBuffer(Math.max(MAX_SEND, first.readableBytes()));
            try {
                merged.writeBytes(first);
            } finally {
                first.release();
            }
            while (!queue.isEmpty() && queue.peek().readableBytes() <= merged.writableBytes()) {
                ByteBuf next = queue.poll();
                try {
                    merged.writeBytes(next);
                } finally {
                    next.release();
                }
            }
            inFlight = merged;
        }
        submit();
    }

    private void submit() {
        long address = inFlight.memoryAddress() + inFlight.readerIndex();
        int length = inFlight.readableBytes();
        sends++;
        inFlightUserData = source.start((ring, userData) -> ring.send(fd, address, length, MSG_NOSIGNAL, userData),
                this::complete);
    }

    /** The send's completion, during the loop's poll. */
    private void complete(int result, int flags) {
        inFlightUserData = 0;
        if (result > 0) {
            inFlight.skipBytes(result);
            queuedBytes -= result;
        }
        if (closed || result < 0) {
            if (result < 0 && result != -125 && !closed) {
                error = result;
            }
            inFlight.release();
            inFlight = null;
            source.outputEnded();
            releaseQueue();
        } else if (inFlight.isReadable()) {
            submit(); // a short send: the rest goes next
        } else {
            inFlight.release();
            inFlight = null;
            source.outputEnded();
            sendNext();
        }
        if (writer != null && (queuedBytes <= lowWater || error != 0 || closed)) {
            writer.wake();
        }
    }

    private void sendWhatTheKernelTakes() {
        while (!queue.isEmpty()) {
            ByteBuf head = queue.peek();
            int length = head.readableBytes();
            if (!head.hasMemoryAddress()) {
                return; // a heap or composite buffer: not worth a copy for a socket being closed
            }
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
        if (inFlight == null && error == 0) {
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
