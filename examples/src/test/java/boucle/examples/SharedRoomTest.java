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

    /** A chat client: sends lines, reads the room's lines on a thread of its own. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch closedByServer = new CountDownLatch(1);
        final String nick;

        Client(GroupServer server) throws IOException, InterruptedException {
            socket = new Socket("127.0.0.1", server.port());
            Thread reader = new Thread(this::readLines, "chat-client");
            reader.setDaemon(true);
            reader.start();
            String welcome = next();
            assertTrue(welcome.startsWith("* welcome, you are "), welcome);
            nick = welcome.substring("* welcome, you are ".length(), welcome.indexOf('.'));
        }

        private void readLines() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    received.add(line);
                }
            } catch (IOException closed) {
                // the test closed it, or the server did
            }
            closedByServer.countDown();
        }

        void send(String line) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
        }

        String next() throws InterruptedException {
            String line = received.poll(20, TimeUnit.SECONDS);
            assertTrue(line != null, "no line came within 20 s");
            return line;
        }

        void expect(String expected) throws InterruptedException {
            for (String line = next(); !line.equals(expected); line = next()) {
                // skip what comes before
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

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
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                clients.add(new Client(server)); // round robin: one per loop
            }
            Client last = clients.getLast();
            for (Client client : clients.subList(0, loops - 1)) {
                client.expect("* " + last.nick + " joined");
            }
            for (int n = 0; n < linesEach; n++) {
                for (Client client : clients) {
                    client.send("line " + n);
                }
            }
            for (Client receiver : clients) {
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
                    assertEquals(nextFrom.getOrDefault(sender, 0), n, receiver.nick + " from " + sender);
                    nextFrom.put(sender, n + 1);
                    got++;
                }
                assertEquals(loops - 1, nextFrom.size(), "heard every other loop's client: " + nextFrom);
            }
            long[] perLoop = server.acceptedPerLoop();
            assertTrue(Arrays.stream(perLoop).allMatch(count -> count == 1), Arrays.toString(perLoop));
            for (Client client : clients) {
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
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                clients.add(new Client(server)); // two per loop
            }
            for (int round = 0; round < 5; round++) {
                String wanted = "same" + round;
                for (Client client : clients) {
                    client.send("/nick " + wanted);
                    client.send("/who"); // answered after the /nick: a handler obeys in order
                }
                int taken = 0;
                List<String> names = null;
                for (Client client : clients) {
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
            for (Client client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aSlowReaderOnLoopOneIsCutOffWhileLoopZerosClientsChatOn() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "slow")) {
            GroupServer server = chat(group, 16 * 1024);
            try (Client alice = new Client(server); // loop 0
                 Socket sleeper = new Socket()) {
                sleeper.setReceiveBufferSize(4096); // before connecting: a small window fills fast
                sleeper.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000); // loop 1
                alice.expect("* guest-2 joined");
                try (Client bob = new Client(server)) { // loop 0
                    alice.expect("* " + bob.nick + " joined");
                    String filler = "z".repeat(900);
                    boolean cutOff = false;
                    for (int sent = 0; sent < 50_000 && !cutOff; sent++) {
                        bob.send(filler);
                        if (sent % 200 == 0) {
                            cutOff = alice.received.stream().anyMatch(line -> line.startsWith("* guest-2 left"));
                        }
                    }
                    alice.expect("* guest-2 left (disconnected: not reading, 16384 bytes were waiting)");
                    bob.send("still chatting");
                    alice.expect(bob.nick + ": still chatting");
                    assertEquals(2, server.acceptedPerLoop()[0]);
                    assertEquals(1, server.acceptedPerLoop()[1]);
                }
            }
        }
    }
}
