package boucle.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * An event loop: a FIFO of ready work, a heap of timers, and an {@link EventSource} to wait on.
 * Each turn it waits for events (not at all if work is ready, else until the next timer), runs the
 * timers that are due, then runs one batch: what was ready when the batch began.
 *
 * <pre>{@code
 * try (Loop loop = new Loop()) {
 *     Task<Integer> answer = loop.spawn(() -> { Boucle.sleep(Duration.ofMillis(5)); return 42; });
 *     int value = loop.runUntilComplete(answer);
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * A loop runs on one thread, the one that calls {@code run...}. Every method is for that thread
 * only (a call from another thread while the loop runs is refused before it changes anything),
 * except those whose javadoc says "Any thread": {@link #callSoonThreadsafe}, which wakes a blocked
 * loop, {@link #dumpTasksThreadsafe()}, {@link #setSlowStepThreshold}, and the diagnostics
 * ({@link #isRunning()}, {@link #now()}, {@link #turns()}...). The same rule holds for every type
 * of this package: tasks, handles and the synchronisation primitives.
 * The loop's own path holds no monitor, and a loop refuses to start inside a {@code synchronized}
 * block: mounting a continuation under a monitor crashes the JVM. Blocking work goes to another
 * thread with {@link Boucle#runInThread}; a call in flight counts as work, so the loop waits for it.
 *
 * <h2>Interrupts</h2>
 * An interrupt of the loop's thread ends the current run; it never makes the loop spin. The loop
 * notices the interrupt flag when its wait for events returns (a selector or a park returns at
 * once on an interrupt), clears it, cancels every live task and runs them until their
 * {@code finally} blocks are done, as {@link #close()} does, then the {@code run...} method throws
 * a {@link LoopInterruptedException} with the thread's interrupt flag set again. A second
 * interrupt during that clean-up abandons it. Why end rather than clear and go on: an interrupt is
 * how the JVM's tools ask a thread to stop (JUnit's {@code @Timeout}, an executor's
 * {@code shutdownNow}), and a loop that swallowed it would run on past the caller's deadline. A
 * step that blocks the thread itself is not cut short: the interrupt is seen once it returns. To
 * give the hand back inside a task, call {@link Boucle#interrupt()}; to stop a loop from another
 * thread, {@code loop.callSoonThreadsafe(loop::stop)}.
 *
 * <h2>Debugging</h2>
 * {@link #dumpTasks()} lists every live task with its state, what it waits on and its stack;
 * {@link #dumpTasksThreadsafe()} does it from any thread, and the JMX bean
 * {@code boucle.core:type=Loops} ({@link LoopsMXBean}) from outside a running JVM. A step that
 * holds the loop longer than {@link #setSlowStepThreshold} is logged once, with its stack.
 */
public final class Loop implements AutoCloseable {
    private static final ThreadLocal<Loop> RUNNING = new ThreadLocal<>();

    private final Clock clock;
    private final EventSource events;
    // a turn's three phases, each in a file of its own: wait for events, run due timers, run the ready batch
    private final EventWait waiting;
    private final TimerHeap timers = new TimerHeap();
    private final ReadyQueue ready = new ReadyQueue();
    /** The one door in from other threads ({@link #callSoonThreadsafe}). */
    private final Inbox fromOtherThreads;
    private final LiveTasks live = new LiveTasks();

    /** Which step runs now, for the slow-step watchdog; costs two plain stores per step. */
    final StepWatch watch = new StepWatch();
    /** Calls of {@link Boucle#runInThread} whose result has not come back: work, as a timer is. */
    private int threadCallsInFlight;

    private volatile Thread owner;
    private volatile boolean running;
    private boolean stopRequested;
    private boolean closed;
    private long sequence;
    private long turns;
    /** The task whose step runs now, {@code null} between steps: the loop thread's fast way to it. */
    private Task<?> stepping;

    /** A loop that waits only for timers and {@link #callSoonThreadsafe}. */
    public Loop() {
        this(Clock.SYSTEM, new ParkingEventSource());
    }

    /** A loop that waits only for timers and {@link #callSoonThreadsafe}, on {@code clock}. */
    public Loop(Clock clock) {
        this(clock, new ParkingEventSource());
    }

    /** A loop that also waits on {@code events}, such as a selector. */
    public Loop(EventSource events) {
        this(Clock.SYSTEM, events);
    }

    /**
     * A loop on {@code clock} (a {@link VirtualClock} in tests) that waits on {@code events}.
     *
     * @throws IllegalStateException with the one JVM flag to add, if the JVM was started without
     *         {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}: said here, before any
     *         port is bound or thread started, rather than at the first task step
     */
    public Loop(Clock clock, EventSource events) {
        ExportCheck.requireContinuationAccess();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
        this.fromOtherThreads = new Inbox(events);
        this.waiting = new EventWait(this, clock, events, fromOtherThreads, ready, timers);
        this.owner = Thread.currentThread();
    }

    /** The loop running on the calling thread, or {@code null}. */
    static Loop runningHere() {
        return RUNNING.get();
    }

    /** The loop running on this thread: from inside a task or a callback it runs. Any thread. */
    public static Loop current() {
        Loop loop = RUNNING.get();
        if (loop == null) {
            throw new IllegalStateException("Loop.current() was called outside a running loop: call it from"
                    + " inside a task or a callback that a loop runs");
        }
        return loop;
    }

    // ---- scheduling -------------------------------------------------------------------------

    /** Starts {@code body} as a new task; it first runs when the loop reaches it in the ready queue. */
    public <T> Task<T> spawn(Callable<T> body) {
        return spawn(null, body);
    }

    public Task<Void> spawn(Routine body) {
        return spawn(null, body);
    }

    public Task<Void> spawn(String name, Routine body) {
        return spawn(name, Objects.requireNonNull(body, "body").asCallable());
    }

    public <T> Task<T> spawn(String name, Callable<T> body) {
        requireUsable();
        Task<T> task = new Task<>(this, ++sequence, name, body);
        live.add(task);
        schedule(task);
        return task;
    }

    /** Runs {@code action} in a coming turn, after what is already ready. */
    public Handle callSoon(Runnable action) {
        requireUsable();
        Handle handle = new Handle(this, Objects.requireNonNull(action, "action"), 0, ++sequence);
        ready.add(handle);
        return handle;
    }

    /** Runs {@code action} once {@code delay} has passed on the loop's clock. */
    public Handle callLater(Duration delay, Runnable action) {
        return callAt(now() + delay.toNanos(), action);
    }

    /**
     * Runs {@code action} at {@code deadline} on the loop's clock ({@link #now()}). Timers due at the
     * same instant run in the order they were set.
     */
    public Handle callAt(long deadline, Runnable action) {
        requireUsable();
        Handle timer = new Handle(this, Objects.requireNonNull(action, "action"), deadline, ++sequence);
        timers.add(timer);
        return timer;
    }

    /**
     * Runs {@code action} on the loop's thread soon, waking the loop if it is blocked: the one door
     * in from other threads. Any thread.
     */
    public void callSoonThreadsafe(Runnable action) {
        fromOtherThreads.post(Objects.requireNonNull(action, "action"));
    }

    /**
     * Posts a cross-loop call's request; {@code false} if this loop has begun closing, in which
     * case the request will never run. Any thread.
     */
    boolean postUnlessClosing(Refusable request) {
        return fromOtherThreads.postUnlessRefused(request);
    }

    /** Whether {@link #close()} has begun: cross-loop calls are refused from then on. Any thread. */
    boolean isClosing() {
        return fromOtherThreads.isRefusing();
    }

    /** The name of the loop's thread, for messages. Any thread. */
    String threadName() {
        return owner.getName();
    }

    /** The loop's clock, in nanoseconds; the time base of {@link #callAt} and {@link Boucle#sleepUntil}. Any thread. */
    public long now() {
        return clock.nanoTime();
    }

    // ---- running ----------------------------------------------------------------------------

    /**
     * Runs until no work is left: nothing ready, no timer, nothing waiting on the event source.
     * Every {@code run...} method throws {@link LoopInterruptedException} if the thread is
     * interrupted meanwhile (see the class notes).
     */
    public void run() {
        runWhile(this::hasWork);
        live.reportStranded();
    }

    /** Starts {@code body} as a task and runs until no work is left; returns the task's outcome. */
    public <T> T runTask(Callable<T> body) {
        return runToEnd(spawn(body));
    }

    public void runTask(Routine body) {
        runToEnd(spawn(body));
    }

    private <T> T runToEnd(Task<T> task) {
        task.markObserved();
        run();
        return task.result();
    }

    /** Runs until {@code task} is done, then returns its result or rethrows its failure. */
    public <T> T runUntilComplete(Task<T> task) {
        requireUsable(); // before markObserved: a refused call changes nothing
        if (task.loop != this) {
            throw new IllegalArgumentException("task '" + task.name() + "' belongs to another loop");
        }
        task.markObserved();
        runWhile(() -> {
            if (task.isDone()) {
                return false;
            }
            if (!hasWork()) {
                throw new IllegalStateException("task '" + task.name() + "' can never finish: nothing left"
                        + " could wake it. Parked tasks: " + live.describeParked());
            }
            return true;
        });
        return task.result();
    }

    /** Runs until {@link #stop()}; an idle loop waits (with no CPU) for timers and outside events. */
    public void runForever() {
        runWhile(() -> true);
    }

    /**
     * Makes {@link #runForever} (or any run) return at the end of the current turn. Loop thread;
     * from another, {@code loop.callSoonThreadsafe(loop::stop)}.
     */
    public void stop() {
        requireLoopThread();
        stopRequested = true;
    }

    /** Whether a {@code run...} method is running the loop now. Any thread. */
    public boolean isRunning() {
        return running;
    }

    /**
     * Whether the loop runs now on a thread other than the caller's: then only the thread-safe
     * calls may be made. Any thread. As {@code isRunning() && Loop.current() != this}, but a field
     * comparison instead of a thread-local look-up: sockets check it on every call.
     */
    public boolean runsOnAnotherThread() {
        return running && Thread.currentThread() != owner;
    }

    /**
     * The thread rule of the objects bound to this loop (sockets, servers, clients), for their
     * methods that are not safe from any thread: refuses, before anything changes, a call made while
     * the loop runs on another thread. When the loop does not run, whoever holds the object may use
     * it (set up before the loop starts, or cleaned up after it ended). Any thread.
     *
     * @param what the object refusing the call, named in the error
     * @throws IllegalStateException when the loop runs on another thread than the caller's
     */
    public void requireThisThread(Object what) {
        if (runsOnAnotherThread()) {
            throw new IllegalStateException(what + " belongs to a loop that runs on another thread; from thread '"
                    + Thread.currentThread().getName() + "' hand the call to it with loop.callSoonThreadsafe(...)");
        }
    }

    /**
     * Cancels the tasks still alive and runs them until their {@code finally} blocks are done, then
     * releases the event source. A closed loop refuses new work.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        requireLoopThread();
        if (running) {
            throw new IllegalStateException("a running loop cannot be closed: stop() it first");
        }
        fromOtherThreads.refuse(); // first: a cross-loop call arriving now is told, not started
        try {
            if (!live.isEmpty()) {
                live.cancelAll();
                runWhile(() -> !live.isEmpty() && hasWork()); // their finally blocks; not far-off timers
            }
        } catch (LoopInterruptedException interrupted) {
            closed = true; // the clean-up was cut short, but the loop is closed and its source released all the same
            events.close();
            fromOtherThreads.drainRefused();
            throw interrupted;
        }
        closed = true;
        events.close();
        fromOtherThreads.drainRefused();
    }

    // ---- the loop itself ------------------------------------------------------------------

    private void runWhile(BooleanSupplier keepGoing) {
        enter();
        try {
            while (!stopRequested && keepGoing.getAsBoolean()) {
                if (!turn()) {
                    endInterruptedRun();
                }
            }
        } finally {
            exit();
        }
    }

    /** One turn; {@code false}, with nothing run, when the thread was found interrupted after the wait. */
    private boolean turn() {
        turns++;
        waiting.waitForEvents(stopRequested, threadCallsInFlight);
        if (Thread.interrupted()) { // checked here, not per source: every source returns at once when interrupted
            return false;
        }
        runDueTimers();
        ready.runBatch(watch);
        return true;
    }

    private void runDueTimers() {
        if (!timers.isEmpty()) {
            timers.runDue(now(), sequence, watch); // the sequence now: a timer set by a due timer waits a turn
        }
    }

    private boolean hasWork() {
        return !ready.isEmpty() || !timers.isEmpty() || !fromOtherThreads.isEmpty() || events.hasWaiters()
                || threadCallsInFlight > 0 || waiting.hasAllBlockedWaiters();
    }

    /** The thread was interrupted: cancel the live tasks, run their finally blocks, end the run; see the class notes. */
    private void endInterruptedRun() {
        int cancelled = live.size();
        live.cancelAll();
        boolean abandoned = false;
        while (!live.isEmpty() && hasWork()) {
            if (!turn()) {
                abandoned = true; // interrupted again: stop cleaning up at once
                break;
            }
        }
        Thread thread = Thread.currentThread();
        thread.interrupt(); // restored, so whoever called run() still sees it
        throw new LoopInterruptedException("the loop's thread '" + thread.getName() + "' was interrupted: "
                + (abandoned ? "its " + cancelled + " live task(s) were cancelled, and a second interrupt"
                        + " abandoned their clean-up (" + live.size() + " left)"
                        : "its " + cancelled + " live task(s) were cancelled and ran their finally blocks")
                + "; the run ends. To give the hand back inside a task call Boucle.interrupt(); to stop a"
                + " loop from another thread, loop.callSoonThreadsafe(loop::stop)");
    }

    private void enter() {
        if (closed) {
            throw new IllegalStateException("this loop is closed");
        }
        requireLoopThread();
        if (running) {
            throw new IllegalStateException("this loop is already running: from inside a task, await a task"
                    + " instead of running the loop again");
        }
        if (RUNNING.get() != null) {
            throw new IllegalStateException("another loop already runs on this thread: a loop cannot be run"
                    + " from inside a task or callback; spawn a task and await it instead");
        }
        Monitors.requireNoneHeld();
        owner = Thread.currentThread();
        RUNNING.set(this);
        running = true;
        SlowStepWatchdog.watch(this);
    }

    private void exit() {
        SlowStepWatchdog.forget(this);
        watch.idle();
        running = false;
        stopRequested = false;
        RUNNING.remove();
    }

    // ---- for tasks and the event source ----------------------------------------------------

    /**
     * Parks the current task until every other task of this loop is parked too and nothing is
     * ready: no task, no callback, no due timer, no socket event, nothing from another thread
     * (trio's {@code wait_all_tasks_blocked}). Tests use it to say "once the others are waiting"
     * instead of counting {@link Boucle#interrupt()}s. Sleeping tasks count as blocked. When
     * several tasks wait for it, the oldest goes on first and the next one waits until everything
     * (the first included) is blocked again. From a task of this loop.
     */
    public void waitAllTasksBlocked() {
        Task<?> me = Task.current();
        if (me.loop != this) {
            throw new IllegalStateException("task '" + me.name() + "' runs on another loop");
        }
        waiting.parkUntilAllBlocked();
    }

    /**
     * Where the failure of a task that nothing awaited goes: {@code handler} gets the task and its
     * exception on the loop's thread, as the task ends; {@code null} restores the default, a
     * warning through {@link System.Logger} {@code boucle.core}. A test kit fails the test there.
     * Cancellations are not failures and never reach it. Loop thread.
     */
    public void setUnobservedFailureHandler(java.util.function.BiConsumer<Task<?>, Throwable> handler) {
        requireLoopThread();
        live.setUnobservedFailureHandler(handler);
    }

    /** A task failed and nothing awaits it or has read its outcome. */
    void unobservedFailure(Task<?> task, Throwable failure) {
        live.unobservedFailure(task, failure);
    }

    void schedule(Task<?> task) {
        ready.add(task.step);
    }

    void taskEnded(Task<?> task) {
        live.remove(task);
    }

    TimerHeap timers() {
        return timers;
    }

    /** The task whose step runs now, or {@code null}; meaningful on the loop's thread only. */
    Task<?> stepping() {
        return stepping;
    }

    void stepping(Task<?> task) {
        stepping = task;
    }

    /** Whether the calling thread is the one that runs this loop now. Any thread. */
    boolean runsHere() {
        return running && Thread.currentThread() == owner;
    }

    /** The event source this loop waits on; {@code boucle.net} reaches its selector through it. Any thread. */
    public EventSource eventSource() {
        return events;
    }

    /**
     * How many turns the loop has made; a diagnostic that proves an idle loop does not spin. Any
     * thread: from another one while the loop runs, a snapshot that may lag.
     */
    public long turns() {
        return turns;
    }

    /**
     * How many timers are pending; a diagnostic that proves cancelled waits leave nothing behind.
     * Any thread: from another one while the loop runs, a snapshot that may lag.
     */
    public int pendingTimers() {
        return timers.size();
    }

    /** The tasks that have started and not finished, oldest first. Loop thread. */
    public List<Task<?>> tasks() {
        requireLoopThread();
        return live.snapshot();
    }

    // ---- debugging and threads ----------------------------------------------------------------

    /**
     * A readable list of every live task: name, state, what a parked one waits on, and the
     * coroutine stack of a suspended one. Loop thread; from elsewhere use {@link #dumpTasksThreadsafe()}.
     */
    public String dumpTasks() {
        requireLoopThread();
        return TaskDump.of(this, live.snapshot());
    }

    /**
     * {@link #dumpTasks()} from any thread, such as an admin endpoint or a JMX call of a running
     * server: the dump is made on the loop's thread at its next turn. While the loop is not running,
     * it is made at once.
     */
    public CompletableFuture<String> dumpTasksThreadsafe() {
        if (!running || Thread.currentThread() == owner) {
            return CompletableFuture.completedFuture(TaskDump.of(this, live.snapshot()));
        }
        CompletableFuture<String> dump = new CompletableFuture<>();
        callSoonThreadsafe(() -> dump.complete(dumpTasks()));
        return dump;
    }

    /**
     * Sets how long one step may hold the loop before it is reported as slow (once per step,
     * through {@link System.Logger} at WARNING, with the task's name and stack). Default 100 ms,
     * or the system property {@code boucle.slowStepMillis}; zero turns the report off. Any thread.
     */
    public void setSlowStepThreshold(Duration threshold) {
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("a slow-step threshold cannot be negative: " + threshold);
        }
        watch.setThresholdNanos(threshold.toNanos());
    }

    Thread owner() {
        return owner;
    }

    /** A thread call has started: the loop must not end, nor call its tasks stranded, until it is back. */
    void threadCallStarted() {
        threadCallsInFlight++;
    }

    void threadCallEnded() {
        threadCallsInFlight--;
    }

    int threadCallsInFlight() {
        return threadCallsInFlight;
    }

    private void requireUsable() {
        if (closed) {
            throw new IllegalStateException("this loop is closed");
        }
        requireLoopThread();
    }

    /** Fails when another thread calls while the loop runs; everything but callSoonThreadsafe checks. */
    void requireLoopThread() {
        if (running && Thread.currentThread() != owner) {
            throw new IllegalStateException("this loop runs on thread '" + owner.getName() + "'; from thread '"
                    + Thread.currentThread().getName() + "' only callSoonThreadsafe may be called");
        }
    }
}
