package boucle.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The seed's functions, for {@code import static boucle.core.Boucle.*}: drive tasks
 * ({@link #runTask}, {@link #runTasks}), give the hand back ({@link #interrupt}), wait
 * ({@link #sleep}, {@link #sleepUntil}) and combine ({@link #gather}).
 *
 * <pre>{@code
 * runTasks(
 *     () -> printMessages(Duration.ofSeconds(1), "foo", "bar", "baz"),
 *     () -> printMessages(Duration.ofMillis(700), "aaa", "bbb", "ccc"));
 * }</pre>
 *
 * Every suspending call here must be made from inside a task; elsewhere it throws an
 * {@link IllegalStateException} that says so.
 */
public final class Boucle {
    private Boucle() {
    }

    /** Drives one task, on a fresh loop, until it ends; returns its result or rethrows its failure. */
    public static <T> T runTask(Callable<T> body) {
        try (Loop loop = new Loop()) {
            return loop.runTask(body);
        }
    }

    public static void runTask(Routine body) {
        try (Loop loop = new Loop()) {
            loop.runTask(body);
        }
    }

    /**
     * Runs tasks concurrently on a fresh loop, round-robin from a FIFO as the seed does: each runs
     * one step, then goes back to the end of the queue while it is not finished. Returns when all
     * have ended; rethrows the first failure (in the order given), once all have ended.
     */
    public static void runTasks(Routine... bodies) {
        try (Loop loop = new Loop()) {
            List<Task<Void>> tasks = Arrays.stream(bodies).map(loop::spawn).toList();
            tasks.forEach(Task::markObserved);
            loop.run();
            tasks.forEach(Task::result);
        }
    }

    /** Gives the hand back to the loop: the current task goes to the end of the ready queue. */
    public static void interrupt() {
        Task.current().interruptSelf();
    }

    /**
     * Parks the current task until every other task of its loop is parked and nothing is ready:
     * see {@link Loop#waitAllTasksBlocked()}.
     */
    public static void waitAllTasksBlocked() {
        Task.current().loop.waitAllTasksBlocked();
    }

    /** Parks the current task for {@code duration}; zero or less just gives the hand back once. */
    public static void sleep(Duration duration) {
        Task<?> me = Task.current();
        sleepUntil(me.loop.now() + duration.toNanos());
    }

    /**
     * Parks the current task on a timer until {@code deadline} on the loop's clock
     * ({@link Loop#now()}). The task is in no queue while it sleeps: the loop is not polling it.
     */
    public static void sleepUntil(long deadline) {
        Task<?> me = Task.current();
        Loop loop = me.loop;
        if (deadline - loop.now() <= 0) {
            me.interruptSelf();
            return;
        }
        Handle timer = loop.callAt(deadline, me.waker());
        try {
            while (!timer.hasRun()) {
                me.park(timer);
            }
        } finally {
            timer.cancel();
        }
    }

    /**
     * Runs blocking {@code work} (a file read, a JDBC call, a long computation) on another thread
     * while the current task is parked and the loop runs the others; returns its result or
     * rethrows its exception, on the loop's thread. Cancelling the task interrupts the worker and
     * drops its result; the loop stays sound.
     *
     * <pre>{@code
     * String text = runInThread(() -> Files.readString(path));
     * }</pre>
     */
    public static <T> T runInThread(Callable<T> work) throws Exception {
        return ThreadCall.run(work);
    }

    /**
     * Runs {@code work} as a task on another loop (one of a group, on another thread) while the
     * current task is parked and its own loop runs the others; returns the work's result or
     * rethrows its exception, on the caller's loop. On the caller's own loop it just calls it.
     *
     * <pre>{@code
     * int members = Boucle.callOn(home, () -> registry.size());   // the registry lives on home
     * }</pre>
     *
     * <ul>
     *   <li>What may cross: values only (see {@link LoopBound}): a work that captured a socket, a
     *       task or a primitive is refused with an {@link IllegalArgumentException} before anything
     *       is sent, and so is such a result.</li>
     *   <li>Cancelling the calling task returns at once and cancels the work's task there.</li>
     *   <li>A target loop that is shut down, or shuts down while the work runs, ends the call with
     *       a {@link LoopClosedException}; it never hangs.</li>
     *   <li>Calls are carried by {@link Loop#callSoonThreadsafe}, whose wake-up is sent once per
     *       turn of the receiving loop: a burst of calls costs one wake-up, not one per call.</li>
     * </ul>
     * From inside a task only.
     */
    public static <T> T callOn(Loop target, Callable<T> work) throws Exception {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(work, "work");
        return LoopCall.run(target, work);
    }

    /** Starts a task on the current loop. */
    public static <T> Task<T> spawn(Callable<T> body) {
        return Loop.current().spawn(body);
    }

    public static Task<Void> spawn(Routine body) {
        return Loop.current().spawn(body);
    }

    /**
     * Awaits tasks that run concurrently and returns their results in the order given. The first
     * failure is rethrown as soon as it happens, and the tasks still running are cancelled.
     */
    @SafeVarargs
    public static <T> List<T> gather(Task<? extends T>... tasks) {
        return gather(Arrays.asList(tasks));
    }

    public static <T> List<T> gather(List<Task<? extends T>> tasks) {
        return new Gather<T>(tasks).await();
    }

    /** Starts each body as a task on the current loop, then {@linkplain #gather(Task[]) gathers} them. */
    @SafeVarargs
    public static <T> List<T> gather(Callable<? extends T>... bodies) {
        Loop loop = Loop.current();
        List<Task<? extends T>> tasks = Arrays.stream(bodies).<Task<? extends T>>map(loop::spawn).toList();
        return gather(tasks);
    }

    /** Starts each body as a task on the current loop and waits for them all, as the seed's gather. */
    public static void gather(Routine... bodies) {
        Loop loop = Loop.current();
        List<Task<?>> tasks = Arrays.stream(bodies).<Task<?>>map(loop::spawn).toList();
        gather(tasks);
    }
}
