package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import boucle.net.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The chat room with real clients on loopback, as nc or telnet users would drive it. */
class ChatTest {

    private static BackgroundServer chatServer(int maxQueuedBytes) throws IOException {
        Chat chat = new Chat(new ChatRoom(maxQueuedBytes));
        return BackgroundServer.start(AsyncServer.builder(chat::handle));
    }

    @Test
    void threeClientsChatRenameListAndLeave() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             ChatClient alice = new ChatClient(server.port())) {
            assertEquals("* welcome, you are guest-1. Commands: /nick NAME, /who, /quit", alice.next());
            alice.send("/nick alice");
            assertEquals("* guest-1 is now known as alice", alice.next());
            try (ChatClient bob = new ChatClient(server.port()); ChatClient carol = new ChatClient(server.port())) {
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
                assertTrue(carol.awaitEnd(10_000));
                alice.expect("* guest-3 left");
                bob.expect("* guest-3 left");
            }
            alice.expect("* bob left");
        }
    }

    @Test
    void aClientThatLeavesMidLineHasThatHalfLineDropped() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             ChatClient alice = new ChatClient(server.port()); ChatClient bob = new ChatClient(server.port())) {
            alice.expect("* guest-2 joined");
            bob.send("SET balance 100");
            alice.expect("guest-2: SET balance 100");
            bob.sendRaw("SET balance 10".getBytes(UTF_8)); // and the connection dies before the rest
            bob.socket().shutdownOutput();
            assertEquals("* guest-2 left", alice.next(), "the half line was not delivered as a line");
        }
    }

    @Test
    void overLongLinesAndInvalidUtf8GetAnErrorAndTheClientStays() throws Exception {
        try (BackgroundServer server = chatServer(Chat.MAX_QUEUED_BYTES);
             ChatClient alice = new ChatClient(server.port()); ChatClient bob = new ChatClient(server.port())) {
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
             ChatClient alice = new ChatClient(server.port()); ChatClient bob = new ChatClient(server.port())) {
            try (Socket sleeper = new Socket()) {
                sleeper.setReceiveBufferSize(4096); // before connecting: a small window fills fast
                sleeper.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                alice.expect("* guest-3 joined");
                String filler = "z".repeat(900);
                boolean cutOff = false;
                for (int sent = 0; sent < 50_000 && !cutOff; sent++) {
                    bob.send(filler);
                    if (sent % 200 == 0) {
                        cutOff = alice.unread().stream().anyMatch(line -> line.startsWith("* guest-3 left"));
                    }
                }
                alice.expect("* guest-3 left (disconnected: not reading, 16384 bytes were waiting)");
                bob.send("still chatting");
                alice.expect("guest-2: still chatting");
            }
        }
    }

    @Test
    void jdkTlsClientsChatThroughTheRoomOverTls() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        Chat chat = new Chat(new ChatRoom(Chat.MAX_QUEUED_BYTES));
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(chat::handle).tls(certificate.serverOptions()));
             ChatClient alice = new ChatClient(tlsSocket(certificate, server.port()))) {
            assertTrue(alice.awaitWelcome(10_000), "alice is in the room"); // the handshakes race: join in turn
            try (ChatClient bob = new ChatClient(tlsSocket(certificate, server.port()))) {
                assertTrue(bob.awaitWelcome(10_000), "bob is in the room");
                alice.expect("* " + bob.nick() + " joined");
                bob.send("/nick bob");
                bob.send("hello over TLS");
                alice.expect("bob: hello over TLS");
                bob.send("/quit");
                alice.expect("* bob left");
                assertTrue(bob.awaitEnd(10_000), "the server ended bob's stream after /quit");
                assertEquals(null, bob.endedBy(), "a clean end (close_notify), not an error: " + bob.endedBy());
            }
        }
    }

    private static SSLSocket tlsSocket(SelfSignedCertificate certificate, int port) throws IOException {
        SSLSocket socket = (SSLSocket) certificate.trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    @Test
    void helpSaysHowToConnectWithOpensslSocatAndNc() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"chat", "--help"}, new PrintStream(text, true, UTF_8)));
        String usage = text.toString(UTF_8);
        assertTrue(usage.contains("openssl s_client -connect 127.0.0.1:" + Chat.DEFAULT_TLS_PORT + " -quiet")
                && usage.contains("socat - OPENSSL:127.0.0.1:" + Chat.DEFAULT_TLS_PORT + ",verify=0")
                && usage.contains("nc -U PATH") && usage.contains("--keystore FILE"), usage);
    }
}
