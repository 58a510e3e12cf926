package boucle.examples;

import boucle.net.AsyncSocket;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chat's one room: who is in it under which nickname, and delivery of lines to them.
 *
 * <h2>A slow reader never stalls the others</h2>
 * Lines are delivered with {@link AsyncSocket#tryWrite}, which never parks: each member's socket
 * queues what the member has not read yet, bounded by its high-water mark. A member whose queue
 * is full is disconnected (its socket is closed, its handler ends and leaves the room with a
 * notice to the others), instead of making the sender wait or the server's memory grow.
 *
 * <p>Loop-thread only: every handler runs on the loop, so the room needs no lock.
 */
final class ChatRoom {
    private static final Pattern NICKNAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");

    /** One person in the room. */
    static final class Member {
        private final AsyncSocket socket;
        private String nick;
        private String droppedBecause;

        private Member(AsyncSocket socket, String nick) {
            this.socket = socket;
            this.nick = nick;
        }

        String nick() {
            return nick;
        }
    }

    /** Members by nickname; a linked map keeps the order they came in, for /who. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final int maxQueuedBytes;
    private int guests;
    private boolean closing;

    /** @param maxQueuedBytes how much unread output a member may have before being disconnected */
    ChatRoom(int maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Seats a new member under a fresh guest nickname and tells the others. */
    Member join(AsyncSocket socket) {
        socket.setWriteBufferWaterMarks(maxQueuedBytes / 2, maxQueuedBytes);
        String nick;
        do {
            nick = "guest-" + ++guests;
        } while (members.containsKey(nick));
        Member member = new Member(socket, nick);
        members.put(nick, member);
        broadcast(member, "* " + nick + " joined");
        return member;
    }

    /**
     * The server is shutting down: every member is about to be told so and leave, so a notice to
     * the others each time would only be noise (and n² lines).
     */
    void closing() {
        closing = true;
    }

    /** Takes the member out and tells the others why, if there is a reason to say. */
    void leave(Member member) {
        if (members.remove(member.nick, member) && !closing) {
            String why = member.droppedBecause != null ? " (" + member.droppedBecause + ")" : "";
            broadcast(member, "* " + member.nick + " left" + why);
        }
    }

    /** Renames the member; returns an error to show them, or {@code null} when done. */
    String rename(Member member, String wanted) {
        if (!NICKNAME.matcher(wanted).matches()) {
            return "! a nickname is 1 to 20 letters, digits, '_' or '-'";
        }
        if (wanted.equals(member.nick)) {
            return null;
        }
        if (members.containsKey(wanted)) {
            return "! '" + wanted + "' is taken";
        }
        String old = member.nick;
        Map<String, Member> renamed = new LinkedHashMap<>(); // same order, new key: a rename is rare
        members.forEach((nick, someone) -> renamed.put(someone == member ? wanted : nick, someone));
        members.clear();
        members.putAll(renamed);
        member.nick = wanted;
        broadcast(null, "* " + old + " is now known as " + wanted);
        return null;
    }

    /** The nicknames present, in the order they came. */
    String who() {
        return String.join(", ", members.keySet());
    }

    /** Sends {@code line} to everyone but {@code from} (null: to everyone). */
    void broadcast(Member from, String line) {
        for (Member member : members.values().toArray(new Member[0])) {
            if (member != from) {
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
