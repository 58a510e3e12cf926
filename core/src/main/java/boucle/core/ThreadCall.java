package boucle.core;

import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;

/**
 * One {@link Boucle#runInThread} call: blocking work run on another thread while the calling task
 * is parked, its outcome handed back on the loop's thread.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>The work runs on a fresh virtual thread (started once per call; it always runs and always
 *       reports back, which is what keeps the loop's count of calls in flight exact); the task is parked (the loop runs
 *       others) and woken through {@link Loop#callSoonThreadsafe}, the one door between threads.</li>
 *   <li>While a call is out, the loop counts it as work: it neither ends nor reports its tasks as
 *       stranded.</li>
 *   <li>Cancelling the waiting task interrupts the worker thread and leaves at once; whatever the
 *       work returns later is dropped, and the task, which has moved on, is not woken by it (the
 *       wake-up checks that the task still waits on this very call).</li>
 * </ul>
 */
final class ThreadCall<T> {
    /** Virtual threads: cheap to start per call, and daemon, so they never keep the JVM alive. */
    private static final ThreadFactory WORKERS = Thread.ofVirtual().name("boucle-runInThread-", 0).factory();

    private final Task<?> task;
    private final Loop loop;
    private T result;
    private Throwable failure;
    /** Written on the loop's thread only, when the outcome has been handed back. */
    private boolean done;

    private ThreadCall(Task<?> task) {
        this.task = task;
        this.loop = task.loop;
    }

    static <T> T run(Callable<T> work) throws Exception {
        ThreadCall<T> call = new ThreadCall<>(Task.current());
        return call.await(work);
    }

    private T await(Callable<T> work) throws Exception {
        loop.threadCallStarted();
        Thread worker = WORKERS.newThread(() -> work(work));
        worker.start();
        try {
            while (!done) {
                task.parkKeepingCancellation(this); // a result already back is kept, as a granted wait
                if (!done) {
                    task.deliverCancellation();
                }
            }
        } finally {
            if (!done) {
                worker.interrupt(); // cancelled: stop a blocking call early; its outcome will be dropped
            }
        }
        return outcome();
    }

    /** On the worker thread: the outcome crosses back through callSoonThreadsafe, which publishes it. */
    private void work(Callable<T> work) {
        T value = null;
        Throwable thrown = null;
        try {
            value = work.call();
        } catch (Exception | Error e) {
            thrown = e; // handed back to the waiting task, which rethrows it
        }
        T finalValue = value;
        Throwable finalThrown = thrown;
        loop.callSoonThreadsafe(() -> handBack(finalValue, finalThrown));
    }

    /** On the loop's thread. */
    private void handBack(T value, Throwable thrown) {
        result = value;
        failure = thrown;
        done = true;
        loop.threadCallEnded();
        if (task.waitingOn() == this) {
            task.wake(); // only if the task still waits for this call, not for something else
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

    @Override
    public String toString() {
        return "runInThread";
    }
}
