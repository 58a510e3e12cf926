package boucle.net;

import boucle.net.uring.BufferRing;
import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The provided buffers a socket's multishot receive filled and nobody has read yet, oldest first:
 * a FIFO of (buffer id, length) pairs in one small {@code long[]} ring, which an idle connection
 * keeps (it doubles when a burst needs more).
 *
 * <p>A read {@linkplain #take takes} the oldest arrivals, up to a byte limit, copied into one pooled
 * {@link ByteBuf}, and gives their provided buffers back to the kernel at once: the loop's buffers
 * stay in the kernel's hands except for the bytes nobody has read yet.
 *
 * <p>Loop-thread only.
 */
final class ArrivalQueue {
    private static final int INITIAL_SIZE = 8;

    private final BufferRing buffers;
    /** (buffer id << 32 | length), from {@link #head} on, {@link #count} of them. */
    private long[] arrivals = new long[INITIAL_SIZE];
    private int head;
    private int count;

    ArrivalQueue(BufferRing buffers) {
        this.buffers = buffers;
    }

    /** Arrivals queued, unread: each holds one provided buffer. */
    int size() {
        return count;
    }

    /** Queues provided buffer {@code bid}, which holds {@code length} bytes that arrived. */
    void add(int bid, int length) {
        if (count == arrivals.length) { // a burst, or completions that came before a cancel landed
            long[] larger = new long[2 * count];
            for (int i = 0; i < count; i++) {
                larger[i] = arrivals[(head + i) % count];
            }
            arrivals = larger;
            head = 0;
        }
        arrivals[(head + count) % arrivals.length] = ((long) bid << 32) | (length & 0xFFFF_FFFFL);
        count++;
    }

    /**
     * Takes the oldest arrival and those after it up to {@code limit} bytes (the oldest at least,
     * whatever its size), copied into one pooled {@link ByteBuf} that the caller owns: a 64 KiB
     * message that came as 32 provided buffers is one read, one buffer and one wake-up for its
     * reader, as one read of up to 64 KiB is on NIO ({@link ReadSizer#MAX}).
     */
    ByteBuf take(int limit) {
        int taking = 0;
        int bytes = 0;
        while (taking < count) {
            int length = (int) arrivals[(head + taking) % arrivals.length];
            if (taking > 0 && bytes + length > limit) {
                break;
            }
            bytes += length;
            taking++;
        }
        ByteBuf data = Net.allocator().directBuffer(bytes);
        try {
            MemorySegment into = MemorySegment.ofAddress(data.memoryAddress()).reinterpret(bytes);
            long at = 0;
            for (int i = 0; i < taking; i++) {
                int bid = (int) (arrivals[head] >>> 32);
                int length = (int) arrivals[head];
                head = (head + 1) % arrivals.length;
                count--;
                try {
                    buffers.copy(bid, length, into, at);
                    at += length;
                } finally {
                    buffers.recycle(bid);
                }
            }
            data.writerIndex(bytes);
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        return data;
    }

    /** Gives every queued buffer back to the kernel, unread. */
    void clear() {
        while (count > 0) {
            buffers.recycle((int) (arrivals[head] >>> 32));
            head = (head + 1) % arrivals.length;
            count--;
        }
        Arrays.fill(arrivals, 0);
    }
}
