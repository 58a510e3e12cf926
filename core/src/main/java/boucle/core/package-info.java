/**
 * Boucle's core: an event loop that runs coroutine tasks step by step.
 *
 * <h2>Design notes</h2>
 * <ol>
 *   <li>A {@link boucle.core.Task} is a JDK continuation plus its outcome. Only the package-private
 *       {@code Coroutine} touches {@code jdk.internal.vm}; everything else goes through it.</li>
 *   <li>A {@link boucle.core.Loop} owns a FIFO of ready work, a timer heap ordered by
 *       (deadline, sequence) and an {@link boucle.core.EventSource}. One turn: wait (0 if work is
 *       ready, else until the next timer), run due timers, run one batch of what was ready.</li>
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
 * <h2>The seed, in Java</h2>
 * {@code run_task} is {@link boucle.core.Boucle#runTask}, {@code run_tasks} is
 * {@link boucle.core.Boucle#runTasks}, {@code interrupt}/{@code sleep}/{@code sleep_until}/
 * {@code gather} are statics of {@link boucle.core.Boucle}, {@code Loop.current} is
 * {@link boucle.core.Loop#current()}, and {@code Waiter} is {@link boucle.core.Waiter}.
 */
package boucle.core;
