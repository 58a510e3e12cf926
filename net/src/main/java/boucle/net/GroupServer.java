package boucle.net;

import boucle.core.Boucle;
import boucle.core.CancelledException;
import boucle.core.Loop;
import boucle.core.Semaphore;
import boucle.core.Task;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An {@link AsyncServer} spread over the loops of a {@link LoopGroup}: the same {@link Handler}
 * and options, each connection served on one loop for its whole life.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.start(4)) {
 *     GroupServer server = GroupServer.start(group, AsyncServer.builder(Echo::echo).port(7000));
 *     ...
 * }   // close(): every loop's share drains within the grace period, then the loops end
 * }</pre>
 *
 * <h2>One acceptor hands channels to the loops</h2>
 * Loop 0 accepts every connection and hands the channel, before any selector knows it, to the
 * loops in turn (round robin) through {@link Loop#callSoonThreadsafe}; each loop runs an
 * {@link AsyncServer} of its own fed with those channels ({@link Handoff}). The other way, one
 * listening socket per loop with {@code SO_REUSEPORT} so that the kernel spreads the connections
 * ({@link AsyncServer.Builder#reusePort}), was measured against this one ({@code bench loops},
 * 2 loops, 4 clients connecting, echoing a byte and resetting, over and over): 17,561 against
 * 16,989 connections per second (1.03×, within the run's noise), 43.7 against 36.3 µs of server
 * CPU per connection: the hand-off costs some 7 µs per connection, a small part of a connection's
 * cost once it carries any traffic, and nothing at all per message. What decided:
 * <ul>
 *   <li>It works everywhere: {@code SO_REUSEPORT} is missing on Windows, and on macOS it does not
 *       spread connections at all (the last socket bound gets them).</li>
 *   <li>{@code maxConnections} holds for the whole server with one {@link Semaphore} on loop 0;
 *       per-loop listeners would need a shared counter, and a loop at its share of the limit
 *       would leave its kernel queue waiting while another loop has room.</li>
 *   <li>The kernel hashes connections to listeners by address and port: a few clients can land on
 *       one loop, and a listener closed on shutdown drops the connections queued on it.
 *       Round robin spreads evenly whatever the clients.</li>
 * </ul>
 * The cost is one cross-thread post per connection (one wake-up per turn of the receiving loop,
 * whatever the burst) and, with a {@code maxConnections}, one post back when it ends.
 *
 * <h2>The whole server, not per loop</h2>
 * {@code maxConnections} counts the connections of every loop; {@code idleTimeout} applies to each
 * connection where it lives; a handler that throws or a peer that resets closes that connection
 * only. {@link #shutdownThreadsafe()} stops accepting, then every loop's share drains at once, with
 * the same grace period: the shutdown takes the grace at most, not N times it.
 *
 * <h2>Transports</h2>
 * The listening socket is the one the builder asks for: TCP, or a Unix socket file
 * ({@link AsyncServer.Builder#unixSocket}). A handed-off channel becomes an {@link AsyncSocket} on
 * its loop exactly as an accepted one does, so {@link AsyncServer.Builder#tls} holds too: each
 * connection runs its TLS handshake on the loop that serves it.
 *
 * <p>Every public method is safe from any thread.
 */
public final class GroupServer {
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(100);

    private final LoopGroup group;
    private final AsyncServer.Builder options;
    private final AsyncServerSocket listener;
    private final Loop acceptorLoop;
    private final AtomicLongArray accepted;
    /** Each loop's share; written on that loop as it starts, read there. */
    private final AsyncServer[] shares;
    private final Handoff[] handoffs;
    private final CompletableFuture<Void> stopped;
    private final CompletableFuture<Void> acceptorEnded;
    /** On the acceptor's loop: the global limit, or {@code null} without one. */
    private Semaphore slots;
    /** On the acceptor's loop: its task, which the shutdown cancels wherever it waits. */
    private Task<?> acceptor;
    private volatile boolean shuttingDown;

    private GroupServer(LoopGroup group, AsyncServer.Builder options, AsyncServerSocket listener) {
        this.group = group;
        this.options = options;
        this.listener = listener;
        this.acceptorLoop = group.loop(0);
        this.accepted = new AtomicLongArray(group.size());
        this.shares = new AsyncServer[group.size()];
        this.handoffs = new Handoff[group.size()];
        List<CompletableFuture<Void>> served = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            served.add(group.submit(i, () -> {
                serveShare(index);
                return null;
            }));
        }
        this.acceptorEnded = group.submit(0, () -> {
            acceptUntilShutdown();
            return null;
        });
        served.add(acceptorEnded);
        this.stopped = CompletableFuture.allOf(served.toArray(CompletableFuture[]::new))
                .whenComplete((done, failed) -> group.stoppedServing(this));
    }

    /**
     * Binds the listening socket now and serves on every loop of {@code group} until
     * {@link #shutdownThreadsafe()} or the group's shutdown. Any thread.
     */
    public static GroupServer start(LoopGroup group, AsyncServer.Builder options) throws IOException {
        AsyncServerSocket listener = options.bindListener();
        try {
            GroupServer server = new GroupServer(group, options, listener);
            group.serving(server);
            return server;
        } catch (RuntimeException refused) {
            listener.close();
            throw refused;
        }
    }

    /** On loop {@code index}: its share of the server, fed by the acceptor. */
    private void serveShare(int index) throws IOException {
        Handoff handoff = new Handoff(listener.localAddress(), this::slotFreed);
        AsyncServer share = AsyncServer.shareOfGroup(options, handoff, this::slotFreed);
        handoffs[index] = handoff;
        shares[index] = share;
        if (shuttingDown) {
            share.shutdown(); // a shutdown that came before this share began
        }
        share.serveForever();
    }

    /** On loop 0: takes a slot, accepts, hands the channel to the next loop; until the listener is closed. */
    private void acceptUntilShutdown() throws IOException {
        acceptor = Task.current();
        if (options.maxConnections() < Integer.MAX_VALUE) {
            slots = Semaphore.bounded(options.maxConnections());
        }
        RateLimitedLog failures = new RateLimitedLog(AsyncServer.LOG, Level.WARNING,
                "accept on " + AsyncSocket.describe(listener.localAddress()) + " failed", options.logInterval(), acceptorLoop);
        int next = 0;
        try {
            while (!shuttingDown) {
                if (slots != null) {
                    slots.acquire();
                }
                Accepted channel = acceptOrPause(failures);
                if (channel == null) {
                    slotFreed();
                    continue;
                }
                int index = next;
                next = (next + 1) % group.size();
                accepted.incrementAndGet(index);
                Loop target = group.loop(index);
                if (target == acceptorLoop) {
                    handOver(index, channel); // its own share: no post, no wake-up of itself
                } else {
                    target.callSoonThreadsafe(() -> handOver(index, channel));
                }
            }
        } catch (CancelledException cancelled) {
            if (!shuttingDown) {
                throw cancelled;
            } // the shutdown cancelled it, parked for a slot or an accept: the normal end
        } finally {
            listener.close();
            failures.close();
        }
    }

    /** On loop {@code index}: the channel joins that loop's share, or is closed if the share is gone. */
    private void handOver(int index, Accepted channel) {
        Handoff handoff = handoffs[index];
        if (handoff == null) { // its share's task, submitted first, has not made its first step yet: it is ahead in the queue
            group.loop(index).callSoon(() -> handOver(index, channel));
            return;
        }
        handoff.deliver(channel);
    }

    private Accepted acceptOrPause(RateLimitedLog failures) throws IOException {
        try {
            return listener.acceptConnection();
        } catch (SocketClosedException closed) {
            if (shuttingDown) {
                return null;
            }
            throw closed;
        } catch (IOException | RuntimeException failure) {
            if (failure instanceof CancelledException cancelled) {
                throw cancelled;
            }
            failures.record(String.valueOf(failure.getMessage() != null ? failure.getMessage() : failure),
                    failure instanceof IOException ? null : failure);
            Boucle.sleep(ACCEPT_RETRY);
            return null;
        }
    }

    /** A connection ended on some loop (or never started): its global slot comes back, on loop 0. */
    private void slotFreed() {
        if (options.maxConnections() == Integer.MAX_VALUE) {
            return; // no limit: nothing to give back, no post
        }
        if (Loop.current() == acceptorLoop) {
            release();
        } else {
            acceptorLoop.callSoonThreadsafe(this::release);
        }
    }

    private void release() {
        if (slots != null) {
            slots.release();
        }
    }

    /** The port it listens on; -1 on a Unix socket. Any thread. */
    public int port() {
        return listener.port();
    }

    /** The address it listens on: an {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}. Any thread. */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** How many connections each loop was handed since the start, by loop index. Any thread. */
    public long[] acceptedPerLoop() {
        long[] counts = new long[accepted.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = accepted.get(i);
        }
        return counts;
    }

    /**
     * Stops accepting and drains every loop's share at once (each with the builder's grace period),
     * as {@link AsyncServer#shutdown()} does for one loop. Idempotent, never blocks. Any thread.
     *
     * @return completed once every share and the acceptor have ended
     */
    public CompletableFuture<Void> shutdownThreadsafe() {
        if (!shuttingDown) {
            shuttingDown = true;
            acceptorLoop.callSoonThreadsafe(() -> { // ends the acceptor, whether it waits for a slot or a client
                listener.close();
                if (acceptor != null) {
                    acceptor.cancel(new CancelledException("the server is shutting down"));
                }
            });
            for (int i = 0; i < group.size(); i++) {
                int index = i;
                group.loop(i).callSoonThreadsafe(() -> {
                    if (shares[index] != null) {
                        shares[index].shutdown();
                    } // else it has not begun: it sees shuttingDown as it does
                });
            }
        }
        return stopped.copy();
    }

    /** Completed once the server has stopped (after a shutdown, or a failure of a share). Any thread. */
    public CompletableFuture<Void> whenStopped() {
        return stopped.copy();
    }

    /** Any thread. */
    @Override
    public String toString() {
        return "GroupServer[" + AsyncSocket.describe(listener.localAddress()) + ", " + group.size() + " loops"
                + (shuttingDown ? ", shutting down" : "") + "]";
    }
}
