package boucle.core;

/**
 * A FIFO of parked tasks with O(1) removal from anywhere, so that a wait undoes itself in its
 * {@code finally} block: {@code node = queue.add(me); try { park } finally { node.unlink(); }}.
 * A cancelled or failed wait thus leaves nothing behind.
 *
 * <h2>Granting</h2>
 * The synchronisation primitives hand what a waiter waits for (a lock, a permit, an item) straight
 * to the first waiter with {@code grantFirst}, so no later task can barge in before it runs. Rule:
 * <em>a granted wait completes</em>. A waiter cancelled before its grant leaves empty-handed; one
 * cancelled after it keeps what it was given, returns normally, and gets the cancellation at its
 * next suspension point. Nothing granted is ever lost.
 *
 * <p>Threads: every method that changes the queue refuses, before any change, a call from a thread
 * other than the one running the tasks' loop ({@link IllegalStateException}); {@link #isEmpty()},
 * {@link #size()} and {@link Node#task()} may be called from any thread (a snapshot).
 */
public final class WaitQueue {
    private final Node head = new Node(null);
    private int size;

    public WaitQueue() {
        head.next = head;
        head.previous = head;
    }

    /** One task's place in the queue. */
    public final class Node {
        private final Task<?> task;
        private Node previous;
        private Node next;
        /** Set by {@code grant...}: the waiter got what it waited for, with {@link #item}. */
        boolean granted;
        /** What was handed over (a queue's item), or what a parked producer offers. */
        Object item;

        private Node(Task<?> task) {
            this.task = task;
        }

        /** Any thread. */
        public Task<?> task() {
            return task;
        }

        /** Leaves the queue; does nothing if already out of it. */
        public void unlink() {
            task.loop.requireLoopThread();
            if (next == null) {
                return;
            }
            previous.next = next;
            next.previous = previous;
            next = null;
            previous = null;
            size--;
        }
    }

    /** Puts the task at the end of the queue. */
    public Node add(Task<?> task) {
        task.loop.requireLoopThread();
        Node node = new Node(task);
        node.previous = head.previous;
        node.next = head;
        head.previous.next = node;
        head.previous = node;
        size++;
        return node;
    }

    /** Any thread (a snapshot). */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Any thread (a snapshot). */
    public int size() {
        return size;
    }

    /** Takes the first task out of the queue, or {@code null} when empty. */
    public Task<?> removeFirst() {
        if (size == 0) {
            return null;
        }
        Node first = head.next;
        first.unlink(); // checks the thread before it changes anything
        return first.task;
    }

    /** Wakes the first task and takes it out of the queue; {@code false} when empty. */
    public boolean wakeFirst() {
        Task<?> first = removeFirst();
        if (first == null) {
            return false;
        }
        first.wake();
        return true;
    }

    /** Wakes every task in the queue, in order, and empties it. */
    public void wakeAll() {
        while (wakeFirst()) {
            // keep going
        }
    }

    /** The first waiter, still queued, or {@code null}. */
    Node first() {
        return size == 0 ? null : head.next;
    }

    /** Takes the first waiter out, marks it granted with {@code item} and wakes it; {@code null} if none. */
    Node grantFirst(Object item) {
        Node first = first();
        if (first != null) {
            first.task.loop.requireLoopThread(); // before any change: a refused grant leaves all as it was
            first.unlink();
            first.granted = true;
            first.item = item;
            first.task.wake();
        }
        return first;
    }

    /** Grants every waiter, in order, and empties the queue. */
    void grantAll(Object item) {
        while (grantFirst(item) != null) {
            // keep going
        }
    }

    /**
     * Parks the current task in this queue until a {@code grant...} reaches it; returns its node
     * (with the granted item). Cancelled before the grant: throws and leaves the queue. Granted:
     * returns even if a cancellation came meanwhile; that one waits for the next suspension point.
     */
    Node parkUntilGranted(Object waitingOn, Object offered) {
        Task<?> me = Task.current();
        Node node = add(me);
        node.item = offered;
        try {
            while (!node.granted) {
                me.parkKeepingCancellation(waitingOn);
                if (!node.granted) {
                    me.deliverCancellation();
                }
            }
            return node;
        } finally {
            node.unlink();
        }
    }

    /**
     * Parks the current task in this queue until it is woken, then takes it out whether it was
     * woken, cancelled or failed. The caller re-checks its condition afterwards.
     */
    public void park(Object waitingOn) {
        Task<?> me = Task.current();
        Node node = add(me);
        try {
            me.park(waitingOn);
        } finally {
            node.unlink();
        }
    }
}
