package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The chat anchor speaks the examples' chat protocol on the broadcast path. */
class NettyChatServerTest {
    /** One member: its socket, a line reader over it, and its writer. */
    private record Member(Socket socket, BufferedReader in, OutputStream out) implements AutoCloseable {
        static Member join(int port) throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            return new Member(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)),
                    socket.getOutputStream());
        }

        void say(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aLineFromOneMemberReachesEveryOtherAsNickColonText() throws Exception {
        try (NettyChatServer server = NettyChatServer.start(0);
             Member first = Member.join(server.port())) {
            assertTrue(first.in.readLine().startsWith("* welcome, you are guest-1."));
            try (Member second = Member.join(server.port()); Member third = Member.join(server.port())) {
                assertTrue(second.in.readLine().startsWith("* welcome, you are guest-2."));
                assertEquals("* guest-2 joined", first.in.readLine());
                assertTrue(third.in.readLine().startsWith("* welcome, you are guest-3."));
                assertEquals("* guest-3 joined", first.in.readLine());
                assertEquals("* guest-3 joined", second.in.readLine());

                second.say("hello\r\nsplit ");
                second.say("line\n");

                assertEquals("guest-2: hello", first.in.readLine());
                assertEquals("guest-2: split line", first.in.readLine());
                assertEquals("guest-2: hello", third.in.readLine());
                assertEquals("guest-2: split line", third.in.readLine());
            }
            assertEquals(java.util.Set.of("* guest-2 left", "* guest-3 left"),
                    java.util.Set.of(first.in.readLine(), first.in.readLine()));
        }
    }

    @Test
    void aLineOverTheLimitIsRefusedAndNotSent() throws Exception {
        try (NettyChatServer server = NettyChatServer.start(0);
             Member sender = Member.join(server.port());
             Member other = Member.join(server.port())) {
            sender.in.readLine();
            sender.in.readLine(); // "* guest-2 joined"
            other.in.readLine();

            sender.say("x".repeat(NettyChatServer.MAX_LINE + 1) + "\nshort\n");

            assertTrue(sender.in.readLine().startsWith("! line too long"));
            assertEquals("guest-1: short", other.in.readLine());
        }
    }
}
