package boucle.core;

/**
 * The first phase of a turn: wait for events, then take in what other threads posted.
 *
 * <p>How long to wait: not at all when work is ready or a stop was asked (only a look, so ready
 * work never waits behind the event source); otherwise until the next timer, or for good when
 * there is none: an idle loop uses no CPU. A {@link VirtualClock} may shorten that wait to a look
 * and jump to the next timer instead. The inbox is armed before an idle wait, so an action posted
 * while the loop looks is either seen by the look or wakes the wait.
 *
 * <p>When nothing is ready after the wait, every task is blocked: the oldest task parked in
 * {@link Loop#waitAllTasksBlocked()} goes on, else a virtual clock jumps to the next timer.
 * Loop thread only.
 */
final class EventWait {
    private final Loop loop;
    private final Clock clock;
    private final EventSource events;
    private final Inbox inbox;
    private final ReadyQueue ready;
    private final TimerHeap timers;
    /** Tasks parked in {@link Loop#waitAllTasksBlocked()}; made by the first, as most loops have none. */
    private WaitQueue allBlockedWaiters;

    EventWait(Loop loop, Clock clock, EventSource events, Inbox inbox, ReadyQueue ready, TimerHeap timers) {
        this.loop = loop;
        this.clock = clock;
        this.events = events;
        this.inbox = inbox;
        this.ready = ready;
        this.timers = timers;
    }

    /**
     * Waits for events as the class notes say, then moves the actions posted from other threads
     * to the ready queue. {@code threadCallsInFlight}: calls of {@link Boucle#runInThread} not back
     * yet, which a virtual clock must wait for rather than jump past.
     */
    void waitForEvents(boolean stopRequested, int threadCallsInFlight) {
        if (!ready.isEmpty() || stopRequested) {
            events.poll(0); // only look: ready work must not wait
        } else {
            inbox.armWakeup(); // before looking, so a post racing with the look is kept
            events.poll(inbox.isEmpty() ? idleWaitNanos(threadCallsInFlight) : 0);
        }
        for (Runnable action; (action = inbox.take()) != null; ) {
            if (action instanceof Refusable refusable && inbox.isRefusing()) {
                refusable.refused(); // closing: a cross-loop call must hear it, not start on a dying loop
            } else {
                loop.callSoon(action);
            }
        }
        if (ready.isEmpty() && !stopRequested) {
            everyTaskBlocked();
        }
    }

    /** How long an idle loop waits: until the next timer; only a look if a task waits for idleness. */
    private long idleWaitNanos(int threadCallsInFlight) {
        if (hasAllBlockedWaiters()) {
            return 0;
        }
        Handle next = timers.first();
        long untilTimer = next == null ? Long.MAX_VALUE : Math.max(0, next.deadline - clock.nanoTime());
        if (clock instanceof VirtualClock virtual) {
            return virtual.idleWaitNanos(events.hasWaiters() || threadCallsInFlight > 0, untilTimer);
        }
        return untilTimer;
    }

    /**
     * Nothing is ready after the wait: every task is parked. The oldest task in
     * {@link Loop#waitAllTasksBlocked()} goes on first; otherwise a virtual clock may jump to the next timer.
     */
    private void everyTaskBlocked() {
        Handle next = timers.first();
        if (next != null && next.deadline - clock.nanoTime() <= 0) {
            return; // a timer is due: its task is about to be ready, so not every task is blocked
        }
        if (allBlockedWaiters != null && allBlockedWaiters.wakeFirst()) {
            return;
        }
        if (clock instanceof VirtualClock virtual) {
            virtual.loopIdle(next);
        }
    }

    /** Parks the current task until every task is blocked; see {@link Loop#waitAllTasksBlocked()}. */
    void parkUntilAllBlocked() {
        if (allBlockedWaiters == null) {
            allBlockedWaiters = new WaitQueue();
        }
        allBlockedWaiters.park("every other task to block");
    }

    /** Whether a task waits for every task to block: work, since the loop will wake it. */
    boolean hasAllBlockedWaiters() {
        return allBlockedWaiters != null && !allBlockedWaiters.isEmpty();
    }
}
