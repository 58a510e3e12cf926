package boucle.net;

import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.BufferRing;
import boucle.net.uring.Completions;
import boucle.net.uring.Errno;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * One socket's receiving side on io_uring: a multishot receive with provided buffers, the ring's
 * way to say "give me bytes as they come" once instead of once per read.
 *
 * <h2>States</h2>
 * <pre>
 *  idle ──readSome──▶ armed (multishot in flight, holds no buffer)
 *  armed ──bytes──▶ a buffer per arrival queued here, the reader woken
 *  armed ──queue reaches MAX_QUEUED──▶ cancelled: the kernel's socket buffer fills, TCP pushes back
 *        (a burst already in the socket may take more before the cancel lands: at most the loop's pool,
 *        then ENOBUFS ends the receive; a socket with arrivals queued never grows the pool)
 *  armed ──ENOBUFS, nothing queued, the loop's pool grows or has buffers again──▶ idle; the next read
 *        arms the multishot again
 *  armed ──ENOBUFS, the pool at its largest and all taken──▶ idle; the next read receives once into a
 *        buffer of its own, the one after arms the multishot again
 *  armed ──queue reaches LOW_POOL_QUEUED while the pool is at its largest and nearly all taken──▶ cancelled
 *  any ──end of stream / error──▶ ended (what is queued is still read first)
 * </pre>
 * <h2>Streams: large reads straight into the reader's buffer</h2>
 * A read that gathers {@link #STREAMING_BYTES} or more from the queue means the peer streams: the
 * receiver leaves the provided buffers (one completion and one copy per 2 KiB) for reads of the
 * size {@link ReadSizer} adapts, as the NIO path does, into the pooled buffer handed to the reader.
 * It waits for such a read without holding a buffer: a one-shot poll for input, then a receive
 * that does not wait ({@code MSG_DONTWAIT}). When the reads become small again, it goes back to the
 * multishot receive.
 * <pre>
 *  multishot ──a read takes ≥ STREAMING_BYTES──▶ the multishot cancelled, what it queued read first
 *  streaming ──the socket may hold more (the last read filled its buffer)──▶ receive now
 *  streaming ──nothing held──▶ poll armed (holds no buffer) ──input──▶ receive now
 *  streaming ──reads shrink to a provided buffer's size──▶ multishot
 * </pre>
 * A 64 KiB message is then one or two receives instead of 32 completions and copies (10 x 64 KiB
 * echoed: 0.53x Netty io_uring's messages per second before, with the copies 8.8 µs of user CPU
 * per message).
 * <h2>Fairness</h2>
 * A read served from what is queued costs a unit of the loop's {@link boucle.core.StepBudget}, as a
 * read without waiting does on NIO: a socket that always has data still lets the others run.
 *
 * <p>A read takes the oldest queued buffers (up to the source's read limit, 64 KiB) from its
 * {@link ArrivalQueue}, in one pooled {@link ByteBuf}; the provided buffers go back at once.
 *
 * <p>Loop-thread only; one reader at a time.
 */
final class UringReceiver {
    /**
     * Arrivals queued, unread, before the receive is cancelled (backpressure): 32 x 2 KiB by
     * default, one read's worth ({@link ReadSizer#MAX}). Fewer would cancel and re-arm the receive
     * in the middle of every large message (10 x 64 KiB echoed: at 8, 0.36x the NIO backend's
     * messages per second; at 32, 0.47x).
     */
    static final int MAX_QUEUED = 32;
    /**
     * Arrivals queued before the receive is cancelled when the loop's pool cannot grow and fewer
     * than an eighth of it is free: a slow reader leaves the rest to the other sockets.
     */
    static final int LOW_POOL_QUEUED = 2;
    /** Bytes one read takes from the queue that switch the receiver to streaming (8 provided buffers' worth). */
    static final int STREAMING_BYTES = 16 * 1024;
    private static final int POLLIN = 0x1;

    private final UringEventSource source;
    private final BufferRing buffers;
    private final int fd;
    /** What {@link #readyNow} returns at the end of the stream: not {@code null}, which means "wait". */
    private static final ByteBuf END = io.netty.buffer.Unpooled.EMPTY_BUFFER;
    private final ArrivalQueue queued;
    /** The multishot receive's user data while it is in flight (or, streaming, the poll's), else 0. */
    private long armed;
    /** 0 while receiving into provided buffers; streaming, the {@link ReadSizer} state of the next read. */
    private int streaming;
    /** Streaming: the socket may hold bytes now (the poll said so, or the last read filled its buffer). */
    private boolean readable;
    private boolean cancelling;
    private boolean starved;
    private boolean ended;
    private int error;
    private Task<?> reader;
    private boolean closed;
    private String closeReason = "the socket is closed";
    /** Set when the server began shutting down: a read that would wait throws instead. */
    private String waitsEndedBecause;
    /** Reads done into a buffer of our own because the loop's were all taken: a diagnostic. */
    private int fallbacks;
    /** Multishot receives armed: a diagnostic. */
    private int arms;
    private int directReads;

    UringReceiver(UringEventSource source, int fd) {
        this.source = source;
        this.buffers = source.buffers();
        this.queued = new ArrivalQueue(buffers);
        this.fd = fd;
    }

    /**
     * Parks until bytes arrive and returns them (the caller owns and releases the buffer), or
     * {@code null} at the end of the stream. The wait is written out here rather than in a
     * helper: an idle connection parks here, and every frame between its handler and the park
     * stays in its continuation's stack chunk for as long as it waits.
     *
     * @throws SocketTimeoutException past the deadline (loop clock); the receiver stays usable
     * @throws SocketClosedException when the receiver is closed
     * @throws IOException when the socket failed (reset, ...)
     */
    ByteBuf readSome(long deadline) throws IOException {
        for (;;) {
            ByteBuf ready = readyNow(deadline);
            if (ready != null) {
                return ready == END ? null : ready;
            }
            Task<?> me = startWaiting();
            Handle timer = deadline == Registration.NO_DEADLINE ? null : Loop.current().callAt(deadline, me::wake);
            try {
                me.park(this);
            } finally {
                source.taskUnparked();
                reader = null;
                if (timer != null) {
                    timer.cancel();
                }
            }
            if (timer != null && timer.hasRun() && queued.size() == 0 && !ended && error == 0) {
                throw new SocketTimeoutException("timed out waiting to read");
            }
        }
    }

    /** What a read gets without waiting: bytes, {@link #END}, or {@code null} (wait; the receive is armed). */
    private ByteBuf readyNow(long deadline) throws IOException {
        requireOpen();
        if (queued.size() > 0) {
            // bytes already here: work done without waiting, which spends the step's budget (may yield first)
            source.budget().spend();
            requireOpen();
            if (queued.size() > 0) {
                return take();
            }
        }
        if (error != 0) {
            throw new IOException("receive failed: " + Errno.message(error));
        }
        if (ended) {
            return END;
        }
        if (starved) { // every provided buffer is taken: receive once into a buffer of our own
            starved = false;
            ByteBuf data = receiveIntoOwnBuffer(deadline);
            return data == null ? END : data;
        }
        if (armed != 0 || cancelling) {
            return null; // a completion will come, and wake the reader
        }
        if (streaming == 0) {
            arm();
            return null;
        }
        if (readable) {
            source.budget().spend(); // a read without waiting, as one served from the queue
            requireOpen();
            ByteBuf data = receiveNow();
            if (data != null) {
                return data;
            }
        }
        armed = source.start((ring, userData) -> ring.pollAdd(fd, POLLIN, userData), this::polled);
        return null;
    }

    /**
     * Streaming: what the socket holds now, into a pooled buffer of the size {@link ReadSizer}
     * gives, or {@code null} if it holds nothing yet.
     */
    private ByteBuf receiveNow() throws IOException {
        int size = ReadSizer.nextSize(streaming);
        ByteBuf data = Net.allocator().directBuffer(size);
        long received = boucle.net.uring.NativeSockets.receiveNow(fd, data.memoryAddress(), size); // a new buffer: from its start
        if (received <= 0) {
            data.release();
            readable = false;
            if (received == 0) {
                ended = true;
                return END;
            }
            if (received == -Errno.EAGAIN) {
                return null;
            }
            error = (int) received;
            throw new IOException("receive failed: " + Errno.message(error));
        }
        data.writerIndex((int) received);
        directReads++;
        readable = received == size;
        streaming = ReadSizer.record(streaming, (int) received);
        if (ReadSizer.nextSize(streaming) <= buffers.bufferSize()) {
            streaming = 0; // small reads again: the next wait holds no buffer with the multishot receive
        }
        return data;
    }

    /** Streaming: the poll's completion, during the loop's poll. */
    private void polled(int result, int flags) {
        armed = 0;
        cancelling = false;
        if (result >= 0) {
            readable = true; // input, the end of the stream or an error: the receive says which
        } else if (result != -Errno.ECANCELED) {
            error = result;
        }
        if (reader != null) {
            reader.wake();
        }
    }

    private void arm() {
        arms++;
        armed = source.start((ring, userData) -> ring.recv(fd, buffers, true, userData), this::complete);
    }

    /** The reader takes its place before it parks: one per socket, and none once the server shuts down. */
    private Task<?> startWaiting() throws ServerShuttingDownException {
        if (waitsEndedBecause != null) {
            throw new ServerShuttingDownException(waitsEndedBecause);
        }
        Task<?> me = Task.current();
        if (reader != null) {
            throw new IllegalStateException("task '" + me.name() + "' wants to read, but task '" + reader.name()
                    + "' already reads: one task per direction per socket");
        }
        reader = me;
        source.taskParked();
        return me;
    }

    /**
     * Takes the oldest queued arrivals, up to the source's {@link UringEventSource#readLimit()
     * read limit}, in one buffer; a read that large means the peer streams, and the reads after it
     * go straight to the socket.
     */
    private ByteBuf take() {
        ByteBuf data = queued.take(Math.max(source.readLimit(), buffers.bufferSize()));
        int bytes = data.readableBytes();
        if (bytes >= STREAMING_BYTES && streaming == 0) {
            streaming = ReadSizer.MAX; // the queue's order first: reads go straight to the socket once the multishot ended
            readable = true;
            if (armed != 0 && !cancelling) {
                cancelling = true;
                source.cancel(armed);
            }
        }
        return data;
    }

    private ByteBuf receiveIntoOwnBuffer(long deadline) throws IOException {
        fallbacks++;
        ByteBuf data = Net.allocator().directBuffer(buffers.bufferSize());
        boolean handed = false;
        try {
            long address = data.memoryAddress();
            int room = data.writableBytes();
            long completion = source.await((ring, userData) -> ring.recv(fd, address, room, 0, userData), deadline,
                    "read");
            int result = UringEventSource.result(completion);
            if (result < 0) {
                throw new IOException("receive failed: " + Errno.message(result));
            }
            if (result == 0) {
                ended = true;
                return null;
            }
            data.writerIndex(result);
            handed = true;
            return data;
        } finally {
            if (!handed) {
                data.release();
            }
        }
    }

    /** The multishot receive's completions, during the loop's poll. */
    private void complete(int result, int flags) {
        if (!Completions.hasMore(flags)) {
            armed = 0;
            cancelling = false;
        }
        int bid = buffers.take(flags);
        if (closed) {
            if (bid >= 0) {
                buffers.recycle(bid);
            }
            return;
        }
        if (result > 0 && bid >= 0) {
            queued.add(bid, result);
            if (queued.size() >= queueLimit() && armed != 0 && !cancelling) {
                cancelling = true; // nobody reads: stop taking buffers, let the socket's buffer fill
                source.cancel(armed);
            }
        } else if (result == 0) {
            ended = true;
        } else if (result == -Errno.ENOBUFS) { // the loop's buffers are all taken
            // the pool grows, or has buffers again: the next read arms the multishot receive again;
            // only a pool at its largest and all taken sends the next read to a buffer of its own
            starved = queued.size() == 0 && !source.buffersExhausted();
        } else if (result < 0 && result != -Errno.ECANCELED) { // ECANCELED is ours
            error = result;
        }
        if (reader != null) {
            reader.wake();
        }
    }

    /** How many unread arrivals this socket may hold: fewer when the loop's pool is nearly all taken and cannot grow. */
    private int queueLimit() {
        if (buffers.entries() == buffers.capacity() && buffers.available() < buffers.capacity() / 8) {
            return LOW_POOL_QUEUED;
        }
        return MAX_QUEUED;
    }

    /** Provided buffers this receiver holds (arrived, unread). */
    int queued() {
        return queued.size();
    }

    int fallbacks() {
        return fallbacks;
    }

    /** Multishot receives armed so far (the first, and each one after a cancel, an ENOBUFS or a fallback). */
    int arms() {
        return arms;
    }

    boolean isArmed() {
        return armed != 0;
    }

    /** Whether reads go straight to the socket (a streaming peer) rather than through provided buffers. */
    boolean isStreaming() {
        return streaming != 0;
    }

    /** Reads received straight into the reader's buffer, while streaming: a diagnostic. */
    int directReads() {
        return directReads;
    }

    private void requireOpen() throws SocketClosedException {
        if (closed) {
            throw new SocketClosedException(closeReason);
        }
    }

    /**
     * From now on a read that would wait throws a {@link ServerShuttingDownException}; a reader
     * parked now wakes, takes what came meanwhile, and throws at its next wait.
     */
    void endWaits(String reason) {
        if (waitsEndedBecause == null) {
            waitsEndedBecause = reason;
            if (reader != null) {
                reader.wake();
            }
        }
    }

    /** As {@link #close()}, with the reason a parked or later reader reads in its exception. */
    void close(String reason) {
        if (!closed) {
            closeReason = reason;
        }
        close();
    }

    /**
     * Cancels the receive in flight and gives back what is queued; late completions give their
     * buffers back as they come. Wakes a parked reader, which gets a {@link SocketClosedException}.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (armed != 0 && !cancelling) {
            cancelling = true;
            source.cancel(armed);
        }
        queued.clear();
        if (reader != null) {
            reader.wake();
        }
    }
}
