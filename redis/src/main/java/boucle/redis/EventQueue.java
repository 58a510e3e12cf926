package boucle.redis;

import boucle.core.Task;
import boucle.core.WaitQueue;
import java.util.ArrayDeque;

/**
 * A {@link RedisSubscriber}'s events on their way to {@link RedisSubscriber#receive()}: bounded
 * for messages, which the link's reader waits to add until there is room (so a slow receiver
 * slows the reading of the socket, and memory stays bounded), unbounded for the link's own
 * events, which are at most two per loss and must never wait behind messages.
 *
 * <p>Loop-thread only; the waits park the calling task and undo themselves.
 */
final class EventQueue {
    private final int maxMessages;
    private final ArrayDeque<RedisEvent> events = new ArrayDeque<>();
    private int messages;
    private boolean closed;
    private final WaitQueue receivers = new WaitQueue();
    private final WaitQueue roomWaiters = new WaitQueue();

    EventQueue(int maxMessages) {
        this.maxMessages = maxMessages;
    }

    /**
     * Adds a message, first parking until fewer than the bound are queued.
     *
     * @return {@code false} if the queue was closed meanwhile (the message is dropped)
     */
    boolean putMessage(RedisEvent.Message message, Object owner) {
        Task<?> me = Task.current();
        while (messages >= maxMessages && !closed) {
            WaitQueue.Node node = roomWaiters.add(me);
            try {
                me.park("room in the event queue of " + owner);
            } finally {
                node.unlink();
            }
        }
        if (closed) {
            return false;
        }
        messages++;
        add(message);
        return true;
    }

    /** Adds a message past the bound, never parking: the few held back while the link came back. */
    void forceMessage(RedisEvent.Message message) {
        messages++;
        add(message);
    }

    /** Adds a link event; never parks, whatever the queue holds. */
    void putLinkEvent(RedisEvent event) {
        add(event);
    }

    private void add(RedisEvent event) {
        events.addLast(event);
        receivers.wakeFirst();
    }

    /**
     * Parks until an event is queued and takes it.
     *
     * @throws RedisUnavailableException once the queue is closed ({@code closedMessage} says why)
     */
    RedisEvent take(Object owner, String closedMessage) throws RedisUnavailableException {
        Task<?> me = Task.current();
        while (events.isEmpty() && !closed) {
            WaitQueue.Node node = receivers.add(me);
            try {
                me.park("the next event of " + owner);
            } finally {
                node.unlink();
            }
        }
        if (closed) {
            throw new RedisUnavailableException(closedMessage);
        }
        return removeFirst();
    }

    /** The first event, or {@code null} if none is queued; never parks. */
    RedisEvent poll() {
        return events.isEmpty() ? null : removeFirst();
    }

    private RedisEvent removeFirst() {
        RedisEvent event = events.removeFirst();
        if (event instanceof RedisEvent.Message) {
            messages--;
            roomWaiters.wakeFirst();
        }
        return event;
    }

    int size() {
        return events.size();
    }

    /** Drops what is queued and wakes every waiter: receivers throw, the reader drops its message. */
    void close() {
        closed = true;
        events.clear();
        messages = 0;
        receivers.wakeAll();
        roomWaiters.wakeAll();
    }
}
