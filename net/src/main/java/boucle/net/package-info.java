/**
 * Boucle's network layer: the loop's waiting extended with a {@link java.nio.channels.Selector},
 * sockets whose blocking calls park the calling task, and a socketserver-style server.
 *
 * <pre>{@code
 * try (Loop loop = Net.newLoop()) {
 *     AsyncServer server = AsyncServer.builder(connection -> {
 *         try {
 *             for (String line; (line = connection.readLine(1000)) != null; ) {
 *                 connection.write(line.toUpperCase() + "\n");
 *             }
 *         } catch (IncompleteLineException cut) {
 *             // the stream ended mid-line: half a line is not a line
 *         } catch (ServerShuttingDownException stopping) {
 *             connection.write("bye\n");   // shutdown began; writes still go out
 *         }
 *     }).port(7000).bind();
 *     loop.runTask(server::serveForever);
 * }
 * }</pre>
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>One door to the selector.</b> {@code SelectorEventSource} is the loop's
 *       {@link boucle.core.EventSource}: the loop blocks in {@code select} until the next timer,
 *       and {@code callSoonThreadsafe} interrupts it with {@code wakeup()}. {@code core} keeps no
 *       NIO dependency. {@link Net#newLoop()} makes such a loop.</li>
 *   <li><b>Nothing runs under the selector's monitor.</b> {@code select(Consumer)} calls its
 *       consumer under a monitor, where mounting a continuation crashes the JVM: the consumer only
 *       links the ready keys' registrations into a list. After {@code select} returns, each one
 *       wakes its parked tasks ({@code Task.wake} only enqueues) and flushes pending output.</li>
 *   <li><b>One key per channel, one waiter per direction.</b> A channel is registered once; its
 *       key's attachment ({@code Registration}) holds at most one reading and one writing task. A
 *       second task waiting in the same direction is an {@link java.lang.IllegalStateException}.</li>
 *   <li><b>Every blocking call has one shape:</b> try the non-blocking operation; on would-block,
 *       take the direction's slot, park, give the slot back in {@code finally}; retry. So a wait
 *       ended by data, timeout, cancellation or close leaves nothing behind.</li>
 *   <li><b>Interest ops change only when needed.</b> {@code OP_READ} is added when a reader parks
 *       and dropped lazily when it fires with no reader; {@code OP_WRITE} is set only while output
 *       is queued. A task reading in a loop pays no {@code epoll_ctl} per read.</li>
 *   <li><b>Buffers:</b> pooled direct {@link io.netty.buffer.ByteBuf}s ({@link Net#allocator()}),
 *       read sizes adapted to the traffic, no buffer held by an idle connection. Each buffer has
 *       one owner: a read hands it to the caller, a write takes it over.</li>
 *   <li><b>Write now, flush once.</b> A write only queues its buffer. The queue goes to the kernel
 *       in one gathering write ({@code writev}) at a flush point: when the turn ends (each poll
 *       first writes out the sockets written to since the last one, before {@code select}, so the
 *       bytes leave before the loop waits), before a read of the socket makes a system call, on
 *       {@code flush()}, or past the high-water mark. A broadcast to N members, or a pipelined
 *       client's replies, cost one system call per socket per turn. What the kernel refuses is
 *       written by the loop when the socket turns writable, with the writer parked past the
 *       high-water mark (backpressure).</li>
 *   <li><b>A budget per task step.</b> A task whose socket always has data would never park and
 *       would hold the loop. Each step of a task has 16 units (Netty reads a channel at most 16
 *       times per turn, tokio gives each task a budget): a read system call made without waiting
 *       first, a read or line served from buffered bytes, and a write past the high-water mark
 *       cost one unit each. The call that would spend the 17th first yields like
 *       {@link boucle.core.Boucle#interrupt()}, to the back of the ready FIFO, behind the other
 *       ready tasks and the loop's next look at its sockets ({@link boucle.core.StepBudget}).
 *       Writes that only queue, and {@code tryWrite}, cost nothing.</li>
 *   <li><b>Closing wakes:</b> closing a socket wakes the tasks parked on it with a
 *       {@link SocketClosedException} that says why (closed, idle timeout, shutdown).</li>
 *   <li><b>Nothing ends the accept loop:</b> a failed {@code accept} pauses it; logging goes
 *       through a rate limit ({@code RateLimitedLog}: a count per interval) that also survives a
 *       logger that throws; the classes it needs are loaded before it runs (at EMFILE a late
 *       class load fails for good).</li>
 *   <li><b>A server is a task group</b> (trio's {@code serve_listeners}): an accepting child and
 *       one child per connection, a {@link boucle.core.Semaphore} for {@code maxConnections}, and a
 *       done-listener per connection that closes it and frees its permit however its task ended.</li>
 * </ul>
 *
 * <p>Everything here is loop-thread only, as in {@code core}, and refuses a call from another
 * thread while the loop runs before it changes anything (addresses, ports and
 * {@link AsyncServer#shutdownThreadsafe()} excepted): from another thread, go through
 * {@link boucle.core.Loop#callSoonThreadsafe}.
 */
package boucle.net;
