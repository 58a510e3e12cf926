package boucle.net;

import boucle.core.EventSource;
import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.StepBudget;
import boucle.core.Task;
import boucle.net.uring.BufferRing;
import boucle.net.uring.Completions;
import boucle.net.uring.Errno;
import boucle.net.uring.EventFd;
import boucle.net.uring.IoUring;
import boucle.net.uring.NativeException;
import boucle.net.uring.NativeSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.BitSet;

/**
 * A loop's event source made of one io_uring ring: the loop waits in {@code io_uring_enter} with
 * the next timer's deadline as timeout (IORING_ENTER_EXT_ARG, no timer SQE), and
 * {@link Loop#callSoonThreadsafe} interrupts it through an eventfd whose read is always in flight
 * on the ring.
 *
 * <h2>One poll</h2>
 * Submit every SQE the turn's tasks prepared and wait for a completion (or the timeout), in one
 * system call; then drain the completion ring. Each completion goes to the operation its user
 * data names: the task parked on it is woken ({@code Task.wake} only enqueues), nothing runs here.
 *
 * <p>The ring is set up with {@link IoUring#COOPERATIVE_TASK_RUN}: a loop enters the kernel at
 * every poll anyway, so completions wait for it there rather than interrupt it. Measured at
 * 100 connections x 64 B: without it, 1.6x the kernel time per message (interrupt returns and a
 * contended lock were a quarter of the server's CPU) and 0.65x Netty io_uring's messages per second.
 *
 * <h2>A parked operation</h2>
 * {@link #await} is the shape every blocking call takes on this backend, where the kernel does the
 * operation instead of reporting readiness: take a slot, prepare the SQE with the slot as user
 * data, park; the completion fills the slot and wakes the task. A wait ended otherwise (deadline,
 * cancellation, close) sends {@code IORING_OP_ASYNC_CANCEL} for the operation and leaves the slot
 * <em>orphaned</em>: its completion, which always comes, frees the slot and gives back the
 * provided buffer it may carry. So no completion and no buffer outlives its wait.
 *
 * <h2>Buffers</h2>
 * One provided-buffer ring per loop ({@link #buffers()}, group 0): a receive names the group, the
 * kernel picks a buffer only when bytes arrive, so a connection waiting for data holds none. The
 * loop lends {@link #BUFFERS} at first and doubles them, up to {@link #MAX_BUFFERS}, each time a
 * receive finds none left ({@link #buffersExhausted()}): many connections with bytes in flight
 * at once get a pool their size instead of falling back to receives of their own.
 *
 * <p>Loop-thread only, except {@link #wakeup()}.
 */
final class UringEventSource implements NetSource {
    static final int RING_ENTRIES = 256;
    /**
     * Completion slots: two per provided buffer the pool may grow to. Each buffer the kernel fills
     * is a completion, and a thousand connections' arrivals in one wait would overflow the default
     * (twice {@link #RING_ENTRIES}): the kernel then holds them back and ends multishot receives.
     */
    static final int COMPLETION_ENTRIES = 8192;
    static final int BUFFER_GROUP = 0;
    static final int BUFFERS = 256;
    /** The most provided buffers a loop grows to: 4,096 x 2 KiB, 8 MiB of address space reserved, touched only as used. */
    static final int MAX_BUFFERS = 4096;
    static final int BUFFER_SIZE = 2048;
    /** User data of the eventfd's read; operation slots are 1 and up. */
    private static final long WAKEUP = 0;
    /** User data of completions nobody waits for (an ASYNC_CANCEL's own). */
    private static final long IGNORED = -1;
    private static final byte FREE = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte DONE = 2;
    private static final byte ORPHANED = 3;
    private static final byte HANDLED = 4;

    private final IoUring ring;
    private final BufferRing buffers;
    /** The most bytes one read hands over, from arrivals queued at once: NIO's largest read. */
    private final int readLimit;
    /** The loop's sockets share one budget per task step, the NIO source's rule ({@link SelectorEventSource#UNITS_PER_STEP}). */
    private final StepBudget budget = new StepBudget(SelectorEventSource.UNITS_PER_STEP);
    private final EventFd wakeupFd;
    private final boucle.net.uring.CompletionHandler dispatch = this::dispatch;
    private byte[] state = new byte[64];
    private Task<?>[] waiters = new Task<?>[64];
    private Handler[] handlers = new Handler[64];
    /** Whether a slot's positive result is a new descriptor (accept): an orphan's must be closed. */
    private boolean[] givesDescriptor = new boolean[64];
    /** Memory an operation's SQE points to (a connect's address), kept reachable until its last completion. */
    private Object[] lent = new Object[64];
    private int[] results = new int[64];
    private int[] flags = new int[64];
    /** Free slots, as a stack of indexes. */
    private int[] free = new int[64];
    private int freeCount;
    private int slotsUsed;
    private int parkedTasks;
    private int outputInFlight;
    /** Senders written to during this turn: they send at the start of the next poll, all in its one enter. */
    private java.nio.ByteBuffer[] gather;
    private final java.util.ArrayList<Runnable> toFlush = new java.util.ArrayList<>();
    private int orphans;
    /** Handler operations started and not yet at their last completion. */
    private int handledInFlight;
    /** Set just before the loop blocks in the kernel: a diagnostic for tests of {@link #wakeup()}. */
    private volatile boolean blocked;
    private boolean closed;
    /**
     * The socket descriptors the ring's streams own, by number (descriptors are small and dense, so
     * a bit each): what a loop closed with sockets still open must close itself, as the selector's
     * side closes its channels.
     */
    private final BitSet openSockets = new BitSet();

    UringEventSource() {
        this(BUFFERS, MAX_BUFFERS, BUFFER_SIZE);
    }

    /** A source whose loop shares {@code bufferCount} provided buffers of {@code bufferSize} bytes, never more. */
    UringEventSource(int bufferCount, int bufferSize) {
        this(bufferCount, bufferCount, bufferSize);
    }

    /**
     * A source whose loop shares {@code bufferCount} provided buffers of {@code bufferSize} bytes
     * at first, and up to {@code maxBuffers} (a power of two) when receives find none left.
     */
    UringEventSource(int bufferCount, int maxBuffers, int bufferSize) {
        this(bufferCount, maxBuffers, bufferSize, ReadSizer.MAX);
    }

    /**
     * As {@link #UringEventSource(int, int, int)}, where one read takes queued arrivals up to
     * {@code readLimit} bytes (at least one arrival) in one buffer.
     */
    UringEventSource(int bufferCount, int maxBuffers, int bufferSize, int readLimit) {
        this.readLimit = readLimit;
        try {
            ring = IoUring.open(RING_ENTRIES, IoUring.COOPERATIVE_TASK_RUN, COMPLETION_ENTRIES);
        } catch (NativeException e) {
            throw new UncheckedIOException("could not set up io_uring", e);
        }
        BufferRing registered = null;
        EventFd eventFd = null;
        try {
            registered = ring.registerBufferRing(BUFFER_GROUP, bufferCount, maxBuffers, bufferSize);
            eventFd = EventFd.open();
        } catch (NativeException e) {
            if (registered != null) {
                registered.close();
            }
            ring.close();
            throw new UncheckedIOException("could not set up io_uring", e);
        }
        buffers = registered;
        wakeupFd = eventFd;
        wakeupFd.armOn(ring, WAKEUP);
    }

    IoUring ring() {
        return ring;
    }

    BufferRing buffers() {
        return buffers;
    }

    /** The most bytes one read takes from the arrivals queued on a socket (at least one arrival). */
    int readLimit() {
        return readLimit;
    }

    /**
     * A receive ended because the kernel found no provided buffer ({@code ENOBUFS}). Returns
     * whether the receiver should arm its multishot receive again: yes when buffers came back
     * since (another completion of this poll may have grown the pool) or when the pool could grow
     * now; no when every buffer the loop may have is taken.
     */
    boolean buffersExhausted() {
        if (buffers.available() > 0) {
            return true;
        }
        return buffers.grow();
    }

    @Override
    public StepBudget budget() {
        return budget;
    }

    @Override
    public Backend backend() {
        return Backend.IO_URING;
    }

    /** For the NIO code on this loop (Unix sockets): the array of one gathering write. */
    @Override
    public java.nio.ByteBuffer[] gatherBuffers() {
        if (gather == null) {
            gather = new java.nio.ByteBuffer[SelectorEventSource.MAX_GATHER];
        }
        return gather;
    }

    /** Prepares one operation's SQE(s) with the given user data. */
    @FunctionalInterface
    interface Prepare {
        void on(IoUring ring, long userData);
    }

    /**
     * Prepares an operation, parks the current task until it completes, and returns its
     * completion: read it with {@link #result(long)} and {@link #flags(long)}. The SQE leaves with
     * the turn's others when the loop polls. A provided buffer in the completion is the caller's
     * ({@link BufferRing#take}). A wait ended otherwise cancels the operation in the kernel first.
     *
     * @throws SocketTimeoutException when the deadline (loop clock; {@link Registration#NO_DEADLINE}:
     *     none) passed first
     * @throws SocketClosedException when the source was closed meanwhile
     */
    long await(Prepare prepare, long deadline, String what) throws IOException {
        return await(prepare, deadline, what, false);
    }

    /**
     * As {@link #await}, for an operation whose result is a new descriptor (accept): if the wait
     * ends first and the operation still succeeds, the descriptor is closed, not leaked.
     */
    int awaitDescriptor(Prepare prepare, long deadline, String what) throws IOException {
        return result(await(prepare, deadline, what, true));
    }

    /**
     * As {@link #await}, for an operation whose SQE points to {@code memory} (e.g. a connect's
     * address, in an automatic arena): it stays reachable until the kernel is done with it, even
     * when the wait ends first.
     */
    long awaitLending(Object memory, Prepare prepare, long deadline, String what) throws IOException {
        return await(prepare, deadline, what, false, memory);
    }

    private long await(Prepare prepare, long deadline, String what, boolean descriptor) throws IOException {
        return await(prepare, deadline, what, descriptor, null);
    }

    private long await(Prepare prepare, long deadline, String what, boolean descriptor, Object memory)
            throws IOException {
        requireOpen();
        Task<?> me = Task.current();
        int slot = takeSlot();
        givesDescriptor[slot] = descriptor;
        lent[slot] = memory;
        prepare.on(ring, slot + 1L);
        state[slot] = IN_FLIGHT;
        waiters[slot] = me;
        Handle timer = deadline == Registration.NO_DEADLINE ? null : Loop.current().callAt(deadline, me::wake);
        parkedTasks++;
        boolean woken = false;
        try {
            me.park(this);
            woken = true;
        } finally {
            parkedTasks--;
            waiters[slot] = null;
            if (timer != null) {
                timer.cancel();
            }
            if (state[slot] != DONE) {
                abandon(slot); // the slot is freed by the completion that the cancel brings
            } else if (!woken) { // completed, but a cancellation was delivered at the same wake-up
                dropResult(slot, results[slot], flags[slot]);
                freeSlot(slot);
            }
        }
        if (state[slot] != DONE) {
            if (closed) {
                throw new SocketClosedException("the loop's io_uring was closed while waiting to " + what);
            }
            throw new SocketTimeoutException("timed out waiting to " + what);
        }
        long completion = ((long) flags[slot] << 32) | (results[slot] & 0xFFFF_FFFFL);
        freeSlot(slot);
        return completion;
    }

    static int result(long completion) {
        return (int) completion;
    }

    static int flags(long completion) {
        return (int) (completion >>> 32);
    }

    /** The result of an operation nobody waits for any more: give back what it holds. */
    private void dropResult(int slot, int result, int completionFlags) {
        dropBuffer(completionFlags);
        if (givesDescriptor[slot] && result >= 0) {
            ring.close(result, IGNORED); // an accepted connection nobody will serve
        }
    }

    private void dropBuffer(int completionFlags) {
        int bid = buffers.take(completionFlags);
        if (bid >= 0) {
            buffers.recycle(bid); // data nobody waits for any more: the buffer goes back
        }
    }

    /**
     * Receives every completion of a (multishot) operation, during the loop's poll: it may note
     * results and wake tasks, never run one. The last call is the one without
     * {@link Completions#hasMore more}.
     */
    @FunctionalInterface
    interface Handler {
        void complete(int result, int flags);
    }

    /**
     * Starts an operation whose completions go to {@code handler} until its last; returns its
     * user data, for {@link #cancel}.
     */
    long start(Prepare prepare, Handler handler) {
        requireOpen();
        int slot = takeSlot();
        prepare.on(ring, slot + 1L);
        state[slot] = HANDLED;
        handlers[slot] = handler;
        handledInFlight++;
        return slot + 1L;
    }

    /** Takes {@code fd} as a socket of this ring's, closed by {@link #closeDescriptor} or, at the latest, by {@link #close}. */
    void adopt(int fd) {
        openSockets.set(fd);
    }

    /**
     * Closes {@code fd} through the ring (it leaves with the next poll's enter), or at once if the
     * ring is closed. Operations still in flight on it hold the socket until they complete.
     */
    void closeDescriptor(int fd) {
        openSockets.clear(fd);
        if (closed) {
            NativeSockets.close(fd);
        } else {
            ring.close(fd, IGNORED);
        }
    }

    /**
     * Submits what is prepared now instead of at the next poll: for a cancel that must land before
     * a descriptor is closed (a listening socket that an accept in flight would keep listening).
     */
    void submitNow() {
        if (!closed) {
            ring.submit();
        }
    }

    /** Cancels the operation {@link #start} returned: its handler gets a last completion. */
    void cancel(long userData) {
        if (!closed) { // after the close, everything was cancelled already
            ring.cancel(userData, IGNORED);
        }
    }

    /**
     * The wait ended before the completion: cancel the operation in the kernel. Its completion
     * will still come; the slot stays taken (orphaned) until then, and a buffer in it is given back.
     */
    private void abandon(int slot) {
        state[slot] = ORPHANED;
        orphans++;
        ring.cancel(slot + 1L, IGNORED);
    }

    private int takeSlot() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (slotsUsed == state.length) {
            int size = state.length * 2;
            state = Arrays.copyOf(state, size);
            waiters = Arrays.copyOf(waiters, size);
            handlers = Arrays.copyOf(handlers, size);
            givesDescriptor = Arrays.copyOf(givesDescriptor, size);
            results = Arrays.copyOf(results, size);
            lent = Arrays.copyOf(lent, size);
            flags = Arrays.copyOf(flags, size);
            free = Arrays.copyOf(free, size);
        }
        return slotsUsed++;
    }

    private void freeSlot(int slot) {
        state[slot] = FREE;
        lent[slot] = null;
        free[freeCount++] = slot;
    }

    /** Lists {@code flush} (a sender's send, an {@link Outbound}'s write) to run when the turn ends; each lists itself once per turn. */
    @Override
    public void flushAtTurnEnd(Runnable flush) {
        toFlush.add(flush);
    }

    @Override
    public void poll(long timeoutNanos) {
        requireOpen();
        if (!toFlush.isEmpty()) {
            for (int i = 0; i < toFlush.size(); i++) {
                toFlush.get(i).run(); // a sender prepares SQEs only: they leave in the enter below
            }
            toFlush.clear();
            if (parkedTasks == 0 && outputInFlight == 0) {
                timeoutNanos = 0; // the loop may have gone on only to flush (hasWaiters): do not wait for nothing
            }
        }
        if (ring.ready() > 0) {
            timeoutNanos = 0; // completions already wait: do not block for more
        }
        blocked = timeoutNanos > 0;
        int entered = ring.submitAndWait(1, timeoutNanos);
        blocked = false;
        if (entered < 0 && entered != -Errno.ETIME && entered != -Errno.EINTR && entered != -Errno.EBUSY) { // harmless
            throw new UncheckedIOException(new IOException("io_uring_enter failed: " + Errno.describe(entered)));
        }
        ring.drain(dispatch);
    }

    private void dispatch(long userData, int result, int completionFlags) {
        if (userData == IGNORED) {
            return;
        }
        if (userData == WAKEUP) {
            if (!closed) {
                wakeupFd.armOn(ring, WAKEUP); // the next wakeup() completes the next read
            }
            return;
        }
        int slot = (int) (userData - 1);
        switch (state[slot]) {
            case IN_FLIGHT -> {
                if (Completions.hasMore(completionFlags)) {
                    throw new IllegalStateException("await takes single-shot operations; slot " + slot
                            + " got a multishot completion");
                }
                results[slot] = result;
                flags[slot] = completionFlags;
                state[slot] = DONE;
                waiters[slot].wake();
            }
            case HANDLED -> {
                Handler handler = handlers[slot];
                if (!Completions.hasMore(completionFlags)) {
                    handlers[slot] = null;
                    handledInFlight--;
                    freeSlot(slot);
                }
                handler.complete(result, completionFlags);
            }
            case ORPHANED -> {
                dropResult(slot, result, completionFlags);
                if (!Completions.hasMore(completionFlags)) {
                    orphans--;
                    freeSlot(slot);
                }
            }
            default -> throw new IllegalStateException("completion for slot " + slot + " in state " + state[slot]
                    + ": user data " + userData + ", result " + result);
        }
    }

    /** Any thread: completes the eventfd read in flight, which ends a wait in {@code io_uring_enter}. */
    @Override
    public void wakeup() {
        wakeupFd.signal();
    }

    /** Whether the loop is blocked in the kernel right now (or about to be): for tests. */
    boolean isBlocked() {
        return blocked;
    }

    @Override
    public boolean hasWaiters() {
        return parkedTasks > 0 || outputInFlight > 0 || !toFlush.isEmpty();
    }

    /** A task parks on something of this source other than {@link #await}: the loop must wait, not end. */
    @Override
    public void taskParked() {
        parkedTasks++;
    }

    @Override
    public void taskUnparked() {
        parkedTasks--;
    }

    /** A sender has bytes in the kernel's hands: the loop must stay to see them sent, as it stays to flush. */
    void outputStarted() {
        outputInFlight++;
    }

    void outputEnded() {
        outputInFlight--;
    }

    /** Operations cancelled whose last completion has not come yet. */
    int orphans() {
        return orphans;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the io_uring event source is closed");
        }
    }

    /**
     * Cancels what is in flight, waits (at most a second) for those completions so that the kernel
     * writes into no memory after this, then frees the buffers, the eventfd and the ring.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.cancel(WAKEUP, IGNORED);
        for (int slot = 0; slot < slotsUsed; slot++) {
            if (state[slot] == HANDLED) {
                ring.cancel(slot + 1L, IGNORED); // its handler sees the last completion below, and frees what it lent
            } else if (state[slot] == IN_FLIGHT) {
                state[slot] = ORPHANED;
                orphans++;
                ring.cancel(slot + 1L, IGNORED);
            }
        }
        long deadline = System.nanoTime() + 1_000_000_000L;
        boolean[] sawWakeup = {false};
        while ((orphans > 0 || handledInFlight > 0 || !sawWakeup[0]) && System.nanoTime() < deadline) {
            ring.submitAndWait(1, 10_000_000L);
            ring.drain((userData, result, completionFlags) -> {
                if (userData == WAKEUP) {
                    sawWakeup[0] = true;
                } else {
                    dispatch(userData, result, completionFlags);
                }
            });
        }
        for (int fd = openSockets.nextSetBit(0); fd >= 0; fd = openSockets.nextSetBit(fd + 1)) {
            NativeSockets.close(fd); // the loop is gone with the socket still open: its peer reads the end
        }
        openSockets.clear();
        buffers.close();
        ring.close();
        wakeupFd.close();
    }

    @Override
    public String toString() {
        return "UringEventSource[" + ring + ", " + parkedTasks + " parked tasks, " + buffers.held()
                + " buffers held]";
    }
}
