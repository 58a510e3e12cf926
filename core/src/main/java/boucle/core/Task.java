package boucle.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A coroutine and its outcome: a body of plain sequential code that the loop runs step by step,
 * each step lasting until the body gives the hand back ({@link Boucle#interrupt()},
 * {@link Boucle#sleep}, awaiting a task, a {@link Waiter}, a socket...).
 *
 * <pre>{@code
 * Task<String> greeting = loop.spawn(() -> { Boucle.sleep(Duration.ofMillis(10)); return "hi"; });
 * String text = greeting.await();   // from inside another task
 * }</pre>
 *
 * <h2>States</h2>
 * <pre>
 *   NEW --first step--> RUNNING --interrupt()--> READY --step--> RUNNING ...
 *                          |  \--park()--> PARKED --wake()/cancel()--> READY
 *                          \--body returns or throws--> DONE
 * </pre>
 * A {@code PARKED} task is in no queue of the loop at all: only what it waits on holds it, and
 * that puts it back with {@link #wake()}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Threads: every method that reads or changes the task's outcome or its waits is for its
 *       loop's thread, and refuses a call from another thread while the loop runs, before any
 *       change. The getters marked "Any thread" ({@link #name()}, {@link #state()},
 *       {@link #isDone()}...) may be called from anywhere and return a snapshot.</li>
 *   <li>A failure is kept and rethrown to every awaiter. A failure that ends a task nobody awaits
 *       is logged once through {@link System.Logger} (or goes to the loop's
 *       {@link Loop#setUnobservedFailureHandler handler}), and the loop goes on.</li>
 *   <li>Cancellation: {@link #cancel()} delivers a {@link CancelledException} at the task's
 *       current or next suspension point, once; its {@code finally} blocks run, the task ends
 *       cancelled and its awaiters get a {@code CancelledException}. A parked task is woken and
 *       leaves what it waited on (every wait deregisters in {@code finally}). A cancel that comes
 *       inside {@link #shielded} waits for the first suspension point after it. Timeouts and
 *       groups cancel a part of the body instead (see {@code CancelScope}).</li>
 *   <li>A wait that was granted what it waited for (a lock, a permit, an item, a thread call's
 *       result) completes even if a cancel came meanwhile; that cancel comes at the next
 *       suspension point, so nothing granted is lost.</li>
 *   <li>No {@code synchronized} across a suspension point: a suspended task keeps the monitor, and
 *       the next task to enter it blocks the loop's thread for good.</li>
 * </ul>
 */
public final class Task<T> {
    /** Where a task is in its life; see the class diagram. */
    public enum State { NEW, READY, RUNNING, PARKED, DONE }

    final Loop loop;
    private final long id;
    private String name;
    private final Coroutine coroutine;
    /** What the task runs; dropped once it has returned, so a finished task keeps nothing of it. */
    private Callable<? extends T> body;
    /** Put in the loop's ready queue to run the next step; made once, not per step. */
    final Step step = new Step();
    /** A timer action that wakes this task; see {@link #waker()}. */
    private Runnable waker;

    private State state = State.NEW;
    private T result;
    private Throwable failure;
    private boolean observed;
    private Object waitingOn;
    /** An explicit {@link #cancel}: delivered once, at the next suspension point outside a shield. */
    private RuntimeException pendingCancellation;
    /** The outermost open scope that was cancelled: delivered at every suspension point until it closes. */
    private CancelScope cancelledScope;
    /** The innermost open cancel scope (timeouts, groups) of this task's body. */
    CancelScope innermostScope;
    private int shieldDepth;
    /** Tasks parked in {@link #await()}; made by the first awaiter, as most tasks have none. */
    private WaitQueue awaiters;
    /**
     * What {@link #whenDone} registered, in order, run once as the task ends: each a
     * {@link Runnable} or an {@link EndListener}. Made by the first, as most tasks have none. A
     * plain array, one slot per listener: a server's connection task has two, and an idle
     * connection should carry no more than they need.
     */
    private Object[] doneListeners;

    /** Links in the loop's list of live tasks, for dumps and deadlock reports. */
    Task<?> previousLive;
    Task<?> nextLive;

    Task(Loop loop, long id, String name, Callable<? extends T> body) {
        ExportCheck.requireContinuationAccess();
        Objects.requireNonNull(body, "body");
        this.loop = loop;
        this.id = id;
        this.name = name;
        this.body = body;
        this.coroutine = new Coroutine(this, new Body());
    }

    /** The task running right now. Any thread: outside a task it throws, whatever the thread. */
    public static Task<?> current() {
        Task<?> task = currentTaskIfAny();
        if (task == null) {
            throw new IllegalStateException("this call suspends the current task, but it was made outside"
                    + " any Boucle task: run the code inside a task (Boucle.runTask, loop.spawn, ...)");
        }
        return task;
    }

    /** The current task, or {@code null} outside any; safe to call without the export. */
    static Task<?> currentTaskIfAny() {
        ExportCheck.requireContinuationAccess(); // before Coroutine loads, which needs the export
        return Coroutine.currentTask();
    }

    /** Any thread. */
    public String name() {
        if (name == null) {
            name = "task-" + id;
        }
        return name;
    }

    /** Any thread (a snapshot). */
    public State state() {
        return state;
    }

    /** Any thread (a snapshot). */
    public boolean isDone() {
        return state == State.DONE;
    }

    /** Any thread (a snapshot). */
    public boolean isCancelled() {
        return state == State.DONE && failure instanceof CancelledException;
    }

    /** What the parked task waits on (a timer, a waiter, a socket...), or {@code null}. Any thread (a snapshot). */
    public Object waitingOn() {
        return waitingOn;
    }

    /** The suspended task's stack, innermost first; empty while it runs or once it is done. Loop thread. */
    public StackTraceElement[] stack() {
        loop.requireLoopThread();
        return coroutine.stack();
    }

    /**
     * Parks the current task until this one is done, then returns its result or rethrows its
     * failure (checked exceptions wrapped in {@link TaskFailedException}).
     */
    public T await() {
        Task<?> me = current();
        if (me == this) {
            throw new IllegalStateException("task '" + name() + "' cannot await itself");
        }
        if (me.loop != loop) {
            throw new IllegalStateException("task '" + name() + "' runs on another loop: a task can only await"
                    + " tasks of its own loop");
        }
        observed = true;
        while (state != State.DONE) {
            awaiters().park(this);
        }
        return outcome();
    }

    /**
     * Runs {@code listener} on the loop's thread right after this task ends, whatever the outcome:
     * a result, a failure or a cancellation, including a cancellation that came before the body
     * ever ran. If the task has already ended, the listener runs at once, before this method
     * returns. Listeners run in the order they were added, after the task has left the loop's
     * live tasks and before the tasks that {@link #await()} it are woken.
     *
     * <pre>{@code
     * Task<Void> handler = loop.spawn(() -> serve(socket));
     * handler.whenDone(socket::close);   // even if the handler is cancelled before it starts
     * }</pre>
     *
     * A listener is a plain callback, not a task: it must not park (when the task ends it runs
     * outside any task, where a suspending call fails), and it should be short. A listener that throws does not stop the
     * others: its failure is logged once at ERROR and the loop goes on. Loop-thread only.
     */
    public void whenDone(Runnable listener) {
        addDoneListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * A listener told which task ended: one object serves many tasks (a {@link TaskGroup} all its
     * children), where a {@code Runnable} per task would be one more object per task.
     */
    interface EndListener {
        void taskEnded(Task<?> task);
    }

    /** {@link #whenDone(Runnable)}, for a listener that is told which task ended. Loop-thread only. */
    void whenDone(EndListener listener) {
        addDoneListener(Objects.requireNonNull(listener, "listener"));
    }

    private void addDoneListener(Object listener) {
        loop.requireLoopThread();
        if (state == State.DONE) {
            runListeners(new Object[] {listener});
            return;
        }
        if (doneListeners == null) {
            doneListeners = new Object[] {listener};
        } else {
            doneListeners = Arrays.copyOf(doneListeners, doneListeners.length + 1);
            doneListeners[doneListeners.length - 1] = listener;
        }
    }

    /**
     * Parks the current task until this one is done, whatever its outcome, with cancellation held
     * back: for cleanup that must not leave a task behind (a group, a gather).
     */
    void joinShielded() {
        Task<?> me = current();
        me.enterShield();
        try {
            while (state != State.DONE) {
                awaiters().park(this);
            }
        } finally {
            me.exitShield();
        }
    }

    /** The result of a finished task; rethrows its failure; an error if it has not finished. */
    public T result() {
        loop.requireLoopThread();
        if (state != State.DONE) {
            throw new IllegalStateException("task '" + name() + "' has not finished (it is " + state + ")");
        }
        observed = true;
        return outcome();
    }

    /** The failure of a finished task, or {@code null} if it returned normally. */
    public Throwable exception() {
        loop.requireLoopThread();
        if (state != State.DONE) {
            throw new IllegalStateException("task '" + name() + "' has not finished (it is " + state + ")");
        }
        observed = true;
        return failure;
    }

    /**
     * Asks the task to stop: a {@link CancelledException} is raised inside it at its current
     * suspension point (it is woken if parked) or at its next one. Returns {@code false} if it had
     * already finished.
     */
    public boolean cancel() {
        return cancel(new CancelledException("task '" + name() + "' was cancelled"));
    }

    /**
     * Cancels with a given exception, for timeouts and groups that need to recognise their own
     * cancellation when it comes back out of the task.
     */
    public boolean cancel(RuntimeException reason) {
        Objects.requireNonNull(reason, "reason");
        loop.requireLoopThread();
        if (state == State.DONE) {
            return false;
        }
        if (pendingCancellation == null) {
            pendingCancellation = reason;
        }
        if (state == State.PARKED && shieldDepth == 0) {
            wake();
        }
        return true;
    }

    /** Whether a cancellation waits to be delivered at the task's next suspension point. Any thread (a snapshot). */
    public boolean isCancelling() {
        return pendingCancellation != null || cancelledScope != null;
    }

    /**
     * Runs {@code body} in the current task with cancellation held back: a cancel (or a timeout)
     * that arrives meanwhile does not wake the task, and is delivered at the first suspension point
     * after the body. For critical sections that must not stop halfway, such as a graceful close.
     *
     * <pre>{@code
     * Task.shielded(() -> { connection.sendGoodbye(); return null; });   // runs to its end
     * }</pre>
     */
    public static <R> R shielded(Callable<R> body) throws Exception {
        Task<?> me = current();
        me.shieldDepth++;
        try {
            return body.call();
        } finally {
            me.shieldDepth--;
        }
    }

    /** Holds cancellation back, as {@link #shielded} does, for waits that must not be cut short. */
    void enterShield() {
        shieldDepth++;
    }

    void exitShield() {
        shieldDepth--;
    }

    /** A scope of this task was cancelled: the outermost such scope is the one delivered. */
    void scopeCancelled(CancelScope scope) {
        if (state == State.DONE) {
            return;
        }
        if (cancelledScope == null || scope.depth < cancelledScope.depth) {
            cancelledScope = scope;
        }
        if (state == State.PARKED && shieldDepth == 0) {
            wake();
        }
    }

    /** A scope of this task closed: its cancellation, if it was the one delivered, is over. */
    void scopeClosed(CancelScope scope) {
        innermostScope = scope.parent;
        if (cancelledScope == scope) {
            cancelledScope = null;
        }
    }

    /**
     * Parks this task, which must be the current one, until {@link #wake()} or {@link #cancel()}.
     * Whoever calls it must already be registered where the wake-up will come from, and must
     * deregister in a {@code finally} block. Throws the pending cancellation, if any, when the task
     * resumes.
     *
     * @param waitingOn what the task waits on, shown in task dumps
     */
    public void park(Object waitingOn) {
        requireCurrent();
        // parkKeepingCancellation written out: every frame between a parked task's body and the
        // suspension stays in its stack chunk for as long as it waits (an idle connection: for hours)
        deliverCancellation();
        this.waitingOn = waitingOn;
        state = State.PARKED;
        try {
            Coroutine.suspend();
        } finally {
            this.waitingOn = null;
        }
        deliverCancellation();
    }

    /**
     * Parks like {@link #park} but, once woken, leaves a cancellation that came meanwhile pending:
     * for waits that were granted what they waited for, and must not lose it.
     */
    void parkKeepingCancellation(Object waitingOn) {
        deliverCancellation();
        this.waitingOn = waitingOn;
        state = State.PARKED;
        try {
            Coroutine.suspend();
        } finally {
            this.waitingOn = null;
        }
    }

    /**
     * Gives the hand back to the loop for one turn: this task goes to the end of the ready queue.
     * Only called on {@link #current()}, so unlike {@link #park} it need not check who calls.
     */
    void interruptSelf() {
        deliverCancellation();
        state = State.READY;
        loop.schedule(this);
        Coroutine.suspend();
        deliverCancellation();
    }

    /** Puts a parked task back in the ready queue; does nothing in any other state. Loop thread. */
    public void wake() {
        loop.requireLoopThread();
        if (state == State.PARKED) {
            state = State.READY;
            loop.schedule(this);
        }
    }

    private void requireCurrent() {
        if (Coroutine.currentTask() != this) {
            throw new IllegalStateException("task '" + name() + "' can only suspend itself, from inside its own body");
        }
    }

    /** Throws the cancellation due at a suspension point, if any and not shielded. */
    void deliverCancellation() {
        if ((pendingCancellation != null || cancelledScope != null) && shieldDepth == 0) {
            RuntimeException reason = pendingCancellation;
            if (reason == null) {
                throw cancelledScope.exception(); // level-triggered: again at every point until it closes
            }
            pendingCancellation = null; // an explicit cancel is delivered once
            throw reason;
        }
    }

    /**
     * What the coroutine runs: the body, its outcome kept. A named class rather than a lambda
     * calling a method of the task: one frame under the body instead of three (the lambda's, its
     * synthetic method's, the method's), and each stays in the stack chunk of a parked task.
     */
    private final class Body implements Runnable {
        @Override
        public void run() {
            try {
                deliverCancellation(); // cancelled before its first step: the body never starts
                result = body.call();
            } catch (VirtualMachineError fatal) {
                throw fatal; // out of memory or stack: the loop itself is in trouble, so be loud
            } catch (Throwable taskFailure) {
                // anything else the body throws is its outcome, rethrown to whoever awaits the task
                failure = taskFailure;
            } finally {
                body = null;
            }
        }
    }

    /** One step: mount the coroutine until it suspends or ends. Called from the ready queue. */
    private void step() {
        if (state == State.DONE) {
            return;
        }
        state = State.RUNNING;
        loop.stepping(this);
        boolean ended;
        try {
            ended = coroutine.resume();
        } finally {
            loop.stepping(null);
        }
        if (ended) {
            finish();
        }
    }

    private void finish() {
        state = State.DONE;
        pendingCancellation = null;
        loop.taskEnded(this);
        if (doneListeners != null) {
            Object[] listeners = doneListeners;
            doneListeners = null;
            runListeners(listeners);
        }
        boolean awaited = awaiters != null && !awaiters.isEmpty();
        if (!awaited && failure != null && !observed && !(failure instanceof CancelledException)) {
            loop.unobservedFailure(this, failure);
        }
        if (awaited) {
            awaiters.wakeAll();
        }
    }

    /** Runs every listener, even after one throws; the failures are logged once all have run. */
    private void runListeners(Object[] listeners) {
        List<Throwable> failures = null;
        for (Object listener : listeners) {
            try {
                if (listener instanceof EndListener told) {
                    told.taskEnded(this);
                } else {
                    ((Runnable) listener).run();
                }
            } catch (VirtualMachineError fatal) {
                throw fatal; // out of memory or stack: be loud, as for a task body
            } catch (RuntimeException | Error failure) {
                if (failures == null) {
                    failures = new ArrayList<>(1);
                }
                failures.add(failure);
            }
        }
        if (failures != null) {
            for (Throwable failure : failures) {
                Handle.LOG.log(System.Logger.Level.ERROR, "a whenDone listener of task '" + name()
                        + "' failed; the other listeners ran and the loop goes on", failure);
            }
        }
    }

    /** A timer action that wakes this task; made by the first sleep, then reused. */
    Runnable waker() {
        if (waker == null) {
            waker = this::wake;
        }
        return waker;
    }

    private WaitQueue awaiters() {
        if (awaiters == null) {
            awaiters = new WaitQueue();
        }
        return awaiters;
    }

    @SuppressWarnings("unchecked")
    private T outcome() {
        Throwable thrown = failure;
        if (thrown == null) {
            return result;
        }
        if (thrown instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        throw new TaskFailedException(name(), thrown);
    }

    /**
     * Whether this task's outcome has been observed: awaited, or read with {@link #result()} or
     * {@link #exception()} (or {@link Loop#runUntilComplete}). A test kit reports a failed task that
     * was still unobserved when the test ended. Any thread (a plain read: from another thread, a
     * moment old).
     */
    public boolean isObserved() {
        return observed;
    }

    /** Marks a task whose outcome someone will read, so its failure is not reported as unobserved. */
    void markObserved() {
        observed = true;
    }

    /** The name, without creating it: safe to call from the watchdog's thread. */
    String nameForReport() {
        String known = name;
        return known != null ? known : "task-" + id;
    }

    /** The task's step in the loop's ready queue; the slow-step watchdog reads its task. */
    final class Step implements Runnable {
        @Override
        public void run() {
            step();
        }

        Task<?> task() {
            return Task.this;
        }
    }

    /** Any thread (a snapshot). */
    @Override
    public String toString() {
        return "Task[" + name() + ", " + state + (waitingOn != null ? ", waiting on " + waitingOn : "") + "]";
    }
}
