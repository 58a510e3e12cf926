package boucle.redis;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Routine;
import boucle.core.Task;
import boucle.core.WaitQueue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * A link to Redis that mends itself: one connection at a time, and a supervisor task that reads
 * what comes on it and, when it breaks, reconnects with {@link Backoff}. What the values mean is
 * the {@link Side}'s business: a command client matches them to calls, a subscriber turns them
 * into events. Shared by {@link RedisClient} and {@link RedisSubscriber}.
 *
 * <pre>
 *   start ──open──▶ UP ──read fails / EOF / garbage──▶ DOWN ──backoff, open──▶ UP ...
 *     │                                                  │ open fails: backoff doubles
 *   refused: RedisUnavailableException         close() from any state ──▶ CLOSED
 * </pre>
 *
 * Logged on {@code boucle.redis}: a loss once (WARNING), the return once (INFO, with the number
 * of attempts), each failed attempt at DEBUG only, so a long outage writes two lines.
 *
 * <p>Loop-thread only.
 */
final class Link {
    static final System.Logger LOG = System.getLogger("boucle.redis");

    /** What a link's owner does with it. Every method runs on the supervisor task. */
    interface Side {
        /** A connection is up; {@code again}: after a loss (not the first one). Must not park. */
        void up(RedisConnection connection, boolean again) throws RedisException;

        /** A value came on the connection. May park (a subscriber's full event queue). */
        void value(RedisConnection connection, RedisValue value) throws IOException;

        /** The connection was lost for {@code cause}; its calls were failed already. Must not park. */
        void down(RedisException cause);

        /** Sends a {@code PING} on a silent connection, whose answer comes to {@link #value} (or nothing). Must not park. */
        void ping(RedisConnection connection) throws RedisException;
    }

    final Loop loop;
    final RedisUri uri;
    final RedisOptions options;
    private final String role;
    private final Side side;
    private RedisConnection connection;
    private boolean closed;
    private Task<Void> supervisor;
    /** Tasks of this link still alive (the supervisor and the writers); {@link #awaitClosed} waits for none. */
    private int liveTasks;
    private final WaitQueue changeWaiters = new WaitQueue();
    private final WaitQueue closeWaiters = new WaitQueue();
    private long changes;

    Link(RedisUri uri, RedisOptions options, String role, Side side) {
        this.loop = Loop.current();
        this.uri = uri;
        this.options = options;
        this.role = role;
        this.side = side;
    }

    /** Opens the first connection (parks) and starts the supervisor. */
    void start() throws RedisException {
        Task.current();
        RedisConnection first = RedisConnection.open(uri, options);
        connection = first;
        first.startWriter(body -> background("redis " + role + " writer " + uri, body));
        side.up(first, false);
        supervisor = background("redis " + role + " link " + uri, this::supervise); // reads the connection from the field
    }

    /** The live connection, or {@code null} while the link is down. */
    RedisConnection connection() {
        return connection;
    }

    boolean isClosed() {
        return closed;
    }

    /** Parks until the link goes up or down (or is closed); returns whether it is up. */
    boolean awaitChange() {
        Task<?> me = Task.current();
        long seen = changes;
        while (changes == seen && !closed) {
            WaitQueue.Node node = changeWaiters.add(me);
            try {
                me.park("a change of " + this);
            } finally {
                node.unlink();
            }
        }
        return connection != null;
    }

    private void changed() {
        changes++;
        changeWaiters.wakeAll();
    }

    /** Drops the connection and stops the supervisor; never parks; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (supervisor != null) {
            supervisor.cancel();
        }
        if (connection != null) {
            RedisConnection last = connection;
            connection = null;
            last.lose(new RedisUnavailableException("the Redis " + role + " for " + uri + " was closed"));
        }
        changed();
    }

    /** Parks until the link's tasks have ended, after {@link #close()}. */
    void awaitClosed() {
        Task<?> me = Task.current();
        if (!closed) {
            throw new IllegalStateException("awaitClosed before close: " + this);
        }
        while (liveTasks > 0) {
            WaitQueue.Node node = closeWaiters.add(me);
            try {
                me.park("the end of " + this + "'s tasks");
            } finally {
                node.unlink();
            }
        }
    }

    private Task<Void> background(String name, Routine body) {
        Task<Void> task = loop.spawn(name, body);
        liveTasks++;
        task.whenDone(() -> {
            liveTasks--;
            if (liveTasks == 0) {
                closeWaiters.wakeAll();
            }
        });
        return task;
    }

    /** The supervisor's body: read while up; when down, reconnect with backoff; until closed. */
    private void supervise() {
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax());
        RedisConnection live = connection;
        try {
            while (!closed) {
                RedisException cause = readUntilLost(live);
                if (closed) {
                    return;
                }
                connection = null;
                live.lose(cause);
                live = null;
                changed();
                side.down(cause);
                LOG.log(Level.WARNING, "lost the link to Redis at {0} ({1}): {2}; reconnecting with backoff {3}..{4} ms",
                        uri, role, cause.getMessage(), options.backoffMin().toMillis(), options.backoffMax().toMillis());
                long lostAt = loop.now();
                live = reconnect(backoff);
                LOG.log(Level.INFO, "the link to Redis at {0} ({1}) is back after {2} ms", uri, role,
                        Duration.ofNanos(loop.now() - lostAt).toMillis());
            }
        } finally {
            if (live != null) { // closed (or a bug): the connection must not outlive the link
                live.lose(new RedisUnavailableException("the Redis " + role + " for " + uri + " was closed"));
            }
        }
    }

    /**
     * Reads until the connection breaks, and returns why. A silence of {@code pingInterval} sends
     * a {@code PING}; a further silence of {@code commandTimeout} is a loss: a stalled Redis, or
     * one behind a dead network, sends no reset.
     */
    private RedisException readUntilLost(RedisConnection live) {
        boolean probing = false;
        try {
            while (true) {
                RedisValue value;
                try {
                    value = live.readValue();
                } catch (RedisConnection.Silence quiet) {
                    if (probing) {
                        return new RedisUnavailableException("Redis at " + uri + " answered nothing, not even PING, for "
                                + (options.pingInterval().toMillis() + options.commandTimeout().toMillis())
                                + " ms: the link is taken as lost");
                    }
                    probing = true;
                    side.ping(live);
                    live.expectWithin(options.commandTimeout());
                    continue;
                }
                if (probing) {
                    probing = false;
                    live.expectWithin(options.pingInterval());
                }
                side.value(live, value);
            }
        } catch (RedisException e) {
            return live.lostCause() != null ? live.lostCause() : e;
        } catch (IOException e) {
            return new RedisUnavailableException("the link to " + uri + " failed: " + RedisConnection.describe(e), e);
        }
    }

    /** Attempts until a connection is up, and makes it the link's; a {@code close()} meanwhile cancels this task. */
    private RedisConnection reconnect(Backoff backoff) {
        for (int attempt = 1; ; attempt++) {
            Boucle.sleep(backoff.next());
            RedisConnection fresh = null;
            try {
                fresh = RedisConnection.open(uri, options);
                fresh.startWriter(body -> background("redis " + role + " writer " + uri, body));
                side.up(fresh, true);
            } catch (RedisException e) {
                if (fresh != null) {
                    fresh.lose(e);
                }
                LOG.log(Level.DEBUG, "reconnection attempt {0} to Redis at {1} failed: {2}", attempt, uri, e.getMessage());
                continue;
            }
            connection = fresh;
            backoff.reset();
            changed();
            return fresh;
        }
    }

    @Override
    public String toString() {
        return "Redis " + role + " link to " + uri + (closed ? " (closed)" : connection == null ? " (down)" : "");
    }
}
