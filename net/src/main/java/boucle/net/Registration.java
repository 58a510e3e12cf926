package boucle.net;

import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.Task;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * One channel's place in the selector: its one {@link SelectionKey} (registered once, when the
 * channel joins the loop, never per wait) and the tasks parked on it, at most one per direction.
 *
 * <h2>The shape of every blocking operation, written once</h2>
 * {@link #untilReady} is the loop of every blocking call (connect, accept, read, datagrams):
 * <pre>{@code
 * for (;;) {
 *     T result = attempt.tryOnce();           // try the non-blocking operation
 *     if (result != null) return result;
 *     await(op, deadline, what);              // would block: wait for readiness, then retry
 * }
 * }</pre>
 * {@link #await} takes the direction's slot, adds the interest op if it is missing, parks, and
 * gives the slot back in {@code finally}: a wait ended by readiness, a timeout, a cancellation or
 * a close leaves nothing behind. A second task waiting in the same direction is a bug in the
 * caller and gets an {@link IllegalStateException} (two readers would get interleaved bytes).
 *
 * <h2>Interest ops</h2>
 * Added when a task starts waiting, dropped lazily: when the selector reports an op nobody waits
 * for. A task that reads in a loop thus keeps {@code OP_READ} set and pays no {@code epoll_ctl}
 * per read. {@code OP_WRITE} stays set only while output is pending, since a writable socket
 * would otherwise wake the selector on every turn.
 *
 * <h2>It knows no socket type</h2>
 * Readiness wakes the task parked in that direction; a writable channel with no writer parked
 * runs the {@link #onWritable} callback instead, which is how an {@link Outbound} writes its queue
 * out in the background. Nothing here knows TCP, TLS or datagrams.
 *
 * <p>Loop-thread only.
 */
final class Registration {
    /** What the loop calls when the channel is writable and no task waits to write. */
    @FunctionalInterface
    interface WritableListener {
        void channelWritable();
    }

    /** One non-blocking try of an operation: its result, or {@code null} if it would block. */
    @FunctionalInterface
    interface Attempt<T> {
        T tryOnce() throws IOException;
    }

    /** The deadline of a wait that has none. */
    static final long NO_DEADLINE = Long.MIN_VALUE;
    private static final int READ_SIDE = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_SIDE = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private final Loop loop;
    private final NetSource source;
    /**
     * The selector's key, on a NIO loop ({@code null} on an io_uring loop). The channel is
     * {@code key.channel()} (or the ring polls'): not a field of its own, one word less per connection.
     */
    private final SelectionKey key;
    /** The ring's polls of the descriptor, on an io_uring loop; {@code null} on a NIO loop. */
    private final RingPolls polls;
    /** Run by the loop when the channel turns writable (a queue to write out); {@code null} if none. */
    private WritableListener writable;
    private Task<?> reader;
    private Task<?> writer;
    private int interest;
    /** How many times the key's interest set was changed: a diagnostic for the hot path's tests. */
    private int interestChanges;
    private String closeReason;
    /** Set when the server began shutting down: read-side waits throw instead of parking. */
    private String readWaitsEndedBecause;
    // set by SelectorEventSource.collect, read by dispatch, within one poll
    private int readyOps;
    private boolean fired;
    private Registration nextFired;

    /**
     * Registers {@code channel} (non-blocking) with the running loop: with its selector, or, on an
     * io_uring loop, by its descriptor, which the ring then polls for each wait.
     */
    Registration(SelectableChannel channel) throws IOException {
        this.loop = Loop.current();
        this.source = Net.source(loop);
        channel.configureBlocking(false);
        if (source instanceof SelectorEventSource selector) {
            this.key = channel.register(selector.selector(), 0, this);
            this.polls = null;
        } else {
            this.key = null;
            this.polls = new RingPolls(this, (UringEventSource) source, channel);
        }
    }

    /**
     * What the loop runs when the channel is writable: it writes what is queued, and itself drops
     * {@code OP_WRITE} once nothing is (and wakes a writer waiting for the queue to drain).
     */
    void onWritable(WritableListener writable) {
        this.writable = writable;
    }

    Loop loop() {
        return loop;
    }

    /** The loop's event source: its turn-end flush list and its work budget. */
    NetSource source() {
        return source;
    }

    /**
     * Parks the current task until the channel may be ready for {@code op}, the deadline (on the
     * loop's clock) passes, or the channel is closed. The caller retries its operation afterwards.
     *
     * @throws SocketTimeoutException when the deadline passed first
     * @throws SocketClosedException when the channel was closed meanwhile, or before
     */
    void await(int op, long deadline, String what) throws IOException {
        requireOpen();
        Task<?> me = Task.current();
        boolean readSide = (op & READ_SIDE) != 0;
        if (readSide) {
            requireReadWaitsAllowed();
        }
        Task<?> other = readSide ? reader : writer;
        if (other != null) {
            throw new IllegalStateException("task '" + me.name() + "' wants to " + what + ", but task '"
                    + other.name() + "' already waits to " + (readSide ? "read" : "write")
                    + ": one task per direction per socket");
        }
        Handle timer = deadline == NO_DEADLINE ? null : loop.callAt(deadline, me::wake);
        setWaiter(readSide, me);
        addInterest(op);
        source.taskParked();
        try {
            me.park(this);
        } finally {
            source.taskUnparked();
            setWaiter(readSide, null);
            if (timer != null) {
                timer.cancel();
            }
        }
        requireOpen();
        if (timer != null && timer.hasRun()) {
            throw new SocketTimeoutException("timed out waiting to " + what);
        }
    }

    /**
     * Tries {@code attempt} until it does not return {@code null}, parking for {@code op} readiness
     * between tries: the one would-block loop of every blocking call. Call from a task.
     */
    <T> T untilReady(int op, long deadline, String what, Attempt<T> attempt) throws IOException {
        for (;;) {
            T result = attempt.tryOnce();
            if (result != null) {
                return result;
            }
            await(op, deadline, what);
        }
    }

    private void setWaiter(boolean readSide, Task<?> task) {
        if (readSide) {
            reader = task;
        } else {
            writer = task;
        }
    }

    void addInterest(int op) {
        if ((interest & op) != op && isOpen()) {
            interest |= op;
            if (key != null) {
                key.interestOps(interest);
            }
            interestChanges++;
        }
        if (polls != null && isOpen()) {
            polls.arm(interest);
        }
    }

    void removeInterest(int op) {
        if ((interest & op) != 0 && isOpen()) {
            interest &= ~op;
            if (key != null) {
                key.interestOps(interest); // a ring's poll in flight is left to complete: nobody is woken by it then
            }
            interestChanges++;
        }
    }

    private SelectableChannel channel() {
        return key != null ? key.channel() : polls.channel();
    }

    /** On an io_uring loop: a poll of the descriptor completed for {@code side}'s ops; dispatch as a select would. */
    void polled(int side) {
        if (closeReason != null) {
            return;
        }
        int ops = interest & side;
        if (ops == 0) {
            return; // nobody wants this side any more: the single-shot poll is simply not renewed
        }
        readyOps = ops;
        dispatch();
        polls.arm(interest); // still wanted (a reader woken, output still pending): poll again, level-triggered as epoll is
    }

    static int readSide() {
        return READ_SIDE;
    }

    static int writeSide() {
        return WRITE_SIDE;
    }

    int interestChanges() {
        return interestChanges;
    }

    /** Wakes the writer parked for backpressure or a flush, if any: the outbound buffer moved. */
    void wakeWriter() {
        if (writer != null) {
            writer.wake();
        }
    }

    /**
     * From now on a read-side wait throws a {@link ServerShuttingDownException} with {@code reason}
     * instead of parking, and the reader parked now, if any, wakes: it retries its read once, so
     * bytes that came meanwhile still win, then throws it at its next wait. Writes go on.
     */
    void endReadWaits(String reason) {
        if (readWaitsEndedBecause == null) {
            readWaitsEndedBecause = reason;
            if (reader != null) {
                reader.wake();
            }
        }
    }

    private void requireReadWaitsAllowed() throws ServerShuttingDownException {
        if (readWaitsEndedBecause != null) {
            throw new ServerShuttingDownException(readWaitsEndedBecause);
        }
    }

    // ---- called by SelectorEventSource ---------------------------------------------------

    boolean isFired() {
        return fired;
    }

    /** Notes the ready ops; the registration becomes the last of the fired list. */
    void markFired(int ops) {
        readyOps = ops;
        fired = true;
    }

    void setNextFired(Registration next) {
        nextFired = next;
    }

    Registration takeNextFired() {
        Registration next = nextFired;
        nextFired = null;
        fired = false;
        return next;
    }

    /** After select: wake who waits for what is ready, flush output, drop unwanted interest. */
    void dispatch() {
        if (closeReason != null) {
            return;
        }
        int ops = readyOps;
        if ((ops & READ_SIDE) != 0) {
            if (reader != null) {
                reader.wake();
            } else {
                removeInterest(ops & READ_SIDE);
            }
        }
        if ((ops & WRITE_SIDE) != 0) {
            if (writable != null) {
                writable.channelWritable(); // removes OP_WRITE itself once its queue is empty, wakes the writer
            } else if (writer != null) {
                writer.wake();
            } else {
                removeInterest(ops & WRITE_SIDE);
            }
        }
    }

    // ---- closing ---------------------------------------------------------------------------

    boolean isOpen() {
        return closeReason == null;
    }

    void requireOpen() throws SocketClosedException {
        if (closeReason != null) {
            throw new SocketClosedException(closeReason);
        }
    }

    /**
     * Closes the channel and wakes its parked tasks, which then throw a
     * {@link SocketClosedException} carrying {@code reason}. Idempotent: the first reason stays.
     */
    void close(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        if (key != null) {
            key.cancel();
        } else {
            polls.cancel(); // before the descriptor is closed: a poll in flight holds the socket open
        }
        try {
            channel().close();
        } catch (IOException ignored) {
            // closing is the end of the road: there is nobody left to tell, and the fd is gone anyway
        }
        if (reader != null) {
            reader.wake();
        }
        if (writer != null) {
            writer.wake();
        }
    }

    @Override
    public String toString() {
        return "socket " + channel();
    }
}
