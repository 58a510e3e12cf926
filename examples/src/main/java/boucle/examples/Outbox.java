package boucle.examples;

import boucle.core.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What this chat server has to tell the others, waiting for the room's one publisher task: a
 * bounded queue of {@link RoomWire} events, so that a slow or absent Redis never makes a member's
 * handler wait, nor this server's memory grow.
 *
 * <h2>Drop policy</h2>
 * <ul>
 *   <li>Full ({@code maxBytes} of events waiting): the new event is dropped, the queued ones are
 *       kept. What the others get is then each sender's lines in order, with a gap, never out of
 *       order; the members here got the line anyway (their delivery does not go through here).</li>
 *   <li>Closed (the link to Redis is down): everything is dropped, what was queued too. Lines said
 *       during an outage are not replayed minutes later out of their conversation, and who is
 *       where travels again in the first heartbeat after the link is back.</li>
 * </ul>
 * Every drop is counted ({@link #dropped()}); the room logs the count.
 *
 * <p>Loop-thread only (the room's home loop).
 */
final class Outbox {
    private final ArrayDeque<String> events = new ArrayDeque<>();
    private final int maxBytes;
    private final Event ready = new Event();
    private int bytes;
    private boolean open = true;
    private long dropped;

    Outbox(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Queues {@code event} for the publisher; {@code false} if it was dropped (see the drop policy). Never parks. */
    boolean offer(String event) {
        int size = event.length() + 1;
        if (!open || bytes + size > maxBytes) {
            dropped++;
            return false;
        }
        events.add(event);
        bytes += size;
        ready.set();
        return true;
    }

    /**
     * Takes the oldest events, at least one, as many as fit in {@code maxBatchBytes}; parks while
     * there is none.
     */
    List<String> take(int maxBatchBytes) {
        while (events.isEmpty()) {
            ready.clear();
            ready.await();
        }
        List<String> batch = new ArrayList<>();
        int batchBytes = 0;
        while (!events.isEmpty() && (batch.isEmpty() || batchBytes + events.peek().length() + 1 <= maxBatchBytes)) {
            String event = events.poll();
            batchBytes += event.length() + 1;
            batch.add(event);
        }
        bytes -= batchBytes;
        return batch;
    }

    /** {@code count} events taken were not delivered after all (their publish failed): counted as dropped. */
    void lost(int count) {
        dropped += count;
    }

    /** The link is down: drops what waits, and every event offered until {@link #open()}. */
    void close() {
        dropped += events.size();
        events.clear();
        bytes = 0;
        open = false;
    }

    void open() {
        open = true;
    }

    boolean isOpen() {
        return open;
    }

    /** Events dropped since the start. */
    long dropped() {
        return dropped;
    }

    /** Bytes waiting. */
    int bytes() {
        return bytes;
    }
}
