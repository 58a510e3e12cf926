package boucle.net.uring;

import static boucle.net.uring.Abi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One io_uring instance, on {@code java.lang.foreign}: the {@code io_uring_setup} file descriptor,
 * its submission ring, completion ring and SQE array mapped into this process, and the calls that
 * fill the first and drain the second.
 *
 * <h2>How it is used</h2>
 * <pre>{@code
 * try (IoUring ring = IoUring.open(256)) {
 *     ring.recv(fd, buffer.address(), (int) buffer.byteSize(), 0, 42);  // queued, not yet submitted
 *     ring.submitAndWait(1, IoUring.NO_TIMEOUT);                         // one io_uring_enter
 *     ring.drain((userData, result, flags) -> ...);                        // userData == 42
 * }
 * }</pre>
 * The preparation methods ({@link #nop}, {@link #recv}, {@link #send}, {@link #accept}...) write an
 * SQE and return: nothing reaches the kernel until {@link #submit} or {@link #submitAndWait}, so a
 * whole turn's operations cost one system call. When the submission ring is full, a preparation
 * method submits what is queued first. {@code userData} comes back in the operation's completion:
 * it is the caller's way to find who waits for it.
 *
 * <h2>Memory ordering</h2>
 * The rings are shared with the kernel, which runs on other CPUs. The producer of a ring writes
 * its entries, then publishes its tail with a release store; the consumer reads that tail with an
 * acquire load before it reads the entries, and hands them back by a release store of its head.
 * Here: SQ tail (ours) release, SQ head (the kernel's) acquire, CQ tail (the kernel's) acquire,
 * CQ head (ours) release, through {@link VarHandle}s on the mapped memory. The SQ array maps slot
 * {@code i} to SQE {@code i} once at setup, so a submission writes no array entry.
 *
 * <h2>Memory given to the kernel</h2>
 * An operation's buffers (and address structures) must stay valid until its completion is
 * drained: the kernel writes into them asynchronously. {@link #close()} does not wait for
 * operations in flight: the owner cancels them and drains their completions first.
 *
 * <p>Threads: one thread submits and drains (the loop's); {@link #fd()} and {@link #toString()}
 * may be read from any thread. Wake a thread blocked in {@link #submitAndWait} from another one
 * through an {@link EventFd} whose read is in flight on this ring.
 */
public final class IoUring implements AutoCloseable {
    /** {@link #submitAndWait}'s timeout for "no limit". */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;
    /**
     * {@code io_uring_setup} flag IORING_SETUP_COOP_TASKRUN (Linux 5.19+): the kernel finishes a
     * completion on the ring's thread at its next system call instead of interrupting it. Without
     * it, every arrival the network stack completes on another CPU sends that thread an
     * interrupt, and the ring's own locks are fought over between the two CPUs.
     */
    public static final int COOPERATIVE_TASK_RUN = IORING_SETUP_COOP_TASKRUN;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    /** Features this code relies on; io_uring_setup's result must have them all. */
    private static final int REQUIRED_FEATURES =
            IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_EXT_ARG;

    private final int fd;
    private final int features;
    private final int setupFlags;
    /** The SQ and CQ rings: one mapping (IORING_FEAT_SINGLE_MMAP). */
    private final MemorySegment rings;
    private final MemorySegment sqes;
    private final Arena arena;
    /** One timespec per SQ slot: the kernel copies a timeout's timespec when it consumes the slot. */
    private final MemorySegment timespecs;
    private final MemorySegment geteventsArg;
    private final MemorySegment waitTimespec;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final long sqDropped;
    private final int sqMask;
    private final int sqEntries;
    private final long cqHead;
    private final long cqTail;
    private final long cqOverflow;
    private final long cqes;
    private final int cqMask;
    private final int cqEntries;
    /** Our copy of the SQ tail: SQEs up to here are written; {@link #submittedTail} is what the kernel saw. */
    private int sqeTail;
    private int submittedTail;
    /** Our copy of the CQ head. */
    private int cqeHead;
    private long enterCalls;
    private boolean closed;

    private IoUring(int fd, MemorySegment params, MemorySegment rings, MemorySegment sqes, Arena arena) {
        this.fd = fd;
        this.features = params.get(I32, Params.FEATURES);
        this.setupFlags = params.get(I32, Params.FLAGS);
        this.rings = rings;
        this.sqes = sqes;
        this.arena = arena;
        this.sqHead = params.get(I32, Params.SQ_HEAD);
        this.sqTail = params.get(I32, Params.SQ_TAIL);
        this.sqFlags = params.get(I32, Params.SQ_FLAGS);
        this.sqDropped = params.get(I32, Params.SQ_DROPPED);
        this.sqMask = rings.get(I32, params.get(I32, Params.SQ_RING_MASK));
        this.sqEntries = rings.get(I32, params.get(I32, Params.SQ_RING_ENTRIES));
        this.cqHead = params.get(I32, Params.CQ_HEAD);
        this.cqTail = params.get(I32, Params.CQ_TAIL);
        this.cqOverflow = params.get(I32, Params.CQ_OVERFLOW);
        this.cqes = params.get(I32, Params.CQ_CQES);
        this.cqMask = rings.get(I32, params.get(I32, Params.CQ_RING_MASK));
        this.cqEntries = rings.get(I32, params.get(I32, Params.CQ_RING_ENTRIES));
        long array = params.get(I32, Params.SQ_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            rings.set(I32, array + 4L * i, i);
        }
        this.sqeTail = (int) INT.getAcquire(rings, sqTail);
        this.submittedTail = sqeTail;
        this.cqeHead = (int) INT.getAcquire(rings, cqHead);
        this.timespecs = arena.allocate(16L * sqEntries, 8);
        this.geteventsArg = arena.allocate(GeteventsArg.SIZE, 8);
        this.waitTimespec = arena.allocate(16, 8);
        geteventsArg.set(LONG, GeteventsArg.TS, waitTimespec.address());
    }

    /**
     * Sets up a ring of {@code entries} submission slots (rounded up to a power of two by the
     * kernel, clamped to its maximum) and twice as many completion slots.
     *
     * <p>Any thread; the ring then belongs to the thread that uses it.
     *
     * @throws NativeException when the kernel refuses (see {@link #probe()} for what each errno
     *     means) or lacks a feature this code needs
     * @throws IllegalStateException when native access is not enabled
     */
    public static IoUring open(int entries) throws NativeException {
        return open(entries, 0);
    }

    /**
     * As {@link #open(int)}, with extra {@code io_uring_setup} flags (e.g.
     * {@code IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN} = {@code 0x3000} for a ring
     * only one thread ever touches).
     */
    public static IoUring open(int entries, int flags) throws NativeException {
        return open(entries, flags, 0);
    }

    /**
     * As {@link #open(int, int)}, with {@code completionEntries} completion slots
     * (IORING_SETUP_CQSIZE; at least {@code entries}, clamped to the kernel's maximum) instead of
     * twice {@code entries}: for a ring whose many multishot operations post more completions per
     * wait than it submits requests. 0: the default.
     */
    public static IoUring open(int entries, int flags, int completionEntries) throws NativeException {
        if (!NativeAccess.isEnabled()) {
            throw new IllegalStateException(NativeAccess.MISSING);
        }
        if (entries < 1) {
            throw new IllegalArgumentException("entries must be positive: " + entries);
        }
        Arena arena = Arena.ofShared();
        MemorySegment rings = null;
        MemorySegment sqes = null;
        int fd = -1;
        try {
            MemorySegment params = arena.allocate(Params.SIZE, 8);
            if (completionEntries > 0) {
                params.set(I32, Params.CQ_ENTRIES, Math.max(completionEntries, entries));
                flags |= IORING_SETUP_CQSIZE;
            }
            params.set(I32, Params.FLAGS, flags | IORING_SETUP_CLAMP);
            long result = Libc.syscall(SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0);
            if (result < 0) {
                throw new NativeException("io_uring_setup", (int) -result);
            }
            fd = (int) result;
            int features = params.get(I32, Params.FEATURES);
            if ((features & REQUIRED_FEATURES) != REQUIRED_FEATURES) {
                throw new NativeException("io_uring_setup", "kernel too old: it lacks the features "
                        + missingFeatures(features) + " (needs Linux 5.11 or later)");
            }
            int sqEntries = params.get(I32, Params.SQ_ENTRIES);
            int cqEntries = params.get(I32, Params.CQ_ENTRIES);
            long sqRingSize = params.get(I32, Params.SQ_ARRAY) + 4L * sqEntries;
            long cqRingSize = params.get(I32, Params.CQ_CQES) + Cqe.SIZE * cqEntries;
            rings = Libc.mmap(Math.max(sqRingSize, cqRingSize), Libc.PROT_READ | Libc.PROT_WRITE,
                    Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, IORING_OFF_SQ_RING);
            sqes = Libc.mmap(Sqe.SIZE * sqEntries, Libc.PROT_READ | Libc.PROT_WRITE,
                    Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, IORING_OFF_SQES);
            IoUring ring = new IoUring(fd, params, rings, sqes, arena);
            fd = -1;
            return ring;
        } finally {
            if (fd >= 0) { // failed after setup: undo in reverse
                if (sqes != null) {
                    Libc.munmap(sqes);
                }
                if (rings != null) {
                    Libc.munmap(rings);
                }
                Libc.close(fd);
                arena.close();
            }
        }
    }

    private static String missingFeatures(int features) {
        List<String> missing = new ArrayList<>();
        if ((features & IORING_FEAT_SINGLE_MMAP) == 0) {
            missing.add("SINGLE_MMAP");
        }
        if ((features & IORING_FEAT_NODROP) == 0) {
            missing.add("NODROP");
        }
        if ((features & IORING_FEAT_SUBMIT_STABLE) == 0) {
            missing.add("SUBMIT_STABLE");
        }
        if ((features & IORING_FEAT_EXT_ARG) == 0) {
            missing.add("EXT_ARG");
        }
        return String.join(", ", missing);
    }

    /**
     * Whether io_uring can serve here, and if not why: probed once per JVM (a ring set up, its
     * opcodes and a provided-buffer ring checked, then closed), and never throws.
     *
     * <p>Any thread.
     */
    public static IoUringSupport probe() {
        return Probe.cached();
    }

    /** The ring's file descriptor. Any thread. */
    public int fd() {
        return fd;
    }

    /** Submission slots (a power of two). Any thread. */
    public int sqEntries() {
        return sqEntries;
    }

    /** Completion slots. Any thread. */
    public int cqEntries() {
        return cqEntries;
    }

    /** {@code io_uring_params.features}. Any thread. */
    public int features() {
        return features;
    }

    /** How many times this ring called {@code io_uring_enter}: the system calls it cost. */
    public long enterCalls() {
        return enterCalls;
    }

    /** SQEs written and not yet submitted. */
    public int pending() {
        return sqeTail - submittedTail;
    }

    // ---------------------------------------------------------------- preparation

    /**
     * The next free SQE, zeroed, with its opcode, fd and user data set; submits what is queued
     * first when the ring is full. Returns its offset in the SQE array.
     */
    private long sqe(int opcode, int fd, long userData) {
        requireOpen();
        if (sqeTail - (int) INT.getAcquire(rings, sqHead) >= sqEntries) {
            submitOrThrow();
        }
        long base = Sqe.SIZE * (sqeTail & sqMask);
        for (long off = 0; off < Sqe.SIZE; off += 8) {
            sqes.set(LONG, base + off, 0L);
        }
        sqes.set(I8, base + Sqe.OPCODE, (byte) opcode);
        sqes.set(I32, base + Sqe.FD, fd);
        sqes.set(LONG, base + Sqe.USER_DATA, userData);
        sqeTail++;
        return base;
    }

    private void submitOrThrow() {
        int result = enter(pending(), 0, 0);
        if (result < 0) {
            throw new IllegalStateException("the submission ring is full and io_uring_enter failed: "
                    + Errno.describe(result));
        }
    }

    /** An operation that does nothing and completes with 0: the ring's round trip. */
    public void nop(long userData) {
        sqe(IORING_OP_NOP, -1, userData);
    }

    /**
     * Accepts a connection on listening socket {@code fd}; the result is the new socket's fd.
     * {@code multishot}: one SQE keeps accepting, each connection a completion flagged
     * {@link Completions#hasMore more} until the last (Linux 5.19+). The peer's address is not
     * asked for (use {@code getpeername} when needed): no memory is lent to the kernel.
     */
    public void accept(int fd, int flags, boolean multishot, long userData) {
        long sqe = sqe(IORING_OP_ACCEPT, fd, userData);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, flags);
        if (multishot) {
            sqes.set(I16, sqe + Sqe.IOPRIO, (short) IORING_ACCEPT_MULTISHOT);
        }
    }

    /** Connects socket {@code fd} to the {@code sockaddr} at {@code address}, which must stay valid until the completion. */
    public void connect(int fd, long address, int addressLength, long userData) {
        long sqe = sqe(IORING_OP_CONNECT, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, address);
        sqes.set(LONG, sqe + Sqe.OFF, addressLength);
    }

    /** Receives at most {@code length} bytes into {@code address}; the result is the count, 0 at end of stream. */
    public void recv(int fd, long address, int length, int msgFlags, long userData) {
        long sqe = sqe(IORING_OP_RECV, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, address);
        sqes.set(I32, sqe + Sqe.LEN, length);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, msgFlags);
    }

    /**
     * Receives into a buffer the kernel picks from {@code buffers} when data arrives, so a waiting
     * receive holds no memory; the completion names the buffer ({@link Completions#bufferId}).
     * {@code multishot}: one SQE keeps receiving, each arrival a completion, until it ends (end
     * of stream, error, cancellation, or no buffer left: {@code -ENOBUFS}), Linux 6.0+.
     */
    public void recv(int fd, BufferRing buffers, boolean multishot, long userData) {
        long sqe = sqe(IORING_OP_RECV, fd, userData);
        sqes.set(I8, sqe + Sqe.FLAGS, (byte) IOSQE_BUFFER_SELECT);
        sqes.set(I16, sqe + Sqe.BUF_GROUP, (short) buffers.groupId());
        if (multishot) {
            sqes.set(I16, sqe + Sqe.IOPRIO, (short) IORING_RECV_MULTISHOT);
        }
    }

    /** Sends {@code length} bytes from {@code address}; the result is the count sent (maybe fewer). */
    public void send(int fd, long address, int length, int msgFlags, long userData) {
        long sqe = sqe(IORING_OP_SEND, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, address);
        sqes.set(I32, sqe + Sqe.LEN, length);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, msgFlags);
    }

    /**
     * Sends the buffers a {@link MessageHeader} at {@code header} lists, in order, as one
     * {@code sendmsg(2)}: a gathering send. The result is the count sent (maybe fewer than all).
     */
    public void sendGathered(int fd, long header, int msgFlags, long userData) {
        long sqe = sqe(IORING_OP_SENDMSG, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, header);
        sqes.set(I32, sqe + Sqe.LEN, 1);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, msgFlags);
    }

    /** {@code read(2)} at the file's current position (a socket, pipe or eventfd has no other). */
    public void read(int fd, long address, int length, long userData) {
        long sqe = sqe(IORING_OP_READ, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, address);
        sqes.set(I32, sqe + Sqe.LEN, length);
        sqes.set(LONG, sqe + Sqe.OFF, -1L);
    }

    /** {@code write(2)} at the file's current position. */
    public void write(int fd, long address, int length, long userData) {
        long sqe = sqe(IORING_OP_WRITE, fd, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, address);
        sqes.set(I32, sqe + Sqe.LEN, length);
        sqes.set(LONG, sqe + Sqe.OFF, -1L);
    }

    /**
     * Waits, once, until {@code fd} is ready for {@code events} ({@code POLLIN} 1, {@code POLLOUT} 4;
     * errors and hang-ups always count); the result is the events that are, or {@code -errno}. How
     * the ring serves a descriptor it does not drive itself (a datagram socket, a NIO channel).
     */
    public void pollAdd(int fd, int events, long userData) {
        long sqe = sqe(IORING_OP_POLL_ADD, fd, userData);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, events); // poll32_events, in the rw_flags union
    }

    /** {@code shutdown(2)}: {@code how} is 0 (read), 1 (write) or 2 (both). */
    public void shutdown(int fd, int how, long userData) {
        long sqe = sqe(IORING_OP_SHUTDOWN, fd, userData);
        sqes.set(I32, sqe + Sqe.LEN, how);
    }

    /** {@code close(2)} through the ring. */
    public void close(int fd, long userData) {
        sqe(IORING_OP_CLOSE, fd, userData);
    }

    /**
     * A timer: completes with {@code -ETIME} after {@code nanos}, or with 0 once {@code count}
     * other completions have been posted ({@code count} 0: only the time counts).
     */
    public void timeout(long nanos, int count, long userData) {
        int slot = sqeTail & sqMask;
        long sqe = sqe(IORING_OP_TIMEOUT, -1, userData);
        long ts = 16L * slot;
        timespecs.set(LONG, ts, nanos / 1_000_000_000L);
        timespecs.set(LONG, ts + 8, nanos % 1_000_000_000L);
        sqes.set(LONG, sqe + Sqe.ADDR, timespecs.address() + ts);
        sqes.set(I32, sqe + Sqe.LEN, 1);
        sqes.set(LONG, sqe + Sqe.OFF, count);
    }

    /** Removes the timer {@code timerUserData}: it completes with {@code -ECANCELED}, this with 0 or {@code -ENOENT}. */
    public void removeTimeout(long timerUserData, long userData) {
        long sqe = sqe(IORING_OP_TIMEOUT_REMOVE, -1, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, timerUserData);
    }

    /**
     * Cancels the operation submitted with {@code targetUserData}: it completes with
     * {@code -ECANCELED} (a multishot one ends, its last completion without
     * {@link Completions#hasMore more}), or with its own result if it finished first. This one
     * completes with 0 (found), {@code -ENOENT} (not in flight) or {@code -EALREADY} (running,
     * it will end soon).
     */
    public void cancel(long targetUserData, long userData) {
        long sqe = sqe(IORING_OP_ASYNC_CANCEL, -1, userData);
        sqes.set(LONG, sqe + Sqe.ADDR, targetUserData);
    }

    /** Cancels every operation in flight on {@code fd}; completes with how many were found. */
    public void cancelAll(int fd, long userData) {
        long sqe = sqe(IORING_OP_ASYNC_CANCEL, fd, userData);
        sqes.set(I32, sqe + Sqe.OP_FLAGS, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL);
    }

    /**
     * Posts a completion ({@code result}, {@code targetUserData}) on another ring: how one loop
     * wakes another without an eventfd (Linux 5.18+).
     */
    public void message(IoUring target, int result, long targetUserData, long userData) {
        long sqe = sqe(IORING_OP_MSG_RING, target.fd(), userData);
        sqes.set(I32, sqe + Sqe.LEN, result);
        sqes.set(LONG, sqe + Sqe.OFF, targetUserData);
    }

    /** Marks the last prepared SQE: its completion is not posted when it succeeds (errors still are). */
    public void skipSuccessCompletion() {
        long sqe = Sqe.SIZE * ((sqeTail - 1) & sqMask);
        sqes.set(I8, sqe + Sqe.FLAGS, (byte) (sqes.get(I8, sqe + Sqe.FLAGS) | IOSQE_CQE_SKIP_SUCCESS));
    }

    // ---------------------------------------------------------------- submission and completion

    /** Hands the queued SQEs to the kernel without waiting; returns how many it took, or {@code -errno}. */
    public int submit() {
        requireOpen();
        return enter(pending(), 0, 0);
    }

    /**
     * Submits the queued SQEs and waits until at least {@code minCompletions} completions are in
     * the completion ring, the timeout passes ({@link #NO_TIMEOUT}: none) or a signal arrives:
     * one {@code io_uring_enter}. Returns how many SQEs were submitted, or {@code -errno}
     * ({@code -ETIME}: timed out, {@code -EINTR}: interrupted; both harmless).
     */
    public int submitAndWait(int minCompletions, long timeoutNanos) {
        requireOpen();
        if (minCompletions <= 0 || timeoutNanos <= 0) {
            return enter(pending(), 0, 0);
        }
        if (timeoutNanos == NO_TIMEOUT) {
            return enter(pending(), minCompletions, IORING_ENTER_GETEVENTS);
        }
        waitTimespec.set(LONG, 0, timeoutNanos / 1_000_000_000L);
        waitTimespec.set(LONG, 8, timeoutNanos % 1_000_000_000L);
        return enter(pending(), minCompletions, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG);
    }

    private int enter(int toSubmit, int minCompletions, int flags) {
        if (toSubmit > 0) {
            INT.setRelease(rings, sqTail, sqeTail); // publish the SQEs written since the last submit
        }
        boolean extArg = (flags & IORING_ENTER_EXT_ARG) != 0;
        enterCalls++;
        long result = Libc.syscall(SYS_IO_URING_ENTER, fd, toSubmit, minCompletions, flags,
                extArg ? geteventsArg.address() : 0L, extArg ? GeteventsArg.SIZE : 0L);
        if (result > 0) {
            submittedTail += (int) result;
        } else if (result < 0 && toSubmit > 0) {
            // the kernel may have taken some before failing (e.g. -EBUSY): trust its head
            submittedTail = (int) INT.getAcquire(rings, sqHead);
        }
        return (int) result;
    }

    /**
     * Calls {@code handler} for each completion in the ring, oldest first, and returns how many.
     * Each entry is handed back to the kernel before its handler runs, so a handler may prepare
     * and submit new operations.
     */
    public int drain(CompletionHandler handler) {
        requireOpen();
        int count = 0;
        int tail = (int) INT.getAcquire(rings, cqTail);
        while (cqeHead != tail) {
            long cqe = cqes + Cqe.SIZE * (cqeHead & cqMask);
            long userData = rings.get(LONG, cqe + Cqe.USER_DATA);
            int result = rings.get(I32, cqe + Cqe.RES);
            int flags = rings.get(I32, cqe + Cqe.FLAGS);
            cqeHead++;
            INT.setRelease(rings, cqHead, cqeHead);
            count++;
            handler.complete(userData, result, flags);
            if (cqeHead == tail) {
                tail = (int) INT.getAcquire(rings, cqTail);
            }
        }
        return count;
    }

    /** Completions waiting in the ring, not yet drained. */
    public int ready() {
        return (int) INT.getAcquire(rings, cqTail) - cqeHead;
    }

    /**
     * Completions the kernel had to hold back because the completion ring was full: with
     * IORING_FEAT_NODROP none is lost, they are posted once there is room.
     */
    public boolean completionsOverflowed() {
        return ((int) INT.getAcquire(rings, sqFlags) & IORING_SQ_CQ_OVERFLOW) != 0
                || (int) INT.getAcquire(rings, cqOverflow) != 0;
    }

    /** SQEs the kernel dropped as invalid (should stay 0). */
    public int droppedSubmissions() {
        return (int) INT.getAcquire(rings, sqDropped);
    }

    // ---------------------------------------------------------------- registration

    /** {@code io_uring_register(fd, opcode, arg, count)}: the result, or {@code -errno}. */
    long register(int opcode, long arg, int count) {
        requireOpen();
        return Libc.syscall(SYS_IO_URING_REGISTER, fd, opcode, arg, count, 0);
    }

    /** The opcodes this kernel supports (IORING_REGISTER_PROBE, Linux 5.6+), indexed by opcode. */
    public boolean[] supportedOpcodes() throws NativeException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment probe = scratch.allocate(Abi.Probe.OPS + Abi.Probe.OP_SIZE * Abi.Probe.MAX_OPS, 8);
            long result = register(IORING_REGISTER_PROBE, probe.address(), Abi.Probe.MAX_OPS);
            if (result < 0) {
                throw new NativeException("io_uring_register(PROBE)", (int) -result);
            }
            int opsLength = Byte.toUnsignedInt(probe.get(I8, Abi.Probe.OPS_LEN));
            boolean[] supported = new boolean[Abi.Probe.MAX_OPS];
            for (int i = 0; i < opsLength; i++) {
                short flags = probe.get(I16, Abi.Probe.OPS + Abi.Probe.OP_SIZE * i + Abi.Probe.OP_FLAGS);
                supported[i] = (flags & IO_URING_OP_SUPPORTED) != 0;
            }
            return supported;
        }
    }

    /**
     * Registers a ring of {@code entries} provided buffers of {@code bufferSize} bytes each as
     * buffer group {@code groupId} (IORING_REGISTER_PBUF_RING, Linux 5.19+), all given to the
     * kernel. Close it before this ring.
     */
    public BufferRing registerBufferRing(int groupId, int entries, int bufferSize) throws NativeException {
        return BufferRing.register(this, groupId, entries, bufferSize);
    }

    /**
     * As {@link #registerBufferRing(int, int, int)}, lending {@code entries} buffers now and room
     * for {@link BufferRing#grow() growing} to {@code capacity} (a power of two) later.
     */
    public BufferRing registerBufferRing(int groupId, int entries, int capacity, int bufferSize)
            throws NativeException {
        return BufferRing.register(this, groupId, entries, capacity, bufferSize);
    }

    // ---------------------------------------------------------------- life cycle

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !closed;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the ring is closed");
        }
    }

    /**
     * Unmaps the rings and closes the file descriptor; the kernel cancels what is still in
     * flight. Idempotent. Loop thread.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(sqes);
        Libc.munmap(rings);
        Libc.close(fd);
        arena.close();
    }

    /** The {@code io_uring_setup} flags the ring was set up with. Any thread. */
    public int setupFlags() {
        return setupFlags;
    }

    @Override
    public String toString() {
        return "IoUring[fd " + fd + ", " + sqEntries + "/" + cqEntries + " entries, flags 0x"
                + Integer.toHexString(setupFlags) + (closed ? ", closed]" : "]");
    }
}
