package boucle.net;

import boucle.core.EventSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
 * <p>Loop-thread only, except {@link #wakeup()}.
 */
final class SelectorEventSource implements EventSource {
    private final Selector selector;
    private final Consumer<SelectionKey> collect = this::collect;
    /** The registrations whose keys were selected in this poll, newest first. */
    private Registration fired;
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
    public void poll(long timeoutNanos) {
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

    /** Under the selector's monitor: only note what is ready. */
    private void collect(SelectionKey key) {
        if (key.attachment() instanceof Registration registration && !registration.isFired()) {
            registration.markFired(key.readyOps(), fired);
            fired = registration;
        }
    }

    private void dispatchFired() {
        for (Registration next; (next = fired) != null; ) {
            fired = next.takeNextFired();
            next.dispatch();
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public boolean hasWaiters() {
        return parkedTasks > 0;
    }

    void taskParked() {
        parkedTasks++;
    }

    void taskUnparked() {
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
