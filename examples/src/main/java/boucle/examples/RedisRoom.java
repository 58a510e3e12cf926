package boucle.examples;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.redis.RedisCall;
import boucle.redis.RedisClient;
import boucle.redis.RedisEvent;
import boucle.redis.RedisException;
import boucle.redis.RedisOptions;
import boucle.redis.RedisSubscriber;
import boucle.redis.RedisUri;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The part of a chat room beyond this server: the other chat servers started with the same
 * {@code --redis}, through Redis pub/sub. It is the {@link Roster} of the room's home loop (see
 * {@link LoopsLink}): nicknames are claimed in Redis, lines go out in one {@code PUBLISH} per batch,
 * and what the other servers say comes in on a subscription and is handed to every loop's part.
 *
 * <h2>In Redis</h2>
 * Room {@code R} ({@code lobby}, the chat's one room) is the channel {@code boucle:chat:R}, where
 * every server publishes its messages ({@link RoomWire}) from its one connection, so each sender's
 * lines keep their order; and the keys {@code boucle:chat:R:*} of the room's
 * {@link RedisNicknames}. A server's own messages come back to it: it knows them by its id.
 *
 * <h2>Heartbeat 1 s, time to live 3 s</h2>
 * Every {@value #HEARTBEAT_MILLIS} ms a server renews its nicknames (one {@code EVAL}) and
 * publishes its whole member list. A server heard from by nobody for {@value #TTL_MILLIS} ms is
 * dead to the others: each takes its members out of {@code /who} and tells its own members
 * {@code * X left (server lost)}, once, within 3 to 4 s of the death; its nicknames expire in Redis
 * within 3 s. A server that stops gracefully says bye first, and the others tell theirs at once.
 *
 * <h2>Faults, and why so</h2>
 * <ul>
 *   <li>Redis down at start: {@link #start} fails and {@code chat} exits 1 saying so. A server
 *       asked to share its room that quietly served a room of its own would split the room behind
 *       the load balancer with nobody noticing; an exit is seen, and a supervisor restarts it.</li>
 *   <li>Redis lost while serving: the members here keep chatting with each other and are told
 *       {@code * link to other servers lost}; both connections reconnect with backoff (50 ms
 *       doubling to 2 s), the subscription is renewed, the members are told {@code * link back},
 *       and a hello makes every server send its member list at once. Meanwhile lines are not
 *       queued for later (see {@link Outbox}), a newcomer gets a nickname no other server can
 *       make ({@code guest-SERVERID-N}, claimed in Redis once it is back), and {@code /nick} is
 *       refused, since its uniqueness cannot be checked.</li>
 *   <li>A slow Redis: nothing a member does waits for Redis except a nickname claim (one round
 *       trip, bounded by the command timeout, 2 s; then the member gets a server-local name as
 *       above); lines wait in the bounded {@link Outbox} (256 KiB, what one member may have
 *       waiting), past which new ones are dropped, counted, and logged once per 10 s. A Redis that
 *       stops answering altogether (a stopped process, a dead network) is found out by the
 *       client's {@code PING} within a few seconds and handled as a lost link.</li>
 * </ul>
 *
 * <p>Home-loop only: every method, and the three tasks it starts there (publisher, receiver,
 * heartbeat), which end when the loop is shut down.
 */
final class RedisRoom implements Roster {
    static final long HEARTBEAT_MILLIS = 1_000;
    static final long TTL_MILLIS = 3_000;
    static final String LINK_LOST = "* link to other servers lost";
    static final String LINK_BACK = "* link back";
    /** As much as one member may have waiting ({@link Chat#MAX_QUEUED_BYTES}): a backlog sent after a stall does not by itself cut off a member who reads. */
    private static final int OUTBOX_BYTES = Chat.MAX_QUEUED_BYTES;
    private static final int BATCH_BYTES = 64 * 1024;
    private static final int PUBLISHES_IN_FLIGHT = 4;
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    /** A member of this server: its nickname, and its place in the room's join order. */
    private static final class Own {
        String nick;
        final long order;

        Own(String nick, long order) {
            this.nick = nick;
            this.order = order;
        }
    }

    private final RedisUri uri;
    private final RedisOptions options;
    private final String server = UUID.randomUUID().toString().substring(0, 8);
    private final String channel;
    private final String prefix;
    /** This server's members, by id, in the order they came. */
    private final Map<String, Own> own = new LinkedHashMap<>();
    private final RemoteMembers remote = new RemoteMembers();
    private final Outbox outbox = new Outbox(OUTBOX_BYTES);
    private Consumer<List<String>> everyPart = lines -> { };
    private RedisClient commands;
    private RedisNicknames nicknames;
    private RedisSubscriber subscriber;
    private Loop home;
    private long sent;
    private boolean subscribed;
    private boolean closing;
    private long quietUntil;
    private long offlineGuests;
    private long lastLog;
    private long loggedDrops;
    private long loggedMissed;

    /** A room named {@code room} in the Redis at {@code uri}; nothing is connected before {@link #start}. Any thread. */
    RedisRoom(RedisUri uri, String room) {
        this.uri = uri;
        this.options = RedisOptions.defaults()
                .connectTimeout(Duration.ofSeconds(2))
                .commandTimeout(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(2));
        this.channel = "boucle:chat:" + room;
        this.prefix = channel + ":";
    }

    /** Wiring, before {@link #start}: what hands lines from other servers to every part of this process. */
    void deliverWith(Consumer<List<String>> everyPart) {
        this.everyPart = everyPart;
    }

    /**
     * Connects to Redis (commands and subscription), starts the room's tasks on this loop, and says
     * hello. From a task on the home loop; parks.
     *
     * @throws RedisException if Redis cannot be reached: its message names the address
     */
    void start() throws RedisException {
        home = Loop.current();
        commands = RedisClient.connect(uri, options);
        nicknames = new RedisNicknames(commands, prefix, TTL_MILLIS);
        try {
            subscriber = RedisSubscriber.connect(uri, options);
            subscriber.subscribe(channel);
        } catch (RedisException | RuntimeException failed) {
            commands.close();
            if (subscriber != null) {
                subscriber.close();
            }
            throw failed;
        }
        subscribed = true;
        quietUntil = home.now() + Duration.ofMillis(HEARTBEAT_MILLIS).toNanos();
        lastLog = home.now();
        home.spawn("chat-redis-publisher", this::publishForever);
        home.spawn("chat-redis-receiver", this::receiveForever);
        home.spawn("chat-redis-heartbeat", this::heartbeatForever);
        outbox.offer(RoomWire.present(ownMembers()));
        outbox.offer(RoomWire.hello());
    }

    // ---- the roster ------------------------------------------------------------------------

    @Override
    public String claimGuest(String owner) throws Exception {
        release(owner); // one nickname per member
        if (commands.isLinked()) {
            try {
                for (int attempt = 0; attempt < 100; attempt++) {
                    long order = nicknames.nextOrder();
                    if (order <= highestOrder()) { // Redis restarted empty: raise its counter first (and claim our names again)
                        renewNicknames();
                        continue;
                    }
                    String nick = "guest-" + order;
                    if (nicknames.claim(nick, owner)) {
                        seat(owner, nick, order);
                        return nick;
                    }
                }
            } catch (RedisException unreachable) {
                // down, too slow or overloaded: a name no other server can make, claimed once it is back
            }
        }
        String nick = "guest-" + server + "-" + ++offlineGuests;
        seat(owner, nick, highestOrder() + 1);
        return nick;
    }

    @Override
    public boolean rename(String owner, String wanted) throws Exception {
        if (!own.containsKey(owner)) {
            return false; // released meanwhile: the member left
        }
        try {
            if (!nicknames.claim(wanted, owner)) {
                return false;
            }
        } catch (RedisException unreachable) {
            throw new LinkDownException("nicknames cannot change while the link to other servers is down");
        }
        Own member = own.get(owner);
        if (member == null) { // left while the claim was on its way
            nicknames.unclaim(wanted, owner);
            return false;
        }
        String old = member.nick;
        member.nick = wanted;
        nicknames.unclaim(old, owner);
        outbox.offer(RoomWire.renamed(old, wanted));
        return true;
    }

    @Override
    public void release(String owner) {
        Own member = own.remove(owner);
        if (member != null) {
            nicknames.unclaim(member.nick, owner);
            outbox.offer(RoomWire.left(member.nick));
        }
    }

    @Override
    public List<String> list() {
        Map<String, Long> everyone = new HashMap<>(remote.members());
        everyone.putAll(ownMembers());
        return everyone.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }

    @Override
    public void closing() {
        if (!closing) {
            closing = true;
            outbox.offer(RoomWire.bye());
        }
    }

    /** This server's lines, on their way to the others, after its earlier events. Never parks. */
    void send(List<String> lines) {
        for (String line : lines) {
            outbox.offer(RoomWire.line(line));
        }
    }

    // ---- the tasks ---------------------------------------------------------------------------

    /**
     * Publishes what the outbox holds, a batch per {@code PUBLISH}, from this one task on one
     * connection: Redis runs them in the order sent, so each sender's lines keep their order. Up to
     * {@value #PUBLISHES_IN_FLIGHT} are sent before the first reply is awaited: a round trip to
     * Redis (a scheduling delay on a busy machine) is not paid once per batch.
     */
    private void publishForever() throws Exception {
        ArrayDeque<RedisCall> inFlight = new ArrayDeque<>();
        ArrayDeque<Integer> sizes = new ArrayDeque<>();
        try {
            for (;;) {
                List<String> batch = outbox.take(BATCH_BYTES);
                boolean failed = false;
                try {
                    inFlight.add(commands.send("PUBLISH", channel, RoomWire.message(server, ++sent, batch)));
                    sizes.add(batch.size());
                } catch (RedisException refused) {
                    outbox.lost(batch.size());
                    failed = true;
                }
                while (!inFlight.isEmpty() && (inFlight.size() >= PUBLISHES_IN_FLIGHT || inFlight.peek().isDone())) {
                    int events = sizes.poll();
                    try {
                        inFlight.poll().await();
                    } catch (RedisException lost) { // down, or timed out: that batch may not have reached the others
                        outbox.lost(events);
                        failed = true;
                    }
                }
                if (failed && !commands.isLinked()) {
                    inFlight.clear(); // they failed with the link: nobody will read their replies
                    sizes.forEach(outbox::lost);
                    sizes.clear();
                    awaitCommandsBack();
                }
            }
        } finally {
            commands.close();
        }
    }

    /** The link is down: drops lines until it is back, then says who is here and asks the others the same. */
    private void awaitCommandsBack() {
        outbox.close();
        while (!commands.isLinked()) {
            commands.awaitLinkChange();
        }
        outbox.open();
        if (!closing) {
            outbox.offer(RoomWire.present(ownMembers()));
            outbox.offer(RoomWire.hello());
        }
    }

    /** Hands what the other servers say to every part here; tells the members when the link is lost and back. */
    private void receiveForever() throws Exception {
        try {
            for (;;) {
                switch (subscriber.receive()) {
                    case RedisEvent.Message message -> received(message.payload());
                    case RedisEvent.LinkLost lost -> {
                        subscribed = false;
                        System.err.println("chat: link to Redis " + uri + " lost (" + lost.cause().getMessage()
                                + "); reconnecting; the members here chat on");
                        everyPart.accept(List.of(LINK_LOST));
                    }
                    case RedisEvent.LinkBack back -> {
                        subscribed = true;
                        remote.heardEveryone(home.now());
                        System.err.println("chat: link to Redis " + uri + " back");
                        everyPart.accept(List.of(LINK_BACK));
                        if (!closing) {
                            outbox.offer(RoomWire.present(ownMembers()));
                            outbox.offer(RoomWire.hello());
                        }
                    }
                }
            }
        } finally {
            subscriber.close();
        }
    }

    private void received(String payload) {
        RoomWire.Message message;
        try {
            message = RoomWire.parse(payload);
        } catch (IllegalArgumentException notOurs) {
            System.err.println("chat: ignored a message on " + channel + " that is not the chat's: " + notOurs.getMessage());
            return;
        }
        if (message.server().equals(server)) {
            return; // our own, back from Redis
        }
        long now = home.now();
        List<String> lines = remote.apply(message, now, now < quietUntil);
        if (!lines.isEmpty()) {
            everyPart.accept(lines);
        }
        if (!closing && message.events().contains(new RoomWire.Hello())) {
            outbox.offer(RoomWire.present(ownMembers()));
        }
    }

    /** Each second: renews the nicknames, says who is here, takes out the servers gone silent, logs the drops. */
    private void heartbeatForever() {
        long ttl = Duration.ofMillis(TTL_MILLIS).toNanos();
        for (;;) {
            Boucle.sleep(Duration.ofMillis(HEARTBEAT_MILLIS));
            if (closing) {
                return; // the bye is said: the others take our members out now
            }
            renewNicknames();
            outbox.offer(RoomWire.present(ownMembers()));
            long now = home.now();
            if (subscribed) { // while our own link is down, the others' silence means nothing
                List<String> gone = remote.expire(now, ttl);
                if (!gone.isEmpty()) {
                    everyPart.accept(gone);
                }
            }
            logDrops(now);
        }
    }

    private void renewNicknames() {
        if (!commands.isLinked()) {
            return;
        }
        Map<String, String> held = new LinkedHashMap<>();
        own.forEach((id, member) -> held.put(member.nick, id));
        try {
            for (String nick : nicknames.renew(held, highestOrder())) {
                System.err.println("chat: nickname '" + nick + "' of a member here is held by a member of another"
                        + " server (both took it while Redis was down)");
            }
        } catch (RedisException unreachable) {
            // the next heartbeat tries again; a name lives 3 s, three heartbeats
        }
    }

    private void seat(String owner, String nick, long order) {
        own.put(owner, new Own(nick, order));
        outbox.offer(RoomWire.joined(order, nick));
    }

    private Map<String, Long> ownMembers() {
        Map<String, Long> members = new LinkedHashMap<>();
        own.values().forEach(member -> members.put(member.nick, member.order));
        return members;
    }

    private long highestOrder() {
        long highest = remote.highestOrder();
        for (Own member : own.values()) {
            highest = Math.max(highest, member.order);
        }
        return highest;
    }

    /** At most once per 10 s: how many events were not sent, and how many of the others' never came. */
    private void logDrops(long now) {
        long dropped = outbox.dropped();
        long missed = remote.missedMessages();
        if ((dropped == loggedDrops && missed == loggedMissed) || now - lastLog < LOG_EVERY_NANOS) {
            return;
        }
        System.err.println("chat: " + (dropped - loggedDrops) + " events not sent to the other servers (Redis"
                + (outbox.isOpen() ? " too slow: " + outbox.bytes() + " bytes waiting" : " unreachable")
                + "), " + (missed - loggedMissed) + " messages of theirs missed, in the last "
                + Duration.ofNanos(now - lastLog).toSeconds() + " s");
        loggedDrops = dropped;
        loggedMissed = missed;
        lastLog = now;
    }
}
