package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import boucle.test.LineClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chat room with real clients on loopback, as nc or telnet users would drive it. */
class ChatTest {

    /** A chat client: sends lines, reads the lines the room sends it (on a thread of its own). */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch closedByServer = new CountDownLatch(1);

        Client(BackgroundServer server) throws IOException {
            socket = LineClient.openSocket(server.port());
            Thread reader = new Thread(this::readLines, "chat-client");
            reader.setDaemon(true);
            reader.start();
        }

        private void readLines() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    received.add(line);
                }
                closedByServer.countDown();
            } catch (IOException closed) {
                closedByServer.countDown();
            }
        }

        void send(String line) throws IOException {
            sendRaw((line + "\n").getBytes(UTF_8));
        }

        void sendRaw(byte[] bytes) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        }

        /** The next line received (waiting up to 10 s), skipping none. */
        String next() throws InterruptedException {
            String line = received.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null, "no line came within 10 s");
            return line;
        }

        /** Skips lines until one equals {@code expected}. */
        void expect(String expected) throws InterruptedException {
            for (int skipped = 0; skipped < 100_000; skipped++) {
                if (next().equals(expected)) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static BackgroundServer chatServer(int maxQueuedBytes) throws IOException {
        Chat chat = new Chat(new ChatRoom(maxQueuedBytes));
        return BackgroundServer.start(AsyncServer.builder(chat::handle));
    }

    @Test
    void threeClientsChatRenameListAndLeave() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             Client alice = new Client(server)) {
            assertEquals("* welcome, you are guest-1. Commands: /nick NAME, /who, /quit", alice.next());
            alice.send("/nick alice");
            assertEquals("* guest-1 is now known as alice", alice.next());
            try (Client bob = new Client(server); Client carol = new Client(server)) {
                bob.expect("* welcome, you are guest-2. Commands: /nick NAME, /who, /quit");
                alice.expect("* guest-2 joined");
                alice.expect("* guest-3 joined"); // carol is in the room before bob's rename is announced
                bob.send("/nick bob");
                alice.expect("* guest-2 is now known as bob");
                carol.expect("* welcome, you are guest-3. Commands: /nick NAME, /who, /quit");
                carol.expect("* guest-2 is now known as bob");
                bob.send("hello everyone");
                assertEquals("bob: hello everyone", alice.next());
                carol.expect("bob: hello everyone");
                carol.send("/who");
                assertEquals("* here: alice, bob, guest-3", carol.next());
                carol.send("/nick bob");
                assertEquals("! 'bob' is taken", carol.next());
                carol.send("/quit");
                assertEquals("* bye", carol.next());
                assertTrue(carol.closedByServer.await(10, TimeUnit.SECONDS));
                alice.expect("* guest-3 left");
                bob.expect("* guest-3 left");
            }
            alice.expect("* bob left");
        }
    }

    @Test
    void aClientThatLeavesMidLineHasThatHalfLineDropped() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             Client alice = new Client(server); Client bob = new Client(server)) {
            alice.expect("* guest-2 joined");
            bob.send("SET balance 100");
            alice.expect("guest-2: SET balance 100");
            bob.sendRaw("SET balance 10".getBytes(UTF_8)); // and the connection dies before the rest
            bob.socket.shutdownOutput();
            assertEquals("* guest-2 left", alice.next(), "the half line was not delivered as a line");
        }
    }

    @Test
    void overLongLinesAndInvalidUtf8GetAnErrorAndTheClientStays() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             Client alice = new Client(server); Client bob = new Client(server)) {
            alice.expect("* guest-2 joined");
            alice.send("x".repeat(5000));
            assertEquals("! line too long (the limit is 1000 bytes); it was not sent", alice.next());
            alice.sendRaw(new byte[] {'h', 'i', (byte) 0xFF, (byte) 0xFE, '\r', '\n'});
            assertEquals("! that line is not valid UTF-8; it was not sent", alice.next());
            alice.send("caf\u00e9 \u2615");
            bob.expect("guest-1: caf\u00e9 \u2615");
            alice.send("/dance");
            assertTrue(alice.next().startsWith("! unknown command /dance"));
        }
    }

    @Test
    void aClientThatNeverReadsIsCutOffWhileTheOthersKeepChatting() throws Exception {
        try (BackgroundServer server = chatServer(16 * 1024);
             Client alice = new Client(server); Client bob = new Client(server)) {
            try (Socket sleeper = new Socket()) {
                sleeper.setReceiveBufferSize(4096); // before connecting: a small window fills fast
                sleeper.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                alice.expect("* guest-3 joined");
                String filler = "z".repeat(900);
                boolean cutOff = false;
                for (int sent = 0; sent < 50_000 && !cutOff; sent++) {
                    bob.send(filler);
                    if (sent % 200 == 0) {
                        cutOff = alice.received.stream().anyMatch(line -> line.startsWith("* guest-3 left"));
                    }
                }
                alice.expect("* guest-3 left (disconnected: not reading, 16384 bytes were waiting)");
                bob.send("still chatting");
                alice.expect("guest-2: still chatting");
            }
        }
    }
}
