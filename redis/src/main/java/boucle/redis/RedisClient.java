package boucle.redis;

import boucle.core.LoopBound;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Redis client for tasks: every command parks the calling task until its reply, the loop runs
 * the other tasks meanwhile, and the commands of all tasks share one connection, pipelined (each
 * goes out at once, replies come back in order and go to their callers).
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.connect(RedisUri.parse("redis://127.0.0.1:6379"), RedisOptions.defaults());
 * redis.set("greeting", "hello");
 * String greeting = redis.get("greeting");                      // "hello"; null when absent
 * boolean mine = redis.set("lock", "me", SetArgs.nx().px(5_000)); // false if someone holds it
 * RedisValue fields = redis.command("HGETALL", "h");             // any command
 * redis.send("PUBLISH", "room", "hi");                           // never parks; the reply may be ignored
 * redis.close();
 * }</pre>
 *
 * <h2>Strings and bytes</h2>
 * Keys, values and arguments given as {@link String}s are sent as UTF-8, and replies read as
 * strings are decoded as UTF-8. Values are binary-safe through the {@code byte[]} overloads
 * ({@link #getBytes}, {@link #set(String, byte[], SetArgs)}, {@link #command(List)}).
 *
 * <h2>Pipelining, timeouts, a bounded queue</h2>
 * A command is written when it is issued; what all tasks issue in one turn of the loop leaves in
 * one write. Each command has {@link RedisOptions#commandTimeout()} from its issue to its reply:
 * past it the caller gets a {@link RedisTimeoutException}, the connection is kept and the late
 * reply is dropped. At most {@link RedisOptions#maxPendingCommands()} commands wait for replies;
 * beyond, a command fails at once with {@link RedisOverloadedException}, so a slow or stalled
 * Redis never grows memory or stalls the loop: the caller chooses to drop or retry.
 *
 * <h2>Losing Redis</h2>
 * When the connection breaks (Redis killed, restarted, a network fault, bytes that are not RESP),
 * every command waiting for a reply throws {@link RedisUnavailableException} (whether it ran is
 * unknown), and so does every command issued while the link is down: they are not queued for
 * later, as a caller that waits for a dead Redis is what a chat must not do. The client
 * reconnects in the background, with a pause of {@link RedisOptions#backoffMin()} doubling up to
 * {@link RedisOptions#backoffMax()}, and commands work again once it is back (a connection counts
 * as back once Redis has answered its {@code PING}). A Redis that stalls without closing anything
 * (stopped, swapping, behind a dead network) is found out too: a link silent for
 * {@link RedisOptions#pingInterval()} is sent a {@code PING}, and if nothing comes back within the
 * command timeout it is taken as lost. {@link #isLinked()} says whether it is up;
 * {@link #awaitLinkChange()} parks until it changes.
 *
 * <h2>Why a client of our own</h2>
 * The issue left the choice open: a small RESP client on {@code AsyncSocket}, or an established
 * client (Lettuce, or Jedis on a thread pool) bridged into the loop. We chose our own, by
 * measurement and by what a user maintains:
 * <ul>
 *   <li><b>Faster, on less CPU.</b> {@code java -jar bench/target/boucle-bench.jar redis} (built by
 *       {@code mvn -Pbench package}; part of {@code ./boucle bench}; figures in
 *       {@code bench/results/redis.md}), one redis-server 7.0 for all, 100 callers on one connection,
 *       clients alternating, median of 5, on 2 shared cores at a load average of 14 (other builds
 *       running):
 *       <table>
 *         <caption>operations per second, and this JVM's CPU per operation</caption>
 *         <tr><th>scenario</th><th>Boucle</th><th>Lettuce 7.7 bridged into the loop</th><th>Lettuce 7.7 alone</th></tr>
 *         <tr><td>SET+GET</td><td>610,875 (1.12 µs)</td><td>166,512 (3.73 µs)</td><td>214,559 (2.74 µs)</td></tr>
 *         <tr><td>PUBLISH, 1 subscriber</td><td>462,955 (1.59 µs)</td><td>133,636 (5.54 µs)</td><td>158,906 (3.62 µs)</td></tr>
 *       </table>
 *       Boucle did 3.5 to 3.7 times the bridged Lettuce a Boucle user would run, and 2.9 times
 *       Lettuce alone (an earlier run, at a load of 13 to 17: 3.4 to 3.8 and 2.9 to 3.4). Where the
 *       time goes: Lettuce (auto-flush, its default) writes and flushes each command on its own, and
 *       a bridge adds a hop between threads per reply; here what all tasks issue in a turn leaves in
 *       one write, and replies wake tasks on the same thread.</li>
 *   <li><b>Nothing to bridge.</b> Commands are plain parking calls with the loop's timeouts and
 *       cancellation; a stalled Redis cannot block the loop's thread; no second event loop, no
 *       Reactor, no extra threads in the process.</li>
 *   <li><b>Small.</b> About 2,500 lines with their documentation, no dependency beyond {@code boucle-net}. What it
 *       lacks (cluster, sentinel, TLS, RESP3, transactions' helpers) a user who needs it can get
 *       from Lettuce through {@code Boucle.runInThread} or a bridge like the benchmark's.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The client belongs to the loop it was connected on. Every method is for that loop's thread
 * and refuses a call from another thread, before any change, with an {@link IllegalStateException};
 * the parking ones must be called from a task. {@link #toString()} is safe from any thread.
 * Its background tasks (the link's reader and writer) end after {@link #close()}; a test that
 * checks no task outlives it calls {@link #awaitClosed()} after.
 */
public final class RedisClient implements AutoCloseable, LoopBound {
    private final Link link;

    private RedisClient(RedisUri uri, RedisOptions options) {
        this.link = new Link(uri, options, "client", new Replies());
    }

    /**
     * Connects to Redis (parks until connected and authenticated, within the connect timeout)
     * and starts the client's background tasks on the current loop. Call from a task.
     *
     * @throws RedisUnavailableException if Redis cannot be reached; the message names the address
     */
    public static RedisClient connect(RedisUri uri, RedisOptions options) throws RedisException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        RedisClient client = new RedisClient(uri, options);
        client.link.start();
        return client;
    }

    /** {@link #connect(RedisUri, RedisOptions)} with {@link RedisUri#parse} and the default options. */
    public static RedisClient connect(String uri) throws RedisException {
        return connect(RedisUri.parse(uri), RedisOptions.defaults());
    }

    // ---- any command ---------------------------------------------------------------------------

    /**
     * Sends a command without waiting for its reply, and returns its {@link RedisCall}, to
     * {@link RedisCall#await()} or to forget. Never parks, so a callback may call it too.
     *
     * @param command the name and arguments: each a {@link String} (sent as UTF-8) or a {@code byte[]}
     * @throws RedisOverloadedException if {@link RedisOptions#maxPendingCommands()} commands already wait
     * @throws RedisUnavailableException while the link is down, or after {@link #close()}
     * @throws IllegalArgumentException for an empty command or an argument of another type
     */
    public RedisCall send(List<?> command) throws RedisException {
        requireLoopThread();
        Objects.requireNonNull(command, "command");
        RedisConnection connection = link.connection();
        if (connection == null) {
            throw new RedisUnavailableException(link.isClosed() ? "the Redis client for " + link.uri + " is closed"
                    : "no link to Redis at " + link.uri + " (reconnecting)");
        }
        if (connection.inFlight() >= link.options.maxPendingCommands()) {
            throw new RedisOverloadedException(connection.inFlight() + " commands already wait for replies from "
                    + link.uri + " (RedisOptions.maxPendingCommands)");
        }
        RedisCall call = new RedisCall(link.loop, commandName(command), link.options.commandTimeout());
        connection.send(call, command);
        return call;
    }

    /** {@link #send(List)} with string arguments. */
    public RedisCall send(String... command) throws RedisException {
        return send(Arrays.asList(command));
    }

    /**
     * Runs any command: sends it and parks until its reply, returned as it came; an error reply
     * is returned as a {@link RedisValue.Error}, not thrown. Call from a task.
     *
     * @throws RedisTimeoutException past the command timeout
     * @throws RedisUnavailableException if the link is down or breaks before the reply
     * @throws RedisOverloadedException if too many commands wait already
     */
    public RedisValue command(List<?> command) throws RedisException {
        return send(command).await();
    }

    /** {@link #command(List)} with string arguments: {@code redis.command("HSET", "h", "f", "v")}. */
    public RedisValue command(String... command) throws RedisException {
        return command(Arrays.asList(command));
    }

    // ---- typed commands ------------------------------------------------------------------------

    /** {@code GET}: the value as UTF-8 text, or {@code null} when the key is absent. Parks. */
    public String get(String key) throws RedisException {
        RedisValue reply = expect(command("GET", key), "GET");
        return reply.isNull() ? null : reply.asString();
    }

    /** {@code GET}: the value's bytes, or {@code null} when the key is absent. Parks. */
    public byte[] getBytes(String key) throws RedisException {
        RedisValue reply = expect(command("GET", key), "GET");
        return reply.isNull() ? null : reply.asBytes();
    }

    /** {@code SET key value}; always {@code true}. Parks. */
    public boolean set(String key, String value) throws RedisException {
        return set(key, (Object) value, SetArgs.none());
    }

    /** {@code SET} with options; {@code false} when its condition ({@code NX}, {@code XX}) refused it. Parks. */
    public boolean set(String key, String value, SetArgs args) throws RedisException {
        return set(key, (Object) value, args);
    }

    /** {@code SET} of a binary value, with options. Parks. */
    public boolean set(String key, byte[] value, SetArgs args) throws RedisException {
        return set(key, (Object) value, args);
    }

    private boolean set(String key, Object value, SetArgs args) throws RedisException {
        Objects.requireNonNull(args, "args");
        List<Object> command = new ArrayList<>(7);
        command.add("SET");
        command.add(key);
        command.add(value);
        args.appendTo(command);
        RedisValue reply = expect(command(command), "SET");
        if (reply.isNull()) {
            return false;
        }
        if (reply instanceof RedisValue.Simple ok && ok.text().equals("OK")) {
            return true;
        }
        throw unexpected("SET", reply);
    }

    /** {@code DEL}: how many of the keys existed. Parks. */
    public long del(String... keys) throws RedisException {
        if (keys.length == 0) {
            throw new IllegalArgumentException("DEL needs at least one key");
        }
        List<Object> command = new ArrayList<>(keys.length + 1);
        command.add("DEL");
        command.addAll(Arrays.asList(keys));
        return integer(command(command), "DEL");
    }

    /** {@code PEXPIRE}: {@code true} if the key exists and now expires in {@code millis}. Parks. */
    public boolean pexpire(String key, long millis) throws RedisException {
        return integer(command("PEXPIRE", key, Long.toString(millis)), "PEXPIRE") == 1;
    }

    /** {@code PUBLISH} of UTF-8 text: how many subscribers received it (on this Redis). Parks. */
    public long publish(String channel, String message) throws RedisException {
        return integer(command("PUBLISH", channel, message), "PUBLISH");
    }

    /** {@code PUBLISH} of bytes. Parks. */
    public long publish(String channel, byte[] message) throws RedisException {
        return integer(command(List.of("PUBLISH", channel, message)), "PUBLISH");
    }

    private static RedisValue expect(RedisValue reply, String command) throws RedisErrorReplyException {
        if (reply instanceof RedisValue.Error error) {
            throw new RedisErrorReplyException(command + ": " + error.message());
        }
        return reply;
    }

    private static long integer(RedisValue reply, String command) throws RedisException {
        if (expect(reply, command) instanceof RedisValue.Int number) {
            return number.value();
        }
        throw unexpected(command, reply);
    }

    private static RedisException unexpected(String command, RedisValue reply) {
        return new RedisException("unexpected reply to " + command + ": " + reply);
    }

    private static String commandName(List<?> command) {
        return command.isEmpty() ? "(empty)" : command.get(0) instanceof String name ? name : "(binary command)";
    }

    // ---- the link ------------------------------------------------------------------------------

    /** Whether the connection to Redis is up (commands can be sent). */
    public boolean isLinked() {
        requireLoopThread();
        return link.connection() != null;
    }

    /**
     * Parks until the link goes down or comes back (or the client is closed), and returns
     * {@link #isLinked()}. Call from a task.
     */
    public boolean awaitLinkChange() {
        requireLoopThread();
        return link.awaitChange();
    }

    /** How many commands wait for their replies now (timed-out ones included until their reply comes). */
    public int pendingCommands() {
        requireLoopThread();
        RedisConnection connection = link.connection();
        return connection == null ? 0 : connection.inFlight();
    }

    /** Where it connects. Any thread. */
    public RedisUri uri() {
        return link.uri;
    }

    /**
     * Closes the connection and stops reconnecting; commands waiting for replies, and any later
     * call, throw {@link RedisUnavailableException}. Never parks; idempotent.
     */
    @Override
    public void close() {
        requireLoopThread();
        link.close();
    }

    /** Parks until the client's background tasks have ended, after {@link #close()}. Call from a task. */
    public void awaitClosed() {
        requireLoopThread();
        link.awaitClosed();
    }

    private void requireLoopThread() {
        link.loop.requireThisThread(this);
    }

    @Override
    public String toString() {
        return "RedisClient[" + link + "]";
    }

    /** Hands each reply to the oldest call waiting. */
    private final class Replies implements Link.Side {
        @Override
        public void up(RedisConnection connection, boolean again) {
            // a command connection needs nothing more than the handshake
        }

        @Override
        public void value(RedisConnection connection, RedisValue value) throws RedisProtocolException {
            RedisCall call = connection.nextCall();
            if (call == null) {
                throw new RedisProtocolException("a reply no command asked for: " + value);
            }
            call.complete(value);
        }

        @Override
        public void down(RedisException cause) {
            // the connection failed its calls already
        }

        @Override
        public void ping(RedisConnection connection) throws RedisException {
            // a call nobody awaits: its reply, in its place in the order, is dropped
            connection.send(new RedisCall(link.loop, "PING", link.options.commandTimeout()), List.of("PING"));
        }
    }
}
