package boucle.net;

import boucle.core.EventSource;
import boucle.core.StepBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * A loop's event source made of one {@link Selector}: the loop waits in {@code select}, with the
 * next timer's deadline as timeout, and {@link boucle.core.Loop#callSoonThreadsafe} interrupts it
 * through {@link Selector#wakeup()}.
 *
 * <h2>Two phases per poll</h2>
 * {@code select(Consumer, timeout)} calls its consumer under the selector's monitor, where no
 * continuation may be mounted and where we prefer to touch nothing else. So the consumer only
 * <em>collects</em>: it notes the ready ops on the key's {@link Registration} and links it into an
 * intrusive list (no allocation). Once {@code select} has returned, {@link #dispatchFired()} walks
 * that list: it wakes the parked tasks ({@code Task.wake} only enqueues them), flushes pending
 * output and drops interest nobody waits for. No task ever runs from here.
 *
 * <h2>The end of a turn flushes</h2>
 * Writes only queue ({@link Outbound}); the first write into a socket's empty queue lists that
 * socket here, and every poll begins by writing each listed queue out with one gathering write,
 * before {@code select}: the bytes of a turn leave together, and before the loop waits.
 *
 * <h2>The budget</h2>
 * The loop's sockets share one {@link StepBudget} of {@value #UNITS_PER_STEP} units per task step
 * ({@link #budget()}): see {@link AsyncSocket} for what costs a unit.
 *
 * <p>Loop-thread only, except {@link #wakeup()}.
 */
final class SelectorEventSource implements NetSource {
    /**
     * Units of work a task may do per step without waiting before it yields: Netty reads a channel
     * at most 16 times per turn ({@code maxMessagesPerRead}); 16 reads of up to 64 KiB are ~1 MiB.
     */
    static final int UNITS_PER_STEP = 16;
    /** At most this many buffers per gathering write: Linux's {@code IOV_MAX} is 1024. */
    static final int MAX_GATHER = 1024;

    private final Selector selector;
    private final StepBudget budget = new StepBudget(UNITS_PER_STEP);
    /** The queues written to during this turn, written out at the start of the next poll. */
    private final ArrayList<Runnable> toFlush = new ArrayList<>();
    /** The array of one gathering write, shared by the loop's sockets (one write at a time); holds no buffer between writes. */
    private ByteBuffer[] gather;
    private final Consumer<SelectionKey> collect = this::collect;
    /**
     * The registrations whose keys were selected in this poll, in the selector's order: the
     * socket that became ready first is served first, which keeps the latency tail short.
     */
    private Registration firstFired;
    private Registration lastFired;
    /** Tasks parked on a channel of this selector; while any is, the loop must not end. */
    private int parkedTasks;

    SelectorEventSource() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a selector", e);
        }
    }

    Selector selector() {
        return selector;
    }

    @Override
    public StepBudget budget() {
        return budget;
    }

    @Override
    public Backend backend() {
        return Backend.NIO;
    }

    /**
     * Lists {@code flush} to run when the turn ends, before the loop waits: a socket's queue lists
     * its flush once per turn. A plain callback: this side knows no socket type.
     */
    @Override
    public void flushAtTurnEnd(Runnable flush) {
        toFlush.add(flush);
    }

    @Override
    public ByteBuffer[] gatherBuffers() {
        if (gather == null) {
            gather = new ByteBuffer[MAX_GATHER];
        }
        return gather;
    }

    @Override
    public void poll(long timeoutNanos) {
        if (flushQueuedOutput() && parkedTasks == 0) {
            // the loop may have gone on only to flush (hasWaiters): it must not then wait for nothing
            timeoutNanos = 0;
        }
        try {
            if (timeoutNanos <= 0) {
                selector.selectNow(collect);
            } else if (timeoutNanos == Long.MAX_VALUE) {
                selector.select(collect, 0); // 0: no limit
            } else {
                selector.select(collect, Math.max(1, (timeoutNanos + 999_999) / 1_000_000)); // round up
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select failed: the loop cannot wait for sockets", e);
        }
        dispatchFired();
    }

    /** The end of the turn: what tasks wrote leaves in one gathering write per socket, before the loop waits. */
    private boolean flushQueuedOutput() {
        int count = toFlush.size();
        if (count == 0) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            toFlush.get(i).run(); // wakes no task: the timeout the loop chose still holds
        }
        toFlush.clear();
        return true;
    }

    /** Under the selector's monitor: only note what is ready. */
    private void collect(SelectionKey key) {
        if (key.attachment() instanceof Registration registration && !registration.isFired()) {
            registration.markFired(key.readyOps());
            if (lastFired == null) {
                firstFired = registration;
            } else {
                lastFired.setNextFired(registration);
            }
            lastFired = registration;
        }
    }

    private void dispatchFired() {
        lastFired = null;
        for (Registration next; (next = firstFired) != null; ) {
            firstFired = next.takeNextFired();
            next.dispatch();
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public boolean hasWaiters() {
        return parkedTasks > 0 || !toFlush.isEmpty(); // one more turn writes out what the last one queued
    }

    @Override
    public void taskParked() {
        parkedTasks++;
    }

    @Override
    public void taskUnparked() {
        parkedTasks--;
    }

    @Override
    public void close() {
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the selector", e);
        }
    }

    @Override
    public String toString() {
        return "SelectorEventSource[" + selector.keys().size() + " channels, " + parkedTasks + " parked tasks]";
    }
}
