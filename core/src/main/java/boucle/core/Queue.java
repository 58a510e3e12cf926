package boucle.core;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A FIFO channel between tasks, bounded or not, as asyncio's {@code Queue} with trio's close.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@link #get()} parks while the queue is empty; {@link #put} parks while a bounded queue is
 *       full. Both are FIFO-fair: an item goes straight to the getter that has waited longest, a
 *       freed place straight to the putter that has waited longest (its item joins the queue),
 *       so a newcomer never overtakes a waiting task.</li>
 *   <li>A hand-off completes: a getter cancelled after it was handed an item returns the item
 *       (the cancellation comes at its next suspension point); a putter cancelled after its item
 *       was taken in returns normally. One cancelled before leaves the queue with nothing lost.</li>
 *   <li>{@link #close()}: later {@code put}s fail with {@link QueueClosedException}, and so do
 *       putters parked at that moment (their items were not taken). Items already in the queue
 *       can still be taken; {@code get} fails once the closed queue is empty, at once for getters
 *       parked at that moment.</li>
 *   <li>No {@code null} items.</li>
 * </ul>
 *
 * <pre>{@code
 * Queue<String> lines = Queue.bounded(16);
 * loop.spawn(() -> { for (String line : input) lines.put(line); lines.close(); });
 * loop.spawn(() -> { while (true) handle(lines.get()); });   // ends with QueueClosedException
 * }</pre>
 *
 * <p>Threads: it belongs to the loop that made it, or else to the first loop that uses it. While
 * that loop runs, a call from another thread is refused with an {@link IllegalStateException}
 * before it changes anything ({@code loop.callSoonThreadsafe(...)} is the way in); only the
 * getters marked "Any thread" may be called from anywhere, and return a snapshot.
 */
public final class Queue<T> {
    /** Granted to parked tasks by {@link #close()}, instead of an item or a place. */
    private static final Object CLOSED = new Object();

    private final int capacity;
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final WaitQueue getters = new WaitQueue();
    private final WaitQueue putters = new WaitQueue();
    private final LoopBinding binding = new LoopBinding();
    private boolean closed;

    private Queue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a bounded queue needs a capacity of 1 or more, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** A queue holding at most {@code capacity} items: {@code put} parks while it is full. Any thread. */
    public static <T> Queue<T> bounded(int capacity) {
        return new Queue<>(capacity);
    }

    /** A queue that never fills: {@code put} never parks. Any thread. */
    public static <T> Queue<T> unbounded() {
        return new Queue<>(Integer.MAX_VALUE);
    }

    /** Adds {@code item}, parking the current task while the queue is full. */
    public void put(T item) {
        binding.requireLoopThread();
        if (offer(item)) {
            return;
        }
        if (putters.parkUntilGranted(this, item).item == CLOSED) {
            throw closedForPut();
        }
    }

    /** Adds {@code item} if that needs no wait; {@code false} if the queue is full. */
    public boolean offer(T item) {
        binding.requireLoopThread();
        Objects.requireNonNull(item, "a queue holds no null items");
        if (closed) {
            throw closedForPut();
        }
        if (getters.grantFirst(item) != null) {
            return true; // a getter was waiting, so the queue was empty: hand it over directly
        }
        if (items.size() < capacity && putters.isEmpty()) {
            items.addLast(item);
            return true;
        }
        return false;
    }

    /** Takes the oldest item, parking the current task while the queue is empty. */
    @SuppressWarnings("unchecked")
    public T get() {
        binding.requireLoopThread();
        T item = poll();
        if (item != null) {
            return item;
        }
        if (closed) {
            throw closedForGet();
        }
        Object given = getters.parkUntilGranted(this, null).item;
        if (given == CLOSED) {
            throw closedForGet();
        }
        return (T) given;
    }

    /** Takes the oldest item if there is one, without suspending; {@code null} when empty. */
    @SuppressWarnings("unchecked")
    public T poll() {
        binding.requireLoopThread();
        T item = items.pollFirst();
        if (item != null) {
            WaitQueue.Node putter = putters.first();
            if (putter != null) {
                items.addLast((T) putter.item); // the freed place goes to the putter that waited longest
                putters.grantFirst(null);
            }
        }
        return item;
    }

    /**
     * Closes the queue: no more puts; parked putters fail, parked getters fail (the queue is empty
     * when getters wait); items already in can still be taken. Closing twice does nothing.
     */
    public void close() {
        binding.requireLoopThread();
        if (closed) {
            return;
        }
        closed = true;
        putters.grantAll(CLOSED);
        getters.grantAll(CLOSED);
    }

    /** Any thread (a snapshot). */
    public boolean isClosed() {
        return closed;
    }

    /** Any thread (a snapshot). */
    public int size() {
        return items.size();
    }

    /** Any thread (a snapshot). */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** The capacity; {@link Integer#MAX_VALUE} for an unbounded queue. Any thread. */
    public int capacity() {
        return capacity;
    }

    /** How many tasks are parked in {@code get}; a diagnostic for tests and dumps. Any thread (a snapshot). */
    public int waitingGetters() {
        return getters.size();
    }

    /** How many tasks are parked in {@code put}. Any thread (a snapshot). */
    public int waitingPutters() {
        return putters.size();
    }

    private QueueClosedException closedForPut() {
        return new QueueClosedException("put on a closed queue: its consumers expect no more items");
    }

    private QueueClosedException closedForGet() {
        return new QueueClosedException("get on a closed queue that has no items left");
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Queue[" + items.size() + (capacity == Integer.MAX_VALUE ? "" : "/" + capacity) + ", "
                + getters.size() + " getting, " + putters.size() + " putting" + (closed ? ", closed" : "") + "]";
    }
}
