package boucle.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat's messages on a room's Redis channel: what one chat server tells the others. One
 * {@code PUBLISH} carries one message, UTF-8 text:
 * <pre>
 * SERVER SEQ            the sender's id (random, one per process run) and its message count
 * L guest-1: hello      a line for everyone (lines never hold a line break: the chat turns
 *                       control characters into '?')
 * J 17 guest-17         a member joined the sender; 17 is its place in the room's join order
 * N guest-17 alice      a member changed nickname
 * X alice               a member left
 * H 3:bob 17:alice      heartbeat: every member of the sender, with its place (the whole truth)
 * Q                     hello: the sender just (re)connected; answer with a heartbeat now
 * B                     bye: the sender shuts down; its members all leave
 * </pre>
 * The id lets a server ignore its own messages (Redis sends a publisher its own too), and the
 * count lets a receiver see that some were lost. Nicknames hold no space or colon (the chat's
 * rule), so the format needs no escaping. Any thread: plain functions.
 */
final class RoomWire {
    private RoomWire() {
    }

    /** One event of a message. */
    sealed interface Event {
    }

    record Line(String text) implements Event {
    }

    record Joined(long order, String nick) implements Event {
    }

    record Renamed(String from, String to) implements Event {
    }

    record Left(String nick) implements Event {
    }

    /** @param members nickname to place in the join order, in that order */
    record Present(Map<String, Long> members) implements Event {
    }

    record Hello() implements Event {
    }

    record Bye() implements Event {
    }

    /** One {@code PUBLISH}: who sent it, its number, what it says. */
    record Message(String server, long seq, List<Event> events) {
    }

    static String line(String text) {
        return "L " + text.replace('\n', '?').replace('\r', '?');
    }

    static String joined(long order, String nick) {
        return "J " + order + " " + nick;
    }

    static String renamed(String from, String to) {
        return "N " + from + " " + to;
    }

    static String left(String nick) {
        return "X " + nick;
    }

    /** @param members nickname to place, in join order */
    static String present(Map<String, Long> members) {
        StringBuilder event = new StringBuilder("H");
        members.forEach((nick, order) -> event.append(' ').append(order).append(':').append(nick));
        return event.toString();
    }

    static String hello() {
        return "Q";
    }

    static String bye() {
        return "B";
    }

    /** The payload of one message made of {@code events} (each from the methods above). */
    static String message(String server, long seq, List<String> events) {
        StringBuilder payload = new StringBuilder(server).append(' ').append(seq);
        for (String event : events) {
            payload.append('\n').append(event);
        }
        return payload.toString();
    }

    /** Reads a message; an {@link IllegalArgumentException} says why {@code payload} is not one. */
    static Message parse(String payload) {
        String[] lines = payload.split("\n", -1);
        String[] header = lines[0].split(" ");
        if (header.length != 2 || header[0].isEmpty()) {
            throw new IllegalArgumentException("no 'SERVER SEQ' header: " + abbreviate(lines[0]));
        }
        long seq = number(header[1], lines[0]);
        List<Event> events = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            events.add(event(lines[i]));
        }
        return new Message(header[0], seq, events);
    }

    private static Event event(String line) {
        if (line.isEmpty()) {
            throw new IllegalArgumentException("an empty event");
        }
        String rest = line.length() > 2 ? line.substring(2) : "";
        String[] words = rest.split(" ");
        return switch (line.charAt(0)) {
            case 'L' -> new Line(rest);
            case 'J' -> {
                requireWords(words, 2, line);
                yield new Joined(number(words[0], line), words[1]);
            }
            case 'N' -> {
                requireWords(words, 2, line);
                yield new Renamed(words[0], words[1]);
            }
            case 'X' -> {
                requireWords(words, 1, line);
                yield new Left(words[0]);
            }
            case 'H' -> new Present(members(rest, line));
            case 'Q' -> new Hello();
            case 'B' -> new Bye();
            default -> throw new IllegalArgumentException("an unknown event: " + abbreviate(line));
        };
    }

    private static Map<String, Long> members(String list, String line) {
        Map<String, Long> members = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return members;
        }
        for (String member : list.split(" ")) {
            int colon = member.indexOf(':');
            if (colon <= 0 || colon == member.length() - 1) {
                throw new IllegalArgumentException("a member is not ORDER:NICK: " + abbreviate(line));
            }
            members.put(member.substring(colon + 1), number(member.substring(0, colon), line));
        }
        return members;
    }

    private static void requireWords(String[] words, int count, String line) {
        if (words.length != count || words[0].isEmpty()) {
            throw new IllegalArgumentException("an event needs " + count + " words: " + abbreviate(line));
        }
    }

    private static long number(String text, String line) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("not a number in: " + abbreviate(line));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? "'" + text + "'" : "'" + text.substring(0, 80) + "...'";
    }
}
