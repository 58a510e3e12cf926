package boucle.redis;

import boucle.core.Handle;
import boucle.core.LoopBound;
import boucle.core.Task;
import boucle.core.WaitQueue;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Redis pub/sub for tasks, on a connection of its own (a subscribed connection can do nothing
 * else; publish with a {@link RedisClient}). Messages and link events come out of
 * {@link #receive()} in order:
 *
 * <pre>{@code
 * RedisSubscriber sub = RedisSubscriber.connect(uri, RedisOptions.defaults());
 * sub.subscribe("room:lobby");                       // parks until Redis confirms
 * while (true) {
 *     switch (sub.receive()) {                        // parks until the next event
 *         case RedisEvent.Message m -> deliver(m.channel(), m.payload());
 *         case RedisEvent.LinkLost lost -> tell("* link to other servers lost");
 *         case RedisEvent.LinkBack back -> tell("* link back");
 *     }
 * }
 * }</pre>
 *
 * <h2>Losing Redis</h2>
 * When the link breaks, {@link #receive()} gives a {@link RedisEvent.LinkLost}; the subscriber
 * reconnects with backoff ({@link RedisOptions#backoff}), subscribes again to every channel and
 * pattern it holds, and only once Redis has confirmed them all gives a {@link RedisEvent.LinkBack}:
 * from then on no message published is missed. Messages published meanwhile are lost (Redis
 * pub/sub keeps nothing for an absent subscriber). A stalled Redis is noticed as the client
 * notices it (a silent link answers no {@code PING}: see {@link RedisOptions#pingInterval()}).
 * A {@link #subscribe} made while the link is
 * down throws {@link RedisUnavailableException} but stands: the channel is subscribed when the
 * link comes back.
 *
 * <h2>A slow reader</h2>
 * At most {@link RedisOptions#maxQueuedEvents()} messages wait for {@link #receive()}; past it
 * the subscriber stops reading its socket until there is room, so memory stays bounded. Redis
 * then holds the messages, up to its {@code client-output-buffer-limit} for pub/sub, past which
 * it drops the connection: a {@link RedisEvent.LinkLost}, then a {@link RedisEvent.LinkBack}.
 * Link events are never held back by a full queue.
 *
 * <p>Payloads are decoded as UTF-8. Threads: as {@link RedisClient}: the subscriber belongs to
 * the loop it was connected on; every method is for that loop's thread (refused from another,
 * before any change), the parking ones from a task.
 */
public final class RedisSubscriber implements AutoCloseable, LoopBound {
    private final Link link;
    /** What the user subscribed to, in order; resubscribed after every loss. */
    private final Set<String> channels = new LinkedHashSet<>();
    private final Set<String> patterns = new LinkedHashSet<>();
    /** What Redis has confirmed on the current connection. */
    private final Set<String> confirmedChannels = new HashSet<>();
    private final Set<String> confirmedPatterns = new HashSet<>();
    /** After a reconnection: what still waits for Redis's confirmation before {@link RedisEvent.LinkBack}; else {@code null}. */
    private Set<String> resubscribing;
    /** Messages that came while resubscribing: they follow the {@link RedisEvent.LinkBack}. */
    private final List<RedisEvent.Message> held = new ArrayList<>();
    /** Up and subscribed: between a {@code LinkBack} (or the first connect) and a {@code LinkLost}. */
    private boolean linked;
    private final EventQueue events;
    private final WaitQueue confirmWaiters = new WaitQueue();

    private RedisSubscriber(RedisUri uri, RedisOptions options) {
        this.link = new Link(uri, options, "subscriber", new Pushes());
        this.events = new EventQueue(options.maxQueuedEvents());
    }

    /**
     * Connects its own connection to Redis (parks until connected, within the connect timeout)
     * and starts its background tasks on the current loop. Call from a task.
     *
     * @throws RedisUnavailableException if Redis cannot be reached; the message names the address
     */
    public static RedisSubscriber connect(RedisUri uri, RedisOptions options) throws RedisException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        RedisSubscriber subscriber = new RedisSubscriber(uri, options);
        subscriber.link.start();
        subscriber.linked = true;
        return subscriber;
    }

    // ---- subscriptions -------------------------------------------------------------------------

    /**
     * Subscribes to {@code channels} and parks until Redis has confirmed each (within the command
     * timeout). Call from a task.
     *
     * @throws RedisUnavailableException if the link is down or breaks meanwhile: the subscription
     *     stands all the same and is made when the link is back
     * @throws RedisTimeoutException if Redis did not confirm in time (the subscription stands)
     */
    public void subscribe(String... channels) throws RedisException {
        requireLoopThread();
        List<String> wanted = names(channels, "channel");
        Task.current();
        requireOpen();
        this.channels.addAll(wanted);
        List<String> missing = wanted.stream().filter(channel -> !confirmedChannels.contains(channel)).toList();
        request("SUBSCRIBE", missing, () -> confirmedChannels.containsAll(missing));
    }

    /**
     * Subscribes to channels matching {@code patterns} ({@code PSUBSCRIBE}, glob-style: {@code room:*});
     * a message's {@link RedisEvent.Message#channel()} is then the channel it was published on.
     * Parks until confirmed, as {@link #subscribe}.
     */
    public void psubscribe(String... patterns) throws RedisException {
        requireLoopThread();
        List<String> wanted = names(patterns, "pattern");
        Task.current();
        requireOpen();
        this.patterns.addAll(wanted);
        List<String> missing = wanted.stream().filter(pattern -> !confirmedPatterns.contains(pattern)).toList();
        request("PSUBSCRIBE", missing, () -> confirmedPatterns.containsAll(missing));
    }

    /**
     * Stops delivering the messages of {@code channels}, at once (messages already queued for
     * {@link #receive()} stay); tells Redis if the link is up. Never parks.
     */
    public void unsubscribe(String... channels) throws RedisException {
        requireLoopThread();
        List<String> leaving = names(channels, "channel");
        requireOpen();
        this.channels.removeAll(leaving);
        RedisConnection connection = link.connection();
        if (connection != null) {
            connection.sendUntracked(command("UNSUBSCRIBE", leaving));
        }
    }

    /** {@link #unsubscribe} for patterns ({@code PUNSUBSCRIBE}). Never parks. */
    public void punsubscribe(String... patterns) throws RedisException {
        requireLoopThread();
        List<String> leaving = names(patterns, "pattern");
        requireOpen();
        this.patterns.removeAll(leaving);
        RedisConnection connection = link.connection();
        if (connection != null) {
            connection.sendUntracked(command("PUNSUBSCRIBE", leaving));
        }
    }

    /** The channels subscribed to (made or standing), in the order they were first subscribed. */
    public Set<String> channels() {
        requireLoopThread();
        return Set.copyOf(channels);
    }

    /** The patterns subscribed to. */
    public Set<String> patterns() {
        requireLoopThread();
        return Set.copyOf(patterns);
    }

    private static List<String> names(String[] names, String what) {
        if (names.length == 0) {
            throw new IllegalArgumentException("no " + what + " given");
        }
        for (String name : names) {
            Objects.requireNonNull(name, what);
        }
        return List.of(names);
    }

    private static List<Object> command(String name, List<String> arguments) {
        List<Object> command = new ArrayList<>(arguments.size() + 1);
        command.add(name);
        command.addAll(arguments);
        return command;
    }

    /** Sends {@code name missing...} and parks until {@code confirmed} holds, the link breaks, or the timeout. */
    private void request(String name, List<String> missing, BooleanSupplier confirmed) throws RedisException {
        RedisConnection connection = link.connection();
        if (connection == null) {
            throw new RedisUnavailableException("no link to Redis at " + link.uri + " (reconnecting); " + name + " "
                    + missing + " stands and is made when the link is back");
        }
        if (missing.isEmpty()) {
            return;
        }
        connection.sendUntracked(command(name, missing));
        Task<?> me = Task.current();
        long deadline = link.loop.now() + link.options.commandTimeout().toNanos();
        Handle timer = link.loop.callAt(deadline, me::wake);
        try {
            while (!confirmed.getAsBoolean()) {
                requireOpen();
                if (link.connection() != connection) {
                    throw new RedisUnavailableException("the link to " + link.uri + " broke before Redis confirmed "
                            + name + " " + missing + "; it stands and is made when the link is back");
                }
                if (link.loop.now() >= deadline) {
                    throw new RedisTimeoutException(name + " " + missing + ": not confirmed within "
                            + link.options.commandTimeout().toMillis() + " ms (RedisOptions.commandTimeout); it stands");
                }
                WaitQueue.Node node = confirmWaiters.add(me);
                try {
                    me.park("Redis's confirmation of " + name + " " + missing);
                } finally {
                    node.unlink();
                }
            }
        } finally {
            timer.cancel();
        }
    }

    // ---- events --------------------------------------------------------------------------------

    /**
     * Parks until the next event and returns it: a {@link RedisEvent.Message}, a
     * {@link RedisEvent.LinkLost} or a {@link RedisEvent.LinkBack}. Call from a task.
     *
     * @throws RedisUnavailableException once the subscriber is closed
     */
    public RedisEvent receive() throws RedisUnavailableException {
        requireLoopThread();
        requireOpen();
        return events.take(this, "the Redis subscriber for " + link.uri + " is closed");
    }

    /** The next event if one is queued, else {@code null}; never parks. */
    public RedisEvent poll() throws RedisUnavailableException {
        requireLoopThread();
        requireOpen();
        return events.poll();
    }

    /** Whether the link is up and every subscription made: between a {@code LinkBack} and a {@code LinkLost}. */
    public boolean isLinked() {
        requireLoopThread();
        return linked;
    }

    /** Events queued for {@link #receive()}. */
    public int queuedEvents() {
        requireLoopThread();
        return events.size();
    }

    // ---- closing -------------------------------------------------------------------------------

    /**
     * Closes the connection and stops reconnecting; tasks parked in {@link #receive()} or
     * {@link #subscribe} throw {@link RedisUnavailableException}, and so does any later call.
     * Never parks; idempotent.
     */
    @Override
    public void close() {
        requireLoopThread();
        if (link.isClosed()) {
            return;
        }
        link.close();
        linked = false;
        events.close();
        held.clear();
        confirmWaiters.wakeAll();
    }

    /** Parks until the subscriber's background tasks have ended, after {@link #close()}. Call from a task. */
    public void awaitClosed() {
        requireLoopThread();
        link.awaitClosed();
    }

    private void requireOpen() throws RedisUnavailableException {
        if (link.isClosed()) {
            throw new RedisUnavailableException("the Redis subscriber for " + link.uri + " is closed");
        }
    }

    private void requireLoopThread() {
        link.loop.requireThisThread(this);
    }

    @Override
    public String toString() {
        return "RedisSubscriber[" + link + "]";
    }

    /** The subscriber's side of the link: push messages in, events out. */
    private final class Pushes implements Link.Side {
        @Override
        public void up(RedisConnection connection, boolean again) throws RedisException {
            confirmedChannels.clear();
            confirmedPatterns.clear();
            if (!again) {
                return; // the first connection: nothing subscribed yet
            }
            Set<String> remaining = new HashSet<>();
            channels.forEach(channel -> remaining.add("c:" + channel));
            patterns.forEach(pattern -> remaining.add("p:" + pattern));
            if (!channels.isEmpty()) {
                connection.sendUntracked(command("SUBSCRIBE", List.copyOf(channels)));
            }
            if (!patterns.isEmpty()) {
                connection.sendUntracked(command("PSUBSCRIBE", List.copyOf(patterns)));
            }
            resubscribing = remaining;
            if (remaining.isEmpty()) {
                back();
            }
        }

        @Override
        public void value(RedisConnection connection, RedisValue value) throws RedisProtocolException {
            if (value instanceof RedisValue.Error error) {
                Link.LOG.log(Level.WARNING, "Redis at {0} refused a subscription: {1}", link.uri, error.message());
                return;
            }
            if (value instanceof RedisValue.Simple simple && simple.text().equals("PONG")) {
                return; // a PING's answer before any subscription (after one, it is a "pong" array)
            }
            if (!(value instanceof RedisValue.Array array) || array.items().size() < 2) {
                throw new RedisProtocolException("not a pub/sub message: " + value);
            }
            List<RedisValue> items = array.items();
            String kind = String.valueOf(items.get(0).asString()).toLowerCase(Locale.ROOT);
            switch (kind) {
                case "message" -> message(items, 1, channels.contains(items.get(1).asString()));
                case "pmessage" -> message(items, 2, items.size() == 4 && patterns.contains(items.get(1).asString()));
                case "subscribe" -> confirmed(confirmedChannels, "c:", items.get(1).asString());
                case "psubscribe" -> confirmed(confirmedPatterns, "p:", items.get(1).asString());
                case "unsubscribe" -> confirmedChannels.remove(items.get(1).asString());
                case "punsubscribe" -> confirmedPatterns.remove(items.get(1).asString());
                case "pong" -> {
                    // an answer to a PING: nothing to tell
                }
                default -> throw new RedisProtocolException("not a pub/sub message: " + value);
            }
        }

        /** A message whose channel is at {@code at} and payload right after it; parks while the queue is full. */
        private void message(List<RedisValue> items, int at, boolean wanted) throws RedisProtocolException {
            if (items.size() != at + 2) {
                throw new RedisProtocolException("a pub/sub message of " + items.size() + " parts: " + items);
            }
            if (!wanted) {
                return; // unsubscribed meanwhile
            }
            RedisEvent.Message message = new RedisEvent.Message(items.get(at).asString(), items.get(at + 1).asString());
            if (resubscribing != null) {
                held.add(message);
                return;
            }
            events.putMessage(message, RedisSubscriber.this); // parks while the queue is full
        }

        private void confirmed(Set<String> confirmations, String prefix, String name) {
            confirmations.add(name);
            confirmWaiters.wakeAll();
            if (resubscribing != null && resubscribing.remove(prefix + name) && resubscribing.isEmpty()) {
                back();
            }
        }

        private void back() {
            resubscribing = null;
            linked = true;
            events.putLinkEvent(new RedisEvent.LinkBack());
            held.forEach(events::forceMessage);
            held.clear();
        }

        @Override
        public void ping(RedisConnection connection) throws RedisException {
            connection.sendUntracked(List.of("PING"));
        }

        @Override
        public void down(RedisException cause) {
            linked = false;
            resubscribing = null;
            held.clear();
            confirmedChannels.clear();
            confirmedPatterns.clear();
            events.putLinkEvent(new RedisEvent.LinkLost(cause));
            confirmWaiters.wakeAll();
        }
    }
}
