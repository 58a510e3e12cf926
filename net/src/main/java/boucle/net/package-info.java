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
 *   <li><b>Every blocking call has one shape, written once</b> ({@code Registration.untilReady}):
 *       try the non-blocking operation; on would-block, take the direction's slot, park, give the
 *       slot back in {@code finally}; retry. Connect, accept, stream reads and datagrams all go
 *       through it, so a wait ended by data, timeout, cancellation or close leaves nothing behind.</li>
 *   <li><b>One transport seam</b> (trio's {@code Stream} / {@code SSLStream}): under
 *       {@link AsyncSocket} is a {@code ByteStream}. {@code SocketStream} is a TCP or Unix channel
 *       (reads into adaptive direct buffers, writes through {@code Outbound}'s queue and
 *       backpressure); {@code TlsStream} wraps any other stream with the JDK's
 *       {@link javax.net.ssl.SSLEngine} ({@code TlsCodec}: wrap and unwrap on buffers). Framing
 *       ({@code readExactly}, {@code readLine}), timeouts and half-close are written once above it,
 *       so they behave the same over TCP, Unix sockets and TLS. The selector side knows no socket
 *       type: a writable channel runs a plain callback.</li>
 *   <li><b>TLS</b> ({@link TlsOptions}, {@link AsyncServer.Builder#tls}, {@link AsyncSocket#connect(String,
 *       int, java.time.Duration, TlsOptions)}, {@link AsyncSocket#startTls}): TLS 1.3 and 1.2, hostname
 *       verification on by default for clients, a handshake timeout, {@code close_notify} on close
 *       and on {@code shutdownOutput}, an alert sent to a peer that fails the handshake. The engine
 *       sees only heap buffers (the JDK's engine is several times slower on direct ones); its
 *       delegated tasks run inline, or on a worker thread if asked.</li>
 *   <li><b>Datagrams</b> ({@link AsyncDatagramSocket}): the same registration and wait shape, no
 *       stream: one receive, one datagram, truncation reported.</li>
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
 *
 * <h2>Every core</h2>
 * A {@link LoopGroup} runs N loops, each on its own thread with its own selector; a
 * {@link GroupServer} accepts on the first and hands each connection, before any selector knows
 * it, to the next loop in turn, where an {@link AsyncServer} of that loop serves it for its whole
 * life. Loops share nothing on the echo path: no lock, no counter (unless {@code maxConnections}
 * is set: one post back to the first loop per connection that ends), and each loop's thread has
 * its own cache in Netty's pooled allocator, whose arenas (2 per core) outnumber the loops; what
 * crosses goes through
 * {@code callSoonThreadsafe}. Sockets (stream, TLS, Unix or datagram) and servers are
 * {@link boucle.core.LoopBound}: they never cross.
 *
 * <h2>Two backends: NIO and io_uring</h2>
 * A loop's event source is a {@code NetSource}: {@code SelectorEventSource} (NIO) or
 * {@code UringEventSource} (one io_uring ring, {@link boucle.net.uring}), chosen by {@link Backend}
 * ({@link Net#newLoop(Backend)}, {@link LoopGroup#start(int, String, Backend)}, the system property
 * {@code boucle.backend}; {@code AUTO} probes once, falls back to NIO, and logs why).
 * <ul>
 *   <li><b>What the ring drives itself:</b> TCP. {@code AsyncServerSocket} accepts on its
 *       listening channel's descriptor with one multishot accept ({@code RingAcceptor});
 *       {@code AsyncSocket.connect} connects a libc socket through the ring ({@code RingConnect});
 *       the connection's transport is a {@code UringStream} (multishot receive into the loop's
 *       provided-buffer ring, queued in an {@code ArrivalQueue}, or, for a peer that streams, a poll
 *       then a receive straight into the reader's buffer; one send per socket per turn, shutdown
 *       and close on the ring), so
 *       framing, timeouts, the budget, half-close, TLS and the servers sit above it unchanged. A
 *       {@link GroupServer} hands descriptors to its loops ({@code Accepted}), and every loop of a
 *       group runs on the same backend.</li>
 *   <li><b>What it serves through the NIO code:</b> UDP ({@link AsyncDatagramSocket}) and Unix
 *       domain sockets keep their channels, {@code SocketStream} and {@code Registration}; on a
 *       ring loop the registration has the ring poll the descriptor ({@code RingPolls},
 *       single-shot {@code IORING_OP_POLL_ADD} renewed while the interest stays, as epoll's level
 *       trigger), instead of a selection key.</li>
 *   <li><b>Waits undo themselves on the ring too:</b> a wait ended by a deadline, a cancellation
 *       or a close sends {@code IORING_OP_ASYNC_CANCEL}; the operation's last completion, which
 *       always comes, frees its slot and gives back the buffer or descriptor it may carry.</li>
 * </ul>
 */
package boucle.net;
