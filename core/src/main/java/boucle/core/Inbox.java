package boucle.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loop's one door in from other threads: actions posted by {@link Loop#callSoonThreadsafe},
 * and the wake-up of a loop blocked in its event source.
 *
 * <p>A wake-up costs a system call with a selector, so only the first post after the loop last
 * armed the inbox sends one. The loop arms it just before it may block, then looks at the inbox:
 * a post that races with that look either is seen by the look or sends the wake-up.
 */
final class Inbox {
    private final ConcurrentLinkedQueue<Runnable> actions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupSent = new AtomicBoolean();
    private final EventSource events;

    Inbox(EventSource events) {
        this.events = events;
    }

    /** Any thread. */
    void post(Runnable action) {
        actions.add(action);
        if (wakeupSent.compareAndSet(false, true)) {
            events.wakeup();
        }
    }

    /** Loop thread, just before it may block: the next post must wake it. */
    void armWakeup() {
        wakeupSent.set(false);
    }

    boolean isEmpty() {
        return actions.isEmpty();
    }

    /** Loop thread: the posted actions, oldest first, or {@code null} once there are none left. */
    Runnable take() {
        return actions.poll();
    }
}
