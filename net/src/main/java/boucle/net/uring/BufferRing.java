package boucle.net.uring;

import static boucle.net.uring.Abi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): buffers lent to the kernel, which picks one
 * only when data arrives for a receive that asked for this group. A socket waiting for data thus
 * holds no buffer: memory is spent on bytes that arrived, not on connections that might send.
 *
 * <h2>Ownership of a buffer</h2>
 * A buffer is the kernel's until a completion names it; {@link #take} makes it the caller's (who
 * reads {@link #buffer}); {@link #recycle} gives it back to the kernel. {@link #held()} counts the
 * buffers taken and not yet recycled: zero when nothing leaks. Recycling a buffer twice, or one
 * that was never taken, is an {@link IllegalStateException}: it would hand the kernel a buffer
 * whose bytes someone still reads.
 *
 * <h2>Growing</h2>
 * A ring is registered with room for {@link #capacity()} buffers but lends only {@link #entries()}
 * of them at first; {@link #grow()} lends more, up to the capacity, when the kernel ran out (a
 * receive ended with {@code ENOBUFS}). The memory of every buffer is reserved at registration as
 * one anonymous mapping: pages the kernel never wrote to cost address space, not memory.
 *
 * <h2>Memory ordering</h2>
 * We produce, the kernel consumes: an entry ({@code addr}, {@code len}, {@code bid}) is written,
 * then the ring's 16-bit tail is published with a release store. The ring and the buffers are
 * anonymous page-aligned mappings, which the kernel pins while registered.
 *
 * <p>Threads: the ring's thread only.
 */
public final class BufferRing implements AutoCloseable {
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT;

    private final IoUring ring;
    private final int groupId;
    /** Ring slots registered with the kernel: the most buffers this group can ever lend. */
    private final int capacity;
    /** Buffers lent so far: ids 0 to entries - 1. */
    private int entries;
    private final int bufferSize;
    private final MemorySegment entriesMemory;
    private final MemorySegment buffers;
    private final BitSet taken;
    private int tail;
    private int held;
    private boolean closed;

    private BufferRing(IoUring ring, int groupId, int entries, int capacity, int bufferSize,
            MemorySegment entriesMemory, MemorySegment buffers) {
        this.ring = ring;
        this.groupId = groupId;
        this.entries = entries;
        this.capacity = capacity;
        this.bufferSize = bufferSize;
        this.entriesMemory = entriesMemory;
        this.buffers = buffers;
        this.taken = new BitSet(entries);
    }

    static BufferRing register(IoUring ring, int groupId, int entries, int bufferSize) throws NativeException {
        return register(ring, groupId, entries, entries, bufferSize);
    }

    /** A ring that lends {@code entries} buffers now and may {@link #grow()} to {@code capacity}. */
    static BufferRing register(IoUring ring, int groupId, int entries, int capacity, int bufferSize)
            throws NativeException {
        if (capacity < 1 || capacity > 32768 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
        }
        if (entries < 1 || entries > capacity) {
            throw new IllegalArgumentException("entries must be between 1 and the capacity " + capacity + ": "
                    + entries);
        }
        if (groupId < 0 || groupId > 0xFFFF || bufferSize < 1) {
            throw new IllegalArgumentException("group " + groupId + ", buffer size " + bufferSize);
        }
        int rw = Libc.PROT_READ | Libc.PROT_WRITE;
        int anonymous = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS;
        MemorySegment ringMemory = Libc.mmap(BufRing.BUF_SIZE * capacity, rw, anonymous, -1, 0);
        MemorySegment buffers;
        try {
            buffers = Libc.mmap((long) bufferSize * capacity, rw, anonymous, -1, 0);
        } catch (NativeException e) {
            Libc.munmap(ringMemory);
            throw e;
        }
        long result;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment reg = scratch.allocate(BufRing.REG_SIZE, 8);
            reg.set(LONG, BufRing.REG_RING_ADDR, ringMemory.address());
            reg.set(I32, BufRing.REG_RING_ENTRIES, capacity);
            reg.set(I16, BufRing.REG_BGID, (short) groupId);
            result = ring.register(IORING_REGISTER_PBUF_RING, reg.address(), 1);
        }
        if (result < 0) {
            Libc.munmap(buffers);
            Libc.munmap(ringMemory);
            throw new NativeException("io_uring_register(PBUF_RING)", (int) -result);
        }
        BufferRing bufferRing = new BufferRing(ring, groupId, entries, capacity, bufferSize, ringMemory, buffers);
        for (int bid = 0; bid < entries; bid++) {
            bufferRing.add(bid);
        }
        bufferRing.publish();
        return bufferRing;
    }

    private void add(int bid) {
        long entry = BufRing.BUF_SIZE * (tail & (capacity - 1));
        // the tail overlays entry 0's last field: write the entry's fields, never the whole 16 bytes
        entriesMemory.set(LONG, entry + BufRing.BUF_ADDR, buffers.address() + (long) bufferSize * bid);
        entriesMemory.set(I32, entry + BufRing.BUF_LEN, bufferSize);
        entriesMemory.set(I16, entry + BufRing.BUF_BID, (short) bid);
        tail++;
    }

    private void publish() {
        SHORT.setRelease(entriesMemory, BufRing.TAIL, (short) tail);
    }

    /** The buffer group id to name in a receive. */
    public int groupId() {
        return groupId;
    }

    /** Buffers lent so far (taken ones included). */
    public int entries() {
        return entries;
    }

    /** The most buffers {@link #grow()} can reach. */
    public int capacity() {
        return capacity;
    }

    /** Buffers the kernel can pick now: lent and not taken. */
    public int available() {
        return entries - held;
    }

    /**
     * Lends more buffers to the kernel (twice as many as now, at most the {@link #capacity()}):
     * for a loop whose receives found none. Returns whether any were added.
     */
    public boolean grow() {
        if (closed || entries == capacity) {
            return false;
        }
        int grown = Math.min(capacity, 2 * entries);
        for (int bid = entries; bid < grown; bid++) {
            add(bid);
        }
        entries = grown;
        publish();
        return true;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Takes the buffer a completion names: it is the caller's until {@link #recycle}. Returns its
     * id, or -1 when the completion carries no buffer (a failure, the end of the stream).
     */
    public int take(int completionFlags) {
        if (!Completions.hasBuffer(completionFlags)) {
            return -1;
        }
        int bid = Completions.bufferId(completionFlags);
        if (bid >= entries || taken.get(bid)) {
            throw new IllegalStateException("buffer " + bid + " of group " + groupId
                    + (bid >= entries ? " does not exist" : " is already taken"));
        }
        taken.set(bid);
        held++;
        return bid;
    }

    /** The bytes of buffer {@code bid} ({@link #bufferSize()} of them; the completion's result says how many are data). */
    public MemorySegment buffer(int bid) {
        return buffers.asSlice((long) bufferSize * bid, bufferSize);
    }

    /** Copies the first {@code length} bytes of buffer {@code bid} to {@code to} at {@code offset}, with no slice made. */
    public void copy(int bid, int length, MemorySegment to, long offset) {
        MemorySegment.copy(buffers, (long) bufferSize * bid, to, offset, length);
    }

    /** The address of buffer {@code bid}, for a copy without a slice. */
    public long address(int bid) {
        return buffers.address() + (long) bufferSize * bid;
    }

    /** Gives buffer {@code bid} back to the kernel. */
    public void recycle(int bid) {
        if (bid < 0 || bid >= entries || !taken.get(bid)) {
            throw new IllegalStateException("buffer " + bid + " of group " + groupId + " is not taken");
        }
        taken.clear(bid);
        held--;
        add(bid);
        publish();
    }

    /** Buffers taken and not recycled. */
    public int held() {
        return held;
    }

    /**
     * How many buffers the kernel has consumed from the ring since registration, read from the
     * kernel (IORING_REGISTER_PBUF_STATUS, Linux 6.8+): with {@link #held()}, a check that no
     * buffer went missing on the kernel's side. {@code -errno} when the kernel cannot tell.
     */
    public int kernelConsumed() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment status = scratch.allocate(BufRing.STATUS_SIZE, 8);
            status.set(I32, 0, groupId);
            long result = ring.register(IORING_REGISTER_PBUF_STATUS, status.address(), 1);
            if (result < 0) {
                return (int) result;
            }
            int head = status.get(I32, BufRing.STATUS_HEAD) & 0xFFFF;
            return head; // the kernel's head counts buffers consumed, modulo 2^16 like our tail
        }
    }

    /** Buffers given to the kernel so far (initial ones included), modulo 2^16: compare with {@link #kernelConsumed()}. */
    public int published() {
        return tail & 0xFFFF;
    }

    /**
     * Unregisters the group and unmaps the buffers. Receives using the group must have completed
     * (cancelled and drained) first: the kernel would otherwise write into unmapped memory.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ring.isOpen()) { // else the ring's teardown released the group, and the pages it pinned
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment reg = scratch.allocate(BufRing.REG_SIZE, 8);
                reg.set(I16, BufRing.REG_BGID, (short) groupId);
                ring.register(IORING_UNREGISTER_PBUF_RING, reg.address(), 1);
            }
        }
        Libc.munmap(buffers);
        Libc.munmap(entriesMemory);
    }

    @Override
    public String toString() {
        return "BufferRing[group " + groupId + ", " + entries + " (of " + capacity + ") x " + bufferSize + " B, " + held
                + " held]";
    }
}
