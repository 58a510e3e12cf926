package boucle.examples;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.redis.RedisClient;
import boucle.redis.RedisEvent;
import boucle.redis.RedisException;
import boucle.redis.RedisOptions;
import boucle.redis.RedisSubscriber;
import boucle.redis.RedisUri;
import boucle.redis.RedisValue;
import boucle.redis.SetArgs;
import java.time.Duration;
import java.util.ArrayList;
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
 * For room {@code R} ({@code lobby}), prefix {@code boucle:chat:R}:
 * <ul>
 *   <li>channel {@code boucle:chat:R}: every server's messages ({@link RoomWire}), each server
 *       publishing from its one connection, so each sender's lines keep their order;</li>
 *   <li>{@code boucle:chat:R:nick:NAME}: who holds nickname NAME (a member's id), claimed with
 *       {@code SET NX PX 3000}; the holder's server renews it each heartbeat, so a dead server's
 *       names are free again within the time to live;</li>
 *   <li>{@code boucle:chat:R:order}: an {@code INCR} counter, the room's join order (and the N
 *       of {@code guest-N}).</li>
 * </ul>
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
 *       trip, bounded by the command timeout, 2 s); lines wait in the bounded {@link Outbox}
 *       (256 KiB), past which new ones are dropped, counted, and logged once per 10 s.</li>
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
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    /** Renews this server's nicknames (or claims them again, after Redis restarted empty); raises the order counter to what this server has seen. Returns the indexes (1-based) of the names someone else holds. */
    private static final String RENEW = """
            local order = tonumber(redis.call('GET', KEYS[1]) or '0')
            if order < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) end
            local lost = {}
            for i = 2, #KEYS do
              local holder = redis.call('GET', KEYS[i])
              if holder == ARGV[i + 1] then redis.call('PEXPIRE', KEYS[i], ARGV[1])
              elseif not holder then redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1])
              else table.insert(lost, i - 1) end
            end
            return lost
            """;
    /** Deletes a nickname if its holder is still the member given: a late release never frees someone else's name. */
    private static final String UNCLAIM = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

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

    /** This server's id in the room's messages. Any thread. */
    String serverId() {
        return server;
    }

    // ---- the roster ------------------------------------------------------------------------

    @Override
    public String claimGuest(String owner) throws Exception {
        release(owner); // one nickname per member
        if (commands.isLinked()) {
            try {
                for (int attempt = 0; attempt < 100; attempt++) {
                    long order = commands.command("INCR", prefix + "order").asLong();
                    if (order <= highestOrder()) { // Redis restarted empty: raise its counter first (and claim our names again)
                        renewNicknames();
                        continue;
                    }
                    String nick = "guest-" + order;
                    if (commands.set(prefix + "nick:" + nick, owner, SetArgs.nx().px(TTL_MILLIS))) {
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
            if (!commands.set(prefix + "nick:" + wanted, owner, SetArgs.nx().px(TTL_MILLIS))) {
                return owner.equals(commands.get(prefix + "nick:" + wanted));
            }
        } catch (RedisException unreachable) {
            throw new LinkDownException("nicknames cannot change while the link to other servers is down");
        }
        Own member = own.get(owner);
        if (member == null) { // left while the claim was on its way
            unclaim(wanted, owner);
            return false;
        }
        String old = member.nick;
        member.nick = wanted;
        unclaim(old, owner);
        outbox.offer(RoomWire.renamed(old, wanted));
        return true;
    }

    @Override
    public void release(String owner) {
        Own member = own.remove(owner);
        if (member != null) {
            unclaim(member.nick, owner);
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

    /** Publishes what the outbox holds, a batch per {@code PUBLISH}, one at a time: one sender, in order. */
    private void publishForever() throws Exception {
        try {
            for (;;) {
                List<String> batch = outbox.take(BATCH_BYTES);
                try {
                    commands.publish(channel, RoomWire.message(server, ++sent, batch));
                } catch (RedisException failed) {
                    outbox.lost(batch.size());
                    if (!commands.isLinked()) {
                        awaitCommandsBack();
                    }
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
        List<String> call = new ArrayList<>(List.of("EVAL", RENEW, Integer.toString(own.size() + 1), prefix + "order"));
        List<String> holders = new ArrayList<>();
        List<String> nicks = new ArrayList<>();
        own.forEach((id, member) -> {
            call.add(prefix + "nick:" + member.nick);
            holders.add(id);
            nicks.add(member.nick);
        });
        call.add(Long.toString(TTL_MILLIS));
        call.add(Long.toString(highestOrder()));
        call.addAll(holders);
        try {
            RedisValue lost = commands.command(call.toArray(String[]::new));
            if (lost.isError()) {
                System.err.println("chat: Redis refused to renew the nicknames: " + lost.asString());
                return;
            }
            for (RedisValue index : lost.asList()) {
                System.err.println("chat: nickname '" + nicks.get((int) index.asLong() - 1)
                        + "' of a member here is held by a member of another server (both took it while Redis was down)");
            }
        } catch (RedisException unreachable) {
            // the next heartbeat tries again; the names live 3 s, three heartbeats
        }
    }

    /** Frees {@code nick} in Redis if {@code owner} still holds it, in a task of its own: callers never park. */
    private void unclaim(String nick, String owner) {
        if (commands == null || !commands.isLinked()) {
            return; // it expires within the time to live
        }
        home.spawn("chat-redis-unclaim", () -> {
            try {
                commands.command("EVAL", UNCLAIM, "1", prefix + "nick:" + nick, owner);
            } catch (RedisException unreachable) {
                // it expires within the time to live
            }
        });
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
