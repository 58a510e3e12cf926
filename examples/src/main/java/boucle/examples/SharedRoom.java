package boucle.examples;

import boucle.core.Loop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat room across the loops of a group: a {@link ChatRoom} part per loop for the members it
 * serves, joined by {@link LoopsLink}s, with the nicknames kept on the first loop. A handler asks
 * for {@link #here()}, the part of the loop it runs on, and never talks to another loop itself.
 *
 * <p>Made before the loops serve, then read-only: {@link #here()} is safe from any loop.
 */
final class SharedRoom {
    private final Map<Loop, ChatRoom> parts = new IdentityHashMap<>();

    SharedRoom(List<Loop> loops, int maxQueuedBytes) {
        Roster roster = new Roster();
        Loop home = loops.size() == 1 ? null : loops.get(0);
        List<LoopsLink> links = new ArrayList<>();
        List<ChatRoom> rooms = new ArrayList<>();
        for (Loop loop : loops) {
            LoopsLink link = new LoopsLink(home, roster, loop);
            links.add(link);
            rooms.add(new ChatRoom(maxQueuedBytes, link));
            parts.put(loop, rooms.getLast());
        }
        for (int i = 0; i < links.size(); i++) {
            links.get(i).connect(rooms.get(i), links);
        }
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
