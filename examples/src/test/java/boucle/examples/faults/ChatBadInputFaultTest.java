package boucle.examples.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.examples.ChatClient;
import boucle.examples.ExampleHandlers;
import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat server fed bad input: invalid UTF-8 of every kind, lines far over the limit, control
 * characters, and a member that never reads. Each bad line gets its error and goes nowhere; every
 * good line sent around them reaches the others exactly, in order; a member that never reads is
 * cut off without costing the others a line.
 */
@Tag("fault")
class ChatBadInputFaultTest {
    private static final String TOO_LONG = "! line too long (the limit is 1000 bytes); it was not sent";
    private static final String NOT_UTF8 = "! that line is not valid UTF-8; it was not sent";

    /** A bad line as bytes (without its newline), and the reply its sender must get. */
    private record Bad(String what, byte[] bytes, String reply) {
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static List<Bad> badLines() {
        return List.of(
                new Bad("0xFF 0xFE", bytes('h', 'i', 0xFF, 0xFE), NOT_UTF8),
                new Bad("a lone continuation byte", bytes('a', 0x80, 'b'), NOT_UTF8),
                new Bad("an overlong NUL", bytes('x', 0xC0, 0x80), NOT_UTF8),
                new Bad("an encoded surrogate", bytes(0xED, 0xA0, 0x80), NOT_UTF8),
                new Bad("a sequence cut short by the newline", bytes('c', 'a', 'f', 0xC3), NOT_UTF8),
                new Bad("past U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80), NOT_UTF8),
                new Bad("1,001 bytes", "y".repeat(1001).getBytes(UTF_8), TOO_LONG),
                new Bad("64 KiB", "z".repeat(64 * 1024).getBytes(UTF_8), TOO_LONG),
                new Bad("1 MiB, with bad UTF-8 in it too", oneMebibyteWithGarbage(), TOO_LONG));
    }

    private static byte[] oneMebibyteWithGarbage() {
        byte[] bytes = "w".repeat(1 << 20).getBytes(UTF_8);
        bytes[5000] = (byte) 0xFF;
        return bytes;
    }

    @Test
    @Timeout(30)
    void badLinesGetTheirErrorAndEveryGoodLineAroundThemArrivesExactly() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.chat()));
             ChatClient alice = new ChatClient(server.port()); ChatClient bob = new ChatClient(server.port())) {
            alice.expect("* guest-2 joined");
            bob.next();
            List<Bad> bad = badLines();
            List<String> bobMustSee = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0; i < bad.size(); i++) {
                stream.write(("good line " + i + " \u00e9\u2615\n").getBytes(UTF_8));
                bobMustSee.add("guest-1: good line " + i + " \u00e9\u2615");
                stream.write(bad.get(i).bytes());
                stream.write('\n');
            }
            // control characters are not refused but defused: a client must not drive another's terminal
            stream.write("\u001b[2J\u0007clear and ring\n".getBytes(UTF_8));
            bobMustSee.add("guest-1: ?[2J?clear and ring");
            stream.write(bytes('n', 'u', 0, 'l', '\r', '\n'));
            bobMustSee.add("guest-1: nu?l");
            stream.write(("x".repeat(1000) + "\n").getBytes(UTF_8)); // exactly the limit: a line like any other
            bobMustSee.add("guest-1: " + "x".repeat(1000));
            stream.write("the end\n".getBytes(UTF_8));
            bobMustSee.add("guest-1: the end");
            alice.sendRaw(stream.toByteArray()); // all at once: bad and good lines share the server's reads

            for (String expected : bobMustSee) {
                assertEquals(expected, bob.next());
            }
            for (Bad line : bad) {
                assertEquals(line.reply(), alice.next(), "the reply to " + line.what());
            }
            alice.send("/who");
            assertEquals("* here: guest-1, guest-2", alice.next(), "nothing else came to alice before");
            bob.send("/who");
            assertEquals("* here: guest-1, guest-2", bob.next(), "nothing else came to bob before");
        }
    }

    @Test
    @Timeout(60)
    void aMemberThatNeverReadsIsCutOffAndTheOthersGetEveryLine() throws Exception {
        int maxQueued = 64 * 1024;
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.chat(maxQueued)));
             ChatClient alice = new ChatClient(server.port()); ChatClient bob = new ChatClient(server.port());
             Socket sleeper = new Socket()) {
            alice.expect("* guest-2 joined");
            bob.next();
            sleeper.setReceiveBufferSize(4096); // before connecting: a small window fills fast
            sleeper.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            alice.expect("* guest-3 joined");
            bob.expect("* guest-3 joined");
            String filler = "z".repeat(900);
            int sent = 0;
            boolean cutOff = false;
            while (!cutOff && sent < 50_000) {
                bob.send(sent + " " + filler);
                sent++;
                if (sent % 100 == 0) {
                    cutOff = bob.unread().stream().anyMatch(line -> line.startsWith("* guest-3 left"));
                }
            }
            // The cut happens in bob's own broadcast; the notice comes from the sleeper's handler, another
            // task: it reaches bob only if bob's stream of lines does not hold the loop (fairness).
            assertTrue(cutOff, "after " + sent + " lines from bob, bob was not told that the member who never reads"
                    + " left: it was not cut off, or its handler's notice waited for bob's lines to pause");
            assertEquals("* guest-3 left (disconnected: not reading, " + maxQueued + " bytes were waiting)",
                    bob.next(), "bob's only other line");
            bob.send("after the cut");
            sent++;
            for (int n = 0; n < sent - 1; n++) { // alice got every line of bob, in order, and the notice among them
                String line = alice.next();
                if (line.startsWith("* guest-3 left")) {
                    line = alice.next();
                }
                assertEquals("guest-2: " + n + " " + filler, line);
            }
            alice.expect("guest-2: after the cut");
            assertFalse(alice.hasEnded() || bob.hasEnded());
            FaultClients.eventually("the sleeper's connection ended", 10, () -> server.connectionCount() == 2);
        }
    }
}
