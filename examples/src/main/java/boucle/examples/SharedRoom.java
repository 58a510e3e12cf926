package boucle.examples;

import boucle.core.Loop;
import boucle.net.LoopGroup;
import boucle.redis.RedisException;
import boucle.redis.RedisUri;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * One chat room across the loops of a group: a {@link ChatRoom} part per loop for the members it
 * serves, joined by {@link LoopsLink}s, with the nicknames kept on the first loop. A handler asks
 * for {@link #here()}, the part of the loop it runs on, and never talks to another loop itself.
 * {@link #linked} makes the same room reach the other chat servers of a Redis: the first loop
 * then also holds the room's {@link RedisRoom}, which keeps the nicknames in Redis, sends this
 * server's lines there and hands the others' lines to every part.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.start()) {
 *     SharedRoom room = SharedRoom.linked(group, RedisUri.parse("redis://127.0.0.1:6379"), "lobby", Chat.MAX_QUEUED_BYTES);
 *     GroupServer server = GroupServer.start(group, AsyncServer.builder(new Chat(room)::handle).port(7001));
 *     server.whenStopped().join();
 * }
 * }</pre>
 *
 * <p>Made before the loops serve, then read-only: {@link #here()} is safe from any loop.
 */
final class SharedRoom {
    private final Map<Loop, ChatRoom> parts = new IdentityHashMap<>();

    /** A room of this process's loops alone. */
    SharedRoom(List<Loop> loops, int maxQueuedBytes) {
        this(loops, maxQueuedBytes, null);
    }

    /** A room of these loops and, if {@code beyond} is not {@code null}, of the other servers it links to (not started yet). */
    SharedRoom(List<Loop> loops, int maxQueuedBytes, RedisRoom beyond) {
        Roster roster = beyond != null ? beyond : new LocalRoster();
        Loop home = loops.size() == 1 && beyond == null ? null : loops.get(0);
        List<LoopsLink> links = new ArrayList<>();
        List<ChatRoom> rooms = new ArrayList<>();
        for (Loop loop : loops) {
            LoopsLink link = new LoopsLink(home, roster, loop);
            links.add(link);
            rooms.add(new ChatRoom(maxQueuedBytes, link));
            parts.put(loop, rooms.getLast());
        }
        for (int i = 0; i < links.size(); i++) {
            links.get(i).connect(rooms.get(i), links, beyond != null ? beyond::send : null);
        }
        if (beyond != null) {
            beyond.deliverWith(LoopsLink.everywhere(links));
        }
    }

    /**
     * A room across the loops of {@code group} and every chat server linked to the Redis at
     * {@code uri} under the same {@code room} name: connects to it from the group's first loop,
     * and returns once linked. Blocks: from a thread that is none of the group's loops.
     *
     * @throws RedisException if Redis cannot be reached (its message names the address)
     */
    static SharedRoom linked(LoopGroup group, RedisUri uri, String room, int maxQueuedBytes)
            throws RedisException, InterruptedException {
        RedisRoom beyond = new RedisRoom(uri, room);
        SharedRoom shared = new SharedRoom(group.loops(), maxQueuedBytes, beyond);
        try {
            group.submit(0, () -> {
                beyond.start();
                return null;
            }).get();
        } catch (ExecutionException failed) {
            switch (failed.getCause()) {
                case RedisException unreachable -> throw unreachable;
                case RuntimeException bug -> throw bug;
                case Error error -> throw error;
                default -> throw new IllegalStateException(failed.getCause());
            }
        }
        return shared;
    }

    /** The part of the loop that runs the caller. */
    ChatRoom here() {
        ChatRoom part = parts.get(Loop.current());
        if (part == null) {
            throw new IllegalStateException("this loop is not one of the room's: " + Loop.current());
        }
        return part;
    }
}
