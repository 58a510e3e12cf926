package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.AsyncServer;
import boucle.net.GroupServer;
import boucle.net.LoopGroup;
import boucle.redis.RedisUri;
import boucle.test.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chat servers sharing one room through a real {@code redis-server} ({@link RedisRoom}): real
 * clients on loopback, servers in this JVM (each its own loop group, as a process would have) or
 * run as a separate process, and Redis killed, restarted and paused under them.
 */
class RedisRoomTest {

    /** A chat server of this JVM linked through Redis: its loops and its listening server. */
    private record LinkedChat(LoopGroup group, GroupServer server) implements AutoCloseable {
        static LinkedChat start(RedisServerProcess redis, int loops) throws Exception {
            return start(redis, loops, Chat.MAX_QUEUED_BYTES);
        }

        static LinkedChat start(RedisServerProcess redis, int loops, int maxQueuedBytes) throws Exception {
            LoopGroup group = LoopGroup.start(loops, "chat");
            try {
                SharedRoom room = SharedRoom.linked(group, RedisUri.parse(redis.uri()), Chat.ROOM, maxQueuedBytes);
                return new LinkedChat(group, GroupServer.start(group, AsyncServer.builder(new Chat(room)::handle)));
            } catch (Exception | Error failed) {
                group.close();
                throw failed;
            }
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() {
            group.close();
        }
    }

    /** Asks {@code /who} and returns the nicknames listed, in order. */
    private static List<String> who(ChatClient client) throws IOException, InterruptedException {
        client.send("/who");
        String line;
        do {
            line = client.next();
        } while (!line.startsWith("* here: "));
        return Arrays.asList(line.substring("* here: ".length()).split(", "));
    }

    /** Reads {@code count} lines {@code PREFIX n} ({@code n} from 0) among what {@code client} gets, checking their order. */
    private static void expectInOrder(ChatClient client, String prefix, int count) throws InterruptedException {
        for (int n = 0; n < count; ) {
            String line = client.next();
            if (line.startsWith(prefix)) {
                assertEquals(prefix + n, line, client.nick() + " heard " + prefix + "... out of order");
                n++;
            }
        }
    }

    @Test
    @Timeout(60)
    void linesCrossBothWaysInPerSenderOrderOverTenThousandLines() throws Exception {
        int lines = 10_000;
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 2);
             LinkedChat b = LinkedChat.start(redis, 2);
             ChatClient alice = ChatClient.joined(a.port());
             ChatClient carol = ChatClient.joined(a.port())) { // the other loop of A
            alice.expect("* " + carol.nick() + " joined");
            try (ChatClient bob = ChatClient.joined(b.port())) {
                alice.expect("* " + bob.nick() + " joined");
                carol.expect("* " + bob.nick() + " joined");
                for (int n = 0; n < lines; n++) {
                    alice.send("a " + n);
                    bob.send("b " + n);
                }
                expectInOrder(bob, alice.nick() + ": a ", lines);
                expectInOrder(alice, bob.nick() + ": b ", lines);
                expectInOrder(carol, bob.nick() + ": b ", lines);
                bob.send("/quit");
                alice.expect("* " + bob.nick() + " left");
            }
        }
    }

    @Test
    @Timeout(60)
    void whoListsEveryServersMembersInJoinOrderAndNicknamesAreUniqueAcrossServers() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 2);
             LinkedChat b = LinkedChat.start(redis, 1);
             ChatClient alice = ChatClient.joined(a.port())) {
            alice.send("/nick alice");
            alice.expect("* " + alice.nick() + " is now known as alice");
            try (ChatClient bob = ChatClient.joined(b.port())) {
                alice.expect("* " + bob.nick() + " joined");
                bob.send("/nick bob");
                alice.expect("* " + bob.nick() + " is now known as bob");
                String bobNow;
                try (ChatClient carol = ChatClient.joined(a.port())) {
                    bob.expect("* " + carol.nick() + " joined");
                    assertEquals(List.of("alice", "bob", carol.nick()), who(bob));
                    assertEquals(List.of("alice", "bob", carol.nick()), who(alice));
                    carol.send("/nick bob");
                    assertEquals("! 'bob' is taken", carol.next());
                    bob.send("/nick alice");
                    assertEquals("! 'alice' is taken", bob.next());

                    for (int round = 0; round < 5; round++) { // a race between the servers: one wins
                        String wanted = "same" + round;
                        carol.send("/nick " + wanted);
                        bob.send("/nick " + wanted);
                        int taken = 0;
                        for (ChatClient racer : List.of(carol, bob)) {
                            racer.send("/who"); // answered after its /nick
                            for (String line = racer.next(); !line.startsWith("* here: "); line = racer.next()) {
                                taken += line.equals("! '" + wanted + "' is taken") ? 1 : 0;
                            }
                        }
                        assertEquals(1, taken, "exactly one of the two servers' clients got " + wanted);
                    }
                    List<String> names = who(carol);
                    assertEquals(3, names.size(), names.toString());
                    assertEquals(3, names.stream().distinct().count(), "unique: " + names);
                    assertEquals("alice", names.getFirst(), "join order: " + names);
                    bobNow = names.get(1);
                    carol.send("/nick carol");
                    bob.expect("* " + names.get(2) + " is now known as carol");
                }
                bob.expect("* carol left");
                assertFalse(who(bob).contains("carol"));
                bob.send("/nick carol"); // a leaver's nickname is free at once, on every server
                alice.expect("* " + bobNow + " is now known as carol");
            }
        }
    }

    @Test
    @Timeout(60)
    void redisKilledMidChatLeavesEachServerChattingLocallyAndTheRoomJoinsAgainWhenItIsBack() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 2);
             LinkedChat b = LinkedChat.start(redis, 1);
             ChatClient alice = ChatClient.joined(a.port());
             ChatClient carol = ChatClient.joined(a.port());
             ChatClient bob = ChatClient.joined(b.port())) {
            alice.expect("* " + bob.nick() + " joined");
            carol.expect("* " + bob.nick() + " joined");
            bob.send("before");
            alice.expect(bob.nick() + ": before");

            redis.kill();
            alice.expect(RedisRoom.LINK_LOST);
            carol.expect(RedisRoom.LINK_LOST);
            bob.expect(RedisRoom.LINK_LOST);
            alice.send("while down");
            carol.expect(alice.nick() + ": while down"); // the members of one server chat on
            bob.send("/nick robert");
            assertEquals("! nicknames cannot change while the link to other servers is down", bob.next());

            redis.restart(); // the same port, an empty Redis: nothing restarts but Redis
            alice.expect(RedisRoom.LINK_BACK);
            carol.expect(RedisRoom.LINK_BACK);
            bob.expect(RedisRoom.LINK_BACK);
            // the subscriptions are back; B's publishing connection comes back on its own backoff
            String heard = null;
            for (int attempt = 0; attempt < 50 && heard == null; attempt++) {
                bob.send("after " + attempt);
                heard = alice.poll(500);
                while (heard != null && !heard.startsWith(bob.nick() + ": after ")) {
                    heard = alice.poll(500);
                }
            }
            assertNotNull(heard, "a line of B's reached A after Redis came back");
            heard = null;
            for (int attempt = 0; attempt < 50 && heard == null; attempt++) { // and A's, B, its own backoff too
                alice.send("and back " + attempt);
                heard = bob.poll(500);
                while (heard != null && !heard.startsWith(alice.nick() + ": and back ")) {
                    heard = bob.poll(500);
                }
            }
            assertNotNull(heard, "a line of A's reached B after Redis came back");
            assertEquals(List.of(alice.nick(), carol.nick(), bob.nick()), who(bob));
            assertEquals(List.of(alice.nick(), carol.nick(), bob.nick()), who(alice));
            ChatClient dave = ChatClient.joined(b.port()); // a newcomer's nickname comes from the restarted Redis
            alice.expect("* " + dave.nick() + " joined");
            assertFalse(List.of(alice.nick(), carol.nick(), bob.nick()).contains(dave.nick()), dave.nick());
            dave.close();
        }
    }

    @Test
    @Timeout(60)
    void aPausedRedisNeverStallsTheServerAndTheLinesItGotComeInOrder() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 1);
             // the backlog comes to B at once when Redis wakes: bob's queue takes it all, so that
             // what is tested is the order of what crossed, not the chat's cut-off of slow readers
             LinkedChat b = LinkedChat.start(redis, 1, 16 * Chat.MAX_QUEUED_BYTES);
             ChatClient alice = ChatClient.joined(a.port());
             ChatClient carol = ChatClient.joined(a.port());
             ChatClient bob = ChatClient.joined(b.port())) {
            alice.expect("* " + bob.nick() + " joined");
            carol.expect("* " + bob.nick() + " joined");

            redis.pause(); // SIGSTOP: the connections stay open, nothing answers
            String filler = "x".repeat(100);
            int lines = 3_000; // 330 KB: more than the outbox holds
            for (int n = 0; n < lines; n++) {
                alice.send("a " + n + " " + filler);
                if (n % 100 == 99) {
                    carol.expect(alice.nick() + ": a " + n + " " + filler); // delivered here at once, Redis or not
                }
            }
            try (ChatClient erin = ChatClient.joined(a.port())) { // a newcomer waits for the claim's timeout at most
                assertTrue(erin.nick().startsWith("guest-"), erin.nick());
                carol.expect("* " + erin.nick() + " joined");
            }
            redis.resume();
            // a long enough pause is found out (the client's PING goes unanswered) and mended like a
            // lost link: what A sends once its link is back reaches B; until then it may be dropped
            int last = -1;
            boolean after = false;
            for (int attempt = 0; attempt < 60 && !after; attempt++) {
                alice.send("after the pause " + attempt);
                for (String line = bob.poll(500); line != null && !after;
                        line = bob.poll(500)) {
                    after = line.startsWith(alice.nick() + ": after the pause ");
                    if (line.startsWith(alice.nick() + ": a ")) {
                        int n = Integer.parseInt(line.split(" ")[2]);
                        assertTrue(n > last, "in order: " + n + " after " + last);
                        last = n;
                    }
                }
            }
            assertTrue(after, "A's lines reach B again once Redis is awake");
        }
    }

    @Test
    void redisDownAtStartEndsTheChatWithAClearError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int status;
        System.setErr(new PrintStream(errors, true, UTF_8));
        try {
            status = Main.run(new String[] {"chat", "--port", "0", "--loops", "1", "--redis", "redis://127.0.0.1:" + port},
                    new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
        } finally {
            System.setErr(stderr);
        }
        assertEquals(1, status);
        String said = errors.toString(UTF_8);
        assertTrue(said.startsWith("chat: cannot link the room through Redis: ") && said.contains("127.0.0.1:" + port), said);
    }

    @Test
    void aRedisOptionThatIsNoRedisUriIsRefusedWithTheUsage() throws Exception {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int status;
        System.setErr(new PrintStream(errors, true, UTF_8));
        try {
            status = Main.run(new String[] {"chat", "--redis", "http://127.0.0.1"}, new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
        } finally {
            System.setErr(stderr);
        }
        assertEquals(2, status);
        assertTrue(errors.toString(UTF_8).startsWith("chat: --redis needs redis://HOST[:PORT][/DB]: "), errors.toString(UTF_8));
    }

    @Test
    @Timeout(60)
    void aChatServerKilledWithSigkillHasItsMembersLeaveTheOthersWhoWithinTheTimeToLive() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 2);
             ServerProcess b = ServerProcess.start("chat", List.of("--loops", "2", "--redis", redis.uri()));
             ChatClient alice = ChatClient.joined(a.port())) {
            ChatClient dave = ChatClient.joined(b.port());
            ChatClient erin = ChatClient.joined(b.port());
            alice.expect("* " + erin.nick() + " joined");
            dave.send("/nick dave");
            alice.expect("* " + dave.nick() + " is now known as dave");
            assertEquals(List.of(alice.nick(), "dave", erin.nick()), who(alice));

            b.signal("KILL");
            long killed = System.nanoTime();
            List<String> told = new ArrayList<>();
            for (int left = 0; left < 2; ) {
                String line = alice.next();
                told.add(line);
                left += line.endsWith(" left (server lost)") ? 1 : 0;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertEquals(List.of("* dave left (server lost)", "* " + erin.nick() + " left (server lost)"), told);
            // the time to live, a heartbeat's period for the check, and room for a loaded machine
            assertTrue(millis <= RedisRoom.TTL_MILLIS + RedisRoom.HEARTBEAT_MILLIS + 3_000, millis + " ms");
            assertEquals(List.of(alice.nick()), who(alice));
            alice.send("/nick dave"); // its nicknames expired in Redis too
            assertEquals("* " + alice.nick() + " is now known as dave", alice.next());
            assertEquals(List.of("dave"), who(alice)); // and nobody was told twice: nothing else came
            dave.close();
            erin.close();
        }
    }

    @Test
    @Timeout(60)
    void aChatServerStoppedWithSigtermSaysByeAndItsMembersLeaveTheOthersRoomOnce() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LinkedChat a = LinkedChat.start(redis, 1);
             ServerProcess b = ServerProcess.start("chat", List.of("--loops", "2", "--redis", redis.uri()));
             ChatClient alice = ChatClient.joined(a.port())) {
            ChatClient dave = ChatClient.joined(b.port());
            ChatClient erin = ChatClient.joined(b.port());
            alice.expect("* " + erin.nick() + " joined");

            b.signal("TERM");
            assertEquals(0, b.awaitExit());
            List<String> told = new ArrayList<>();
            for (int left = 0; left < 2; ) {
                String line = alice.next();
                told.add(line);
                left += line.contains(" left (server ") ? 1 : 0;
            }
            // the bye goes out as the server drains; were it lost, the time to live would tell instead
            assertTrue(told.equals(List.of("* " + dave.nick() + " left (server shut down)", "* " + erin.nick() + " left (server shut down)"))
                    || told.equals(List.of("* " + dave.nick() + " left (server lost)", "* " + erin.nick() + " left (server lost)")),
                    told.toString());
            assertEquals(List.of(alice.nick()), who(alice));
            dave.close();
            erin.close();
        }
    }
}
