package boucle.core;

import java.util.concurrent.Callable;

/**
 * One {@link Boucle#callOn} call: work run as a task on another loop while the calling task is
 * parked on its own, the outcome handed back on the caller's loop.
 *
 * <h2>The trip</h2>
 * <pre>
 *   caller loop                          target loop
 *   post request ---callSoonThreadsafe--> spawn the work as a task
 *   park                                  ... it runs, may park ...
 *   wake, return or rethrow <--callSoonThreadsafe-- its whenDone hands the outcome back
 * </pre>
 * Both legs go through the receiving loop's one door, whose wake-up is sent once per turn (see
 * {@link Inbox}): a burst of calls to a loop costs that loop one wake-up, not one per call.
 *
 * <h2>Every way it can end</h2>
 * <ul>
 *   <li>Result or failure of the work: handed back as it is (a checked exception too). A result
 *       that is {@link LoopBound} is refused there and an {@link IllegalArgumentException} comes
 *       back instead (see {@link CrossLoop}).</li>
 *   <li>The caller is cancelled: it leaves at once, and the work's task is cancelled on its loop
 *       (through that loop's door); whatever it returns later is dropped.</li>
 *   <li>The target loop closes before it takes the request (or is already closing): the request is
 *       refused and the caller gets a {@link LoopClosedException}. It closes while the work runs:
 *       the work's task is cancelled by the close and the caller gets a {@link LoopClosedException}
 *       too. Either way, no hang.</li>
 * </ul>
 * While a call is out, the caller's loop counts it as work (as {@link ThreadCall} does), so it
 * neither ends nor calls its task stranded.
 */
final class LoopCall<T> implements Refusable {
    private final Task<?> caller;
    private final Loop home;
    private final Loop target;
    private final Callable<T> work;
    /** Set on the caller's thread when the caller leaves without the outcome; read by the target. */
    private volatile boolean abandoned;
    /** Target-loop thread only. */
    private Task<T> remote;
    // caller-loop thread only
    private boolean done;
    private boolean counted;
    private T result;
    private Throwable failure;

    private LoopCall(Task<?> caller, Loop target, Callable<T> work) {
        this.caller = caller;
        this.home = caller.loop;
        this.target = target;
        this.work = work;
    }

    static <T> T run(Loop target, Callable<T> work) throws Exception {
        Task<?> me = Task.current();
        if (target == me.loop) {
            return work.call(); // already there: no trip to make
        }
        CrossLoop.requireWorkMayCross(work, target);
        return new LoopCall<>(me, target, work).await();
    }

    private T await() throws Exception {
        if (!target.postUnlessClosing(this)) {
            throw closedBefore();
        }
        home.threadCallStarted();
        counted = true;
        try {
            while (!done) {
                caller.parkKeepingCancellation(this); // an outcome already back is kept, as a granted wait
                if (!done) {
                    caller.deliverCancellation();
                }
            }
        } finally {
            if (!done) { // cancelled: let the other loop drop the work; its outcome will find nobody
                abandoned = true;
                uncount();
                target.callSoonThreadsafe(this::cancelRemote);
            }
        }
        return outcome();
    }

    /** On the target loop: start the work as a task, unless the caller left meanwhile. */
    @Override
    public void run() {
        if (abandoned) {
            return;
        }
        remote = target.spawn("call from the loop on '" + home.threadName() + "'", work);
        remote.markObserved(); // its failure is the caller's to see
        remote.whenDone(this::remoteEnded);
    }

    /** On the target loop, closing before it ran the request. */
    @Override
    public void refused() {
        handBackLater(null, closedBefore());
    }

    private void remoteEnded() {
        if (abandoned) {
            return;
        }
        Throwable thrown = remote.exception();
        T value = thrown == null ? remote.result() : null;
        if (thrown instanceof CancelledException cancelled) {
            thrown = target.isClosing()
                    ? closedDuring(cancelled)
                    : new IllegalStateException("the call's task on the loop on '" + target.threadName()
                            + "' was cancelled there", cancelled);
        } else if (thrown == null) {
            thrown = CrossLoop.refusalOfResult(value, target);
            if (thrown != null) {
                value = null;
            }
        }
        handBackLater(value, thrown);
    }

    private void cancelRemote() {
        if (remote != null) {
            remote.cancel(new CancelledException("the task that called from the loop on '" + home.threadName()
                    + "' was cancelled"));
        }
    }

    /** From the target's thread: the outcome crosses back through the caller loop's door, which publishes it. */
    private void handBackLater(T value, Throwable thrown) {
        home.callSoonThreadsafe(() -> handBack(value, thrown));
    }

    /** On the caller's loop. */
    private void handBack(T value, Throwable thrown) {
        if (done || abandoned) {
            return;
        }
        result = value;
        failure = thrown;
        done = true;
        uncount();
        if (caller.waitingOn() == this) {
            caller.wake();
        }
    }

    private void uncount() {
        if (counted) {
            counted = false;
            home.threadCallEnded();
        }
    }

    private T outcome() throws Exception {
        if (failure instanceof Exception exception) {
            throw exception;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return result;
    }

    private LoopClosedException closedBefore() {
        return new LoopClosedException("the loop on '" + target.threadName()
                + "' is shut down: it did not run the call");
    }

    private LoopClosedException closedDuring(CancelledException cancelled) {
        LoopClosedException closed = new LoopClosedException("the loop on '" + target.threadName()
                + "' shut down while it ran the call: the call's task was cancelled");
        closed.initCause(cancelled);
        return closed;
    }

    @Override
    public String toString() {
        return "a call to the loop on '" + target.threadName() + "'";
    }
}
