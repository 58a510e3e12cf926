package boucle.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat room of {@code members} clients on one thread (one selector), against a chat server:
 * {@code senders} of them send lines, each keeping at most {@value #WINDOW} of its lines not yet
 * seen by an observing member (so no member's queue in the server ever nears its cut-off), and
 * every member reads everything. Counts the lines delivered to all members over the window.
 *
 * <p>Nothing may be lost: every member must see each sender's lines in order, or the run fails.
 */
final class ChatCrowd {
    static final int WINDOW = 16;
    private static final long QUIET_NANOS = 500_000_000L;

    private final List<Member> members = new ArrayList<>();
    private final Selector selector;

    /** One client: its socket, what it read, and per sender the next line number it expects. */
    private static final class Member {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        final StringBuilder partial = new StringBuilder();
        final Map<String, Long> nextFrom = new HashMap<>();
        String nick;
        long lines;
        long sent;
        ByteBuffer out;

        Member(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private ChatCrowd(int port, int members) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < members; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            Member member = new Member(channel);
            channel.register(selector, SelectionKey.OP_READ, member);
            this.members.add(member);
        }
    }

    /** Runs the room; returns deliveries per second and the server's CPU microseconds per delivery. */
    static double[] run(int port, long serverPid, int members, int senders, double warmup, double measure)
            throws IOException {
        ChatCrowd crowd = new ChatCrowd(port, members);
        try {
            return crowd.chat(serverPid, senders, warmup, measure);
        } finally {
            crowd.close();
        }
    }

    private double[] chat(long serverPid, int senders, double warmup, double measure) throws IOException {
        readUntilQuiet(); // welcomes and the join notices
        for (Member member : members) {
            if (member.nick == null) {
                throw new IOException("a member got no welcome");
            }
        }
        Member observer = members.getLast();
        List<Member> sending = members.subList(0, senders);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (measure * 1e9);
        long linesAtStart = -1;
        double cpuAtStart = 0;
        while (System.nanoTime() < end) {
            if (linesAtStart < 0 && System.nanoTime() >= measureFrom) {
                linesAtStart = totalLines();
                cpuAtStart = ProcessStats.cpuSeconds(serverPid);
            }
            for (Member sender : sending) {
                long seen = observer.nextFrom.getOrDefault(sender.nick, 0L);
                while (sender.out == null && sender.sent - seen < WINDOW) {
                    sender.out = ByteBuffer.wrap(("m " + sender.sent++ + "\n").getBytes(StandardCharsets.US_ASCII));
                    sender.channel.write(sender.out);
                    if (sender.out.hasRemaining()) {
                        break; // rare with lines this short: kept for the next round
                    }
                    sender.out = null;
                }
                if (sender.out != null) {
                    sender.channel.write(sender.out);
                    if (!sender.out.hasRemaining()) {
                        sender.out = null;
                    }
                }
            }
            readOnce(10);
        }
        long delivered = totalLines() - linesAtStart;
        double cpu = ProcessStats.cpuSeconds(serverPid) - cpuAtStart;
        return new double[] {delivered / measure, cpu * 1e6 / delivered};
    }

    private long totalLines() {
        long total = 0;
        for (Member member : members) {
            total += member.lines;
        }
        return total;
    }

    /** Until every member was welcomed and the join notices have stopped coming (30 s at most). */
    private void readUntilQuiet() throws IOException {
        long started = System.nanoTime();
        long lastByte = started;
        while (System.nanoTime() - lastByte < QUIET_NANOS || members.stream().anyMatch(member -> member.nick == null)) {
            if (readOnce(50) > 0) {
                lastByte = System.nanoTime();
            }
            if (System.nanoTime() - started > 30_000_000_000L) {
                throw new IOException(members.stream().filter(member -> member.nick == null).count()
                        + " members got no welcome within 30 s");
            }
        }
    }

    private int readOnce(long timeoutMillis) throws IOException {
        int bytes = 0;
        if (selector.select(timeoutMillis) == 0) {
            return 0;
        }
        for (SelectionKey key : selector.selectedKeys()) {
            Member member = (Member) key.attachment();
            int n = member.channel.read(member.in);
            if (n < 0) {
                throw new IOException("the server closed member " + member.nick);
            }
            bytes += n;
            member.in.flip();
            while (member.in.hasRemaining()) {
                char c = (char) member.in.get();
                if (c == '\n') {
                    line(member, member.partial.toString().strip());
                    member.partial.setLength(0);
                } else {
                    member.partial.append(c);
                }
            }
            member.in.clear();
        }
        selector.selectedKeys().clear();
        return bytes;
    }

    private static void line(Member member, String line) throws IOException {
        member.lines++;
        if (line.startsWith("* welcome, you are ")) {
            member.nick = line.substring("* welcome, you are ".length(), line.indexOf('.'));
            return;
        }
        int colon = line.indexOf(": m ");
        if (colon < 0) {
            return; // a notice
        }
        String sender = line.substring(0, colon);
        long n = Long.parseLong(line.substring(colon + 4));
        long expected = member.nextFrom.getOrDefault(sender, 0L);
        if (n != expected) {
            throw new IOException(member.nick + " got line " + n + " of " + sender + " where " + expected
                    + " was due: per-sender order broken");
        }
        member.nextFrom.put(sender, n + 1);
    }

    private void close() throws IOException {
        for (Member member : members) {
            member.channel.close();
        }
        selector.close();
    }
}
