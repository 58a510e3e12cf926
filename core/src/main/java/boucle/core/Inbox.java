package boucle.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loop's one door in from other threads: actions posted by {@link Loop#callSoonThreadsafe},
 * and the wake-up of a loop blocked in its event source.
 *
 * <p>A wake-up costs a system call with a selector, so only the first post after the loop last
 * armed the inbox sends one. The loop arms it just before it may block, then looks at the inbox:
 * a post that races with that look either is seen by the look or sends the wake-up. So a burst of
 * posts from other threads (cross-loop calls, a chat line fanned out) costs one wake-up per turn
 * of the receiving loop, not one per post.
 *
 * <h2>Refusing, once the loop closes</h2>
 * A {@link Refusable} action must not vanish into a closed loop: its poster waits for it. Once
 * {@link #refuse()} was called, {@link #postUnlessRefused} refuses new ones, and the loop hands
 * those already queued their {@link Refusable#refused()}. A post racing with the refusal adds the
 * action, then sees the flag and tries to take it back: whoever removes it from the queue (the
 * poster, or the loop's drain) decides, so exactly one of run, refused or a refused post happens.
 */
final class Inbox {
    private final ConcurrentLinkedQueue<Runnable> actions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupSent = new AtomicBoolean();
    private final EventSource events;
    private volatile boolean refusing;

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

    /**
     * Posts {@code action} unless the loop has begun closing; {@code false} when refused (then the
     * action will never run nor hear {@code refused()}). Any thread.
     */
    boolean postUnlessRefused(Refusable action) {
        if (refusing) {
            return false;
        }
        post(action);
        return !(refusing && actions.remove(action)); // raced with the refusal: whoever removes it decides
    }

    /** Loop thread, as the loop begins closing: refusable actions are refused from now on. */
    void refuse() {
        refusing = true;
    }

    boolean isRefusing() {
        return refusing;
    }

    /** Loop thread, once closed: the refusable actions still queued hear it; the others are dropped. */
    void drainRefused() {
        for (Runnable action; (action = actions.poll()) != null; ) {
            if (action instanceof Refusable refusable) {
                refusable.refused();
            }
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
