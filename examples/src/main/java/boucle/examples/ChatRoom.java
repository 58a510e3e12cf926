package boucle.examples;

import boucle.net.AsyncSocket;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One part of the chat's room: the members served by one loop, and delivery of lines to them.
 * What lies beyond this loop (other loops, later other servers) is behind a {@link RoomLink}: the
 * nicknames are claimed through it, so they are unique in the whole room, and every line said here
 * is also {@linkplain RoomLink#publish published} there; lines said elsewhere come in through
 * {@link #deliver}.
 *
 * <h2>A slow reader never stalls the others</h2>
 * Lines are delivered with {@link AsyncSocket#tryWrite}, which never parks: each member's socket
 * queues what the member has not read yet, bounded by its high-water mark. A member whose queue
 * is full is disconnected (its socket is closed, its handler ends and leaves the room with a
 * notice to the others), instead of making the sender wait or the server's memory grow.
 *
 * <p>Loop-thread only: every handler of this part runs on its loop, so it needs no lock.
 */
final class ChatRoom {
    private static final Pattern NICKNAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");

    /** One person in the room. */
    static final class Member {
        private final AsyncSocket socket;
        /** Who holds the nickname in the room's roster. */
        private final String id;
        private String nick;
        private String droppedBecause;

        private Member(AsyncSocket socket, String id, String nick) {
            this.socket = socket;
            this.id = id;
            this.nick = nick;
        }

        String nick() {
            return nick;
        }
    }

    /** This part's members by nickname. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final int maxQueuedBytes;
    private final RoomLink link;
    private boolean closing;

    /** A room of one part, on whichever loop uses it: nothing beyond. */
    ChatRoom(int maxQueuedBytes) {
        this(maxQueuedBytes, LoopsLink.alone());
    }

    /** @param maxQueuedBytes how much unread output a member may have before being disconnected */
    ChatRoom(int maxQueuedBytes, RoomLink link) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.link = link;
    }

    /** Seats a new member under a fresh guest nickname, unique in the whole room, and tells the others. May park. */
    Member join(AsyncSocket socket) throws Exception {
        socket.setWriteBufferWaterMarks(maxQueuedBytes / 2, maxQueuedBytes);
        String id = UUID.randomUUID().toString(); // unique beyond this process too, for a broker's link
        String nick;
        try {
            nick = link.claimGuest(id);
        } catch (Exception | Error cancelledOrFailed) {
            link.release(id); // the claim may have won on the way: undo it
            throw cancelledOrFailed;
        }
        Member member = new Member(socket, id, nick);
        members.put(nick, member);
        broadcast(member, "* " + nick + " joined");
        return member;
    }

    /**
     * The server is shutting down: every member is about to be told so and leave, so a notice to
     * the others each time would only be noise (and n² lines).
     */
    void closing() {
        if (!closing) {
            closing = true;
            link.closing(); // once per part: the rest of the room learns it from here
        }
    }

    /** Takes the member out and tells the others why, if there is a reason to say. */
    void leave(Member member) {
        if (members.remove(member.nick, member)) {
            link.release(member.id);
            if (!closing) {
                String why = member.droppedBecause != null ? " (" + member.droppedBecause + ")" : "";
                broadcast(member, "* " + member.nick + " left" + why);
            }
        }
    }

    /** Renames the member; returns an error to show them, or {@code null} when done. May park. */
    String rename(Member member, String wanted) throws Exception {
        if (!NICKNAME.matcher(wanted).matches()) {
            return "! a nickname is 1 to 20 letters, digits, '_' or '-'";
        }
        if (wanted.equals(member.nick)) {
            return null;
        }
        String old = member.nick;
        try {
            if (!link.rename(member.id, wanted)) {
                return "! '" + wanted + "' is taken";
            }
        } catch (LinkDownException down) {
            return "! " + down.getMessage();
        }
        Map<String, Member> renamed = new LinkedHashMap<>(); // same order, new key: a rename is rare
        members.forEach((nick, someone) -> renamed.put(someone == member ? wanted : nick, someone));
        members.clear();
        members.putAll(renamed);
        member.nick = wanted;
        broadcast(null, "* " + old + " is now known as " + wanted);
        return null;
    }

    /** The nicknames present in the whole room, in the order they came. May park. */
    String who() throws Exception {
        return String.join(", ", link.who());
    }

    /** Sends {@code line} to everyone in the room but {@code from} (null: to everyone). Never parks. */
    void broadcast(Member from, String line) {
        for (Member member : members.values().toArray(new Member[0])) {
            if (member != from) {
                tell(member, line);
            }
        }
        link.publish(line);
    }

    /** Lines said in other parts of the room, in order: to every member here. On this part's loop. */
    void deliver(List<String> lines) {
        Member[] here = members.values().toArray(new Member[0]);
        for (String line : lines) {
            for (Member member : here) {
                tell(member, line);
            }
        }
    }

    /** Queues one line for one member; disconnects the member if its queue is full. */
    void tell(Member member, String line) {
        if (!member.socket.isOpen()) {
            return;
        }
        try {
            if (!member.socket.tryWrite(line + "\r\n")) {
                member.droppedBecause = "disconnected: not reading, " + maxQueuedBytes + " bytes were waiting";
                member.socket.close(member.droppedBecause); // its handler wakes with an error and leaves
            }
        } catch (IOException gone) { // the peer vanished: its own handler will see it and leave
            member.droppedBecause = "connection lost";
            member.socket.close(member.droppedBecause);
        }
    }
}
