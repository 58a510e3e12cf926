/**
 * Boucle's core: an event loop that runs coroutine tasks step by step.
 *
 * <h2>Design notes</h2>
 * <ol>
 *   <li>A {@link boucle.core.Task} is a JDK continuation plus its outcome. Only the package-private
 *       {@code Coroutine} touches {@code jdk.internal.vm}; everything else goes through it.</li>
 *   <li>A {@link boucle.core.Loop} owns a FIFO of ready work, a timer heap ordered by
 *       (deadline, sequence) and an {@link boucle.core.EventSource}. One turn: wait (0 if work is
 *       ready, else until the next timer), run due timers, run one batch of what was ready. Each
 *       phase is a file of its own ({@code EventWait}, {@code TimerHeap}, {@code ReadyQueue}, with
 *       {@code Inbox} for what other threads post and {@code LiveTasks} for the tasks alive);
 *       {@code Loop} keeps the public API and the turn itself.</li>
 *   <li>A waiting task is <em>parked</em>: in no loop queue, held only by what it waits on, which
 *       puts it back with {@link boucle.core.Task#wake()}. Every wait registers, parks and
 *       deregisters in {@code finally}, so a cancelled wait leaves nothing behind.</li>
 *   <li>Deterministic by construction: FIFO batches, timers tie-broken by sequence number, an
 *       injectable {@link boucle.core.Clock}.</li>
 *   <li>One thread per loop; {@link boucle.core.Loop#callSoonThreadsafe} is the only door in from
 *       other threads. No monitor is ever held while a continuation is mounted.</li>
 *   <li>A failure is never swallowed: kept in the task and rethrown to its awaiters, or logged once
 *       through {@link java.lang.System.Logger} when nothing awaited it.</li>
 * </ol>
 *
 * <h2>The toolkit: one rule per concept</h2>
 * <ul>
 *   <li><b>Cancellation</b> ({@link boucle.core.Task#cancel()}): a {@link boucle.core.CancelledException}
 *       is raised at the task's current or next suspension point, its {@code finally} blocks run,
 *       and the waits it was in leave nothing behind (no timer, no queue entry).</li>
 *   <li><b>Shield</b> ({@link boucle.core.Task#shielded}): a cancellation that arrives inside it is
 *       held back and delivered at the first suspension point after it.</li>
 *   <li><b>Timeouts</b> ({@link boucle.core.Timeouts}): past the deadline the body is cancelled at a
 *       suspension point and the call throws {@link boucle.core.TaskTimeoutException} (or returns
 *       empty) once the body has ended; an inner deadline can only shorten an outer one.</li>
 *   <li><b>Task groups</b> ({@link boucle.core.TaskGroup}): {@code run} returns only once every child
 *       has ended; the first failure cancels the rest and is rethrown with the later ones
 *       suppressed; spawning into a closed group is an error.</li>
 *   <li><b>Gather</b> ({@link boucle.core.Boucle#gather}): results in the order given; the first
 *       failure cancels the others and is rethrown once they have ended, the later ones suppressed.</li>
 *   <li><b>Event</b>: {@code set()} wakes every waiter of that moment; while set, {@code await()}
 *       returns at once.</li>
 *   <li><b>Lock</b>, <b>Semaphore</b>: FIFO hand-off on release, no barging; a waiter cancelled after
 *       the hand-off keeps what it was given (and is cancelled at its next suspension point);
 *       {@link boucle.core.Semaphore#bounded} refuses an over-release.</li>
 *   <li><b>Condition</b>: {@code await} gives up the lock while parked and always has it back when
 *       it returns or throws; no signal is lost to a cancellation.</li>
 *   <li><b>Queue</b>: {@code get} parks while empty, {@code put} while a bounded queue is full, FIFO
 *       hand-off both ways; after {@code close()}, puts fail, what was put can still be taken, then
 *       gets fail with {@link boucle.core.QueueClosedException}.</li>
 *   <li><b>Step budget</b> ({@link boucle.core.StepBudget}): an operation that completes without
 *       suspending spends a unit of the current task's step; past the budget it first yields like
 *       {@code interrupt()}, so a task that never has to wait still lets the others run.</li>
 *   <li><b>Threads</b> ({@link boucle.core.Boucle#runInThread}): blocking work runs on a virtual
 *       thread while the task is parked, its outcome comes back on the loop's thread; an outstanding
 *       call keeps the loop alive; a cancelled call's result is dropped.</li>
 *   <li><b>Loop thread</b>: while a loop runs, a call from another thread is refused with an
 *       {@link java.lang.IllegalStateException} <em>before it changes anything</em>, so the object
 *       still works for the correct call that follows; the way in is
 *       {@link boucle.core.Loop#callSoonThreadsafe}. The only exceptions are the methods whose
 *       javadoc says "Any thread": {@code callSoonThreadsafe}, {@code dumpTasksThreadsafe},
 *       factories, and getters that return a snapshot. A synchronisation primitive belongs to the
 *       loop that made it, or else to the first loop that uses it (as asyncio's are bound); before
 *       that, any thread may set it up.</li>
 *   <li><b>Task dumps</b> ({@link boucle.core.Loop#dumpTasks()}): every live task with its state, what
 *       it waits on and its coroutine stack; from another thread {@code dumpTasksThreadsafe()}, on a
 *       live JVM the JMX bean {@code boucle.core:type=Loops}.</li>
 *   <li><b>Slow steps</b>: a step that holds its loop past the threshold (100 ms by default,
 *       {@link boucle.core.Loop#setSlowStepThreshold}) is logged once at WARNING with the task's name
 *       and its own frames (at most 8), as computing or as blocked in a named call; the loop thread's
 *       CPU time against the wall time tells those from a thread that was descheduled, which is
 *       noted at INFO and not blamed on the task. A watchdog thread does the timing, the loop reads
 *       no clock for it.</li>
 *   <li><b>Done listeners</b> ({@link boucle.core.Task#whenDone}): run on the loop's thread right
 *       after a task ends, however it ends (even cancelled before its body ran); groups and
 *       {@code gather} are built on them.</li>
 *   <li><b>Calls between loops</b> ({@link boucle.core.Boucle#callOn}): a task runs work as a task
 *       on another loop (another thread) and is parked until the outcome comes back; both legs go
 *       through {@code callSoonThreadsafe}, whose wake-up is sent once per turn of the receiving
 *       loop, so a burst costs one. Cancelling the caller cancels the work there; a loop that
 *       closes refuses calls still queued and cancels the ones it runs, and the caller gets a
 *       {@link boucle.core.LoopClosedException}, never a hang. Only values cross: an object that
 *       belongs to a loop ({@link boucle.core.LoopBound}: sockets, tasks, primitives) is refused at
 *       the border, captured or returned.</li>
 * </ul>
 *
 * <h2>The seed, in Java</h2>
 * {@code run_task} is {@link boucle.core.Boucle#runTask}, {@code run_tasks} is
 * {@link boucle.core.Boucle#runTasks}, {@code interrupt}/{@code sleep}/{@code sleep_until}/
 * {@code gather} are statics of {@link boucle.core.Boucle}, {@code Loop.current} is
 * {@link boucle.core.Loop#current()}, and {@code Waiter} is {@link boucle.core.Waiter}.
 */
package boucle.core;
