package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.net.AsyncServer;
import boucle.net.Net;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SIGINT and SIGTERM on the example servers, run as real processes: a graceful stop, status 0. */
class StopSignalsTest {

    /** Every line the server sends until it closes the connection. */
    private static List<String> linesUntilClosed(Socket client) throws Exception {
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void chatTellsEachClientOnSigtermClosesCleanlyAndExitsZero() throws Exception {
        try (ServerProcess chat = ServerProcess.start("chat");
             Socket alice = chat.connect(); Socket bob = chat.connect()) {
            BufferedReader aliceIn = new BufferedReader(new InputStreamReader(alice.getInputStream(), UTF_8));
            assertTrue(aliceIn.readLine().startsWith("* welcome, you are guest-1"));
            BufferedReader bobIn = new BufferedReader(new InputStreamReader(bob.getInputStream(), UTF_8));
            assertTrue(bobIn.readLine().startsWith("* welcome, you are guest-2"));
            assertEquals("* guest-2 joined", aliceIn.readLine()); // both handlers are in, parked in readLine
            chat.signal("TERM");
            for (BufferedReader in : List.of(aliceIn, bobIn)) {
                String last = null;
                for (String line; (line = in.readLine()) != null; ) {
                    last = line;
                }
                assertEquals("* server shutting down", last, "the client's last line, then a clean end of stream");
            }
            assertEquals(0, chat.awaitExit(), chat.stderr());
            assertTrue(chat.stderr().contains("SIGTERM: shutting down"), chat.stderr());
        }
    }

    @Test
    void echoEndsIdleClientsOnSigintAndExitsZero() throws Exception {
        try (ServerProcess echo = ServerProcess.start("echo"); Socket idle = echo.connect()) {
            idle.getOutputStream().write("hello\n".getBytes(UTF_8));
            assertEquals("hello", new BufferedReader(new InputStreamReader(idle.getInputStream(), UTF_8)).readLine());
            echo.signal("INT");
            assertEquals(List.of(), linesUntilClosed(idle), "closed cleanly, nothing more");
            assertEquals(0, echo.awaitExit(), echo.stderr());
            assertTrue(!echo.stderr().contains("WARNING"), echo.stderr());
        }
    }

    @Test
    void firstSignalShutsDownGracefullyASecondHaltsWithTheSignalsStatus() throws Exception {
        AsyncServer server = AsyncServer.builder(connection -> { }).bind();
        List<Integer> halted = new ArrayList<>();
        StopSignals signals = new StopSignals("test", server, halted::add);
        signals.received("TERM", 15);
        assertTrue(halted.isEmpty(), "the first one does not halt");
        try (Loop loop = Net.newLoop()) {
            loop.runTask(server::serveForever); // returns at once: the shutdown was asked for
        }
        signals.received("INT", 2);
        assertEquals(List.of(130), halted);
        signals.received("TERM", 15);
        assertEquals(List.of(130, 143), halted);
    }
}
