package boucle.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This server's view of the members that other chat servers serve, built from their messages
 * ({@link RoomWire}): each member's nickname and place in the join order, per server, and when
 * each server was last heard. It is what {@code /who} lists besides this server's own members,
 * and what tells the members here that others left when their server dies or shuts down.
 *
 * <h2>Convergence</h2>
 * A server's join, rename and leave events keep the view current between heartbeats; each
 * heartbeat carries the server's whole member list and replaces its part of the view, so what was
 * lost (a message dropped, a link down for a while) is repaired within one heartbeat, and the
 * members here are told the difference ({@code * X joined}, {@code * X left}).
 *
 * <h2>Leaving exactly once</h2>
 * A server not heard for the time to live is taken out, with one {@code * X left (server lost)}
 * per member, and a server's {@code B} (bye) with one {@code * X left (server shut down)}; a
 * member is taken out of the view before its notice is made, so no later event says it twice. A
 * server that said bye is ignored for good (its id is one process run's); one that was only lost
 * comes back with its next heartbeat, as joins.
 *
 * <p>Plain data, no lock: used only on the room's home loop.
 */
final class RemoteMembers {
    private static final class Server {
        long lastHeard;
        long lastSeq;
        /** Nickname to place in the join order, in the order learned. */
        final Map<String, Long> members = new LinkedHashMap<>();

        Server(long now) {
            this.lastHeard = now;
        }
    }

    private final Map<String, Server> servers = new HashMap<>();
    private final Set<String> departed = new HashSet<>();
    private long missedMessages;

    /**
     * Applies one message of another server, heard at {@code now} (nanoseconds), and returns the
     * lines to tell the members here, in order: the message's own lines, and a notice for each
     * change its heartbeat or bye reveals. {@code quiet}: a server heard for the first time is
     * learned without notices (this server just started and takes stock of who is there).
     */
    List<String> apply(RoomWire.Message message, long now, boolean quiet) {
        if (departed.contains(message.server())) {
            return List.of();
        }
        Server server = servers.get(message.server());
        boolean firstHeard = server == null;
        if (firstHeard) {
            server = new Server(now);
            servers.put(message.server(), server);
        } else if (server.lastSeq != 0 && message.seq() > server.lastSeq + 1) {
            missedMessages += message.seq() - server.lastSeq - 1;
        }
        server.lastHeard = now;
        server.lastSeq = message.seq();
        List<String> tell = new ArrayList<>();
        for (RoomWire.Event event : message.events()) {
            switch (event) {
                case RoomWire.Line line -> tell.add(line.text());
                case RoomWire.Joined joined -> server.members.put(joined.nick(), joined.order());
                case RoomWire.Renamed renamed -> rename(server, renamed.from(), renamed.to());
                case RoomWire.Left left -> server.members.remove(left.nick());
                case RoomWire.Present present -> replace(server, present.members(), quiet && firstHeard, tell);
                case RoomWire.Bye bye -> {
                    servers.remove(message.server());
                    departed.add(message.server());
                    tell.addAll(leaving(server, " left (server shut down)"));
                    return tell;
                }
                case RoomWire.Hello hello -> {
                    // answered by the room (a heartbeat); nothing to learn
                }
            }
        }
        return tell;
    }

    /** Takes out every server not heard since {@code now - ttl}; returns a leave notice per member it had. */
    List<String> expire(long now, long ttlNanos) {
        List<String> tell = new ArrayList<>();
        for (Iterator<Server> each = servers.values().iterator(); each.hasNext(); ) {
            Server server = each.next();
            if (now - server.lastHeard > ttlNanos) {
                each.remove();
                tell.addAll(leaving(server, " left (server lost)"));
            }
        }
        return tell;
    }

    /**
     * Counts every server as heard at {@code now}: this server's own link was down, so their
     * silence meant nothing; each has the time to live from now to show it is alive.
     */
    void heardEveryone(long now) {
        servers.values().forEach(server -> server.lastHeard = now);
    }

    /** Every member of another server: nickname to place in the join order. */
    Map<String, Long> members() {
        Map<String, Long> all = new HashMap<>();
        servers.values().forEach(server -> all.putAll(server.members));
        return all;
    }

    /** The highest place in the join order seen, 0 if none. */
    long highestOrder() {
        long highest = 0;
        for (Server server : servers.values()) {
            for (long order : server.members.values()) {
                highest = Math.max(highest, order);
            }
        }
        return highest;
    }

    /** How many messages of other servers never came (a gap in a sender's count), in all. */
    long missedMessages() {
        return missedMessages;
    }

    private static void rename(Server server, String from, String to) {
        Long order = server.members.remove(from);
        if (order != null) {
            server.members.put(to, order);
        }
    }

    /** A notice per member of {@code server}, in join order. */
    private static List<String> leaving(Server server, String why) {
        return server.members.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .map(member -> "* " + member.getKey() + why).toList();
    }

    private static void replace(Server server, Map<String, Long> now, boolean quiet, List<String> tell) {
        if (!quiet) {
            for (String nick : server.members.keySet()) {
                if (!now.containsKey(nick)) {
                    tell.add("* " + nick + " left");
                }
            }
            for (String nick : now.keySet()) {
                if (!server.members.containsKey(nick)) {
                    tell.add("* " + nick + " joined");
                }
            }
        }
        server.members.clear();
        server.members.putAll(now);
    }
}
