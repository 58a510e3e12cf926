package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.AsyncServer;
import boucle.net.GroupServer;
import boucle.net.LoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One chat room across the loops of a group ({@link SharedRoom}), with real clients on loopback. */
class SharedRoomTest {

    private static GroupServer chat(LoopGroup group, int maxQueuedBytes) throws IOException {
        Chat chat = new Chat(new SharedRoom(group.loops(), maxQueuedBytes));
        return GroupServer.start(group, AsyncServer.builder(chat::handle));
    }

    @Test
    void clientsOnDifferentLoopsSeeEachOthersLinesInPerSenderOrder() throws Exception {
        int loops = 4;
        int linesEach = 300;
        try (LoopGroup group = LoopGroup.start(loops, "chat")) {
            GroupServer server = chat(group, Chat.MAX_QUEUED_BYTES);
            List<ChatClient> clients = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                clients.add(ChatClient.joined(server.port())); // round robin: one per loop
            }
            ChatClient last = clients.getLast();
            for (ChatClient client : clients.subList(0, loops - 1)) {
                client.expect("* " + last.nick() + " joined");
            }
            for (int n = 0; n < linesEach; n++) {
                for (ChatClient client : clients) {
                    client.send("line " + n);
                }
            }
            for (ChatClient receiver : clients) {
                Map<String, Integer> nextFrom = new HashMap<>();
                int expected = (loops - 1) * linesEach;
                for (int got = 0; got < expected; ) {
                    String line = receiver.next();
                    int colon = line.indexOf(": line ");
                    if (colon < 0) {
                        continue; // a join notice
                    }
                    String sender = line.substring(0, colon);
                    int n = Integer.parseInt(line.substring(colon + ": line ".length()));
                    assertEquals(nextFrom.getOrDefault(sender, 0), n, receiver.nick() + " from " + sender);
                    nextFrom.put(sender, n + 1);
                    got++;
                }
                assertEquals(loops - 1, nextFrom.size(), "heard every other loop's client: " + nextFrom);
            }
            long[] perLoop = server.acceptedPerLoop();
            assertTrue(Arrays.stream(perLoop).allMatch(count -> count == 1), Arrays.toString(perLoop));
            for (ChatClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void nickRacesBetweenLoopsGiveUniqueNames() throws Exception {
        int loops = 4;
        int racers = 8;
        try (LoopGroup group = LoopGroup.start(loops, "nick")) {
            GroupServer server = chat(group, Chat.MAX_QUEUED_BYTES);
            List<ChatClient> clients = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                clients.add(ChatClient.joined(server.port())); // two per loop
            }
            for (int round = 0; round < 5; round++) {
                String wanted = "same" + round;
                for (ChatClient client : clients) {
                    client.send("/nick " + wanted);
                    client.send("/who"); // answered after the /nick: a handler obeys in order
                }
                int taken = 0;
                List<String> names = null;
                for (ChatClient client : clients) {
                    for (String line = client.next(); !line.startsWith("* here: "); line = client.next()) {
                        if (line.equals("! '" + wanted + "' is taken")) {
                            taken++;
                        }
                    }
                }
                assertEquals(racers - 1, taken, "one client of " + racers + " on " + loops + " loops got " + wanted);
                clients.getFirst().send("/who");
                String who;
                do {
                    who = clients.getFirst().next();
                } while (!who.startsWith("* here: "));
                names = Arrays.asList(who.substring("* here: ".length()).split(", "));
                assertEquals(racers, names.size(), who);
                assertEquals(racers, names.stream().distinct().count(), "unique: " + who);
                assertEquals(1, names.stream().filter(wanted::equals).count(), who);
            }
            for (ChatClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aSlowReaderOnLoopOneIsCutOffWhileLoopZerosClientsChatOn() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "slow")) {
            GroupServer server = chat(group, 16 * 1024);
            try (ChatClient alice = ChatClient.joined(server.port()); // loop 0
                 Socket sleeper = new Socket()) {
                sleeper.setReceiveBufferSize(4096); // before connecting: a small window fills fast
                sleeper.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000); // loop 1
                alice.expect("* guest-2 joined");
                try (ChatClient bob = ChatClient.joined(server.port())) { // loop 0
                    alice.expect("* " + bob.nick() + " joined");
                    String filler = "z".repeat(900);
                    boolean cutOff = false;
                    for (int sent = 0; sent < 50_000 && !cutOff; sent++) {
                        bob.send(filler);
                        if (sent % 200 == 0) {
                            cutOff = alice.unread().stream().anyMatch(line -> line.startsWith("* guest-2 left"));
                        }
                    }
                    alice.expect("* guest-2 left (disconnected: not reading, 16384 bytes were waiting)");
                    bob.send("still chatting");
                    alice.expect(bob.nick() + ": still chatting");
                    assertEquals(2, server.acceptedPerLoop()[0]);
                    assertEquals(1, server.acceptedPerLoop()[1]);
                }
            }
        }
    }
}
