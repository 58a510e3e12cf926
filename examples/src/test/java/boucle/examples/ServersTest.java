package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.Backend;
import boucle.net.uring.IoUring;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A server process under hostile conditions: it outlives them, and serves again afterwards. */
class ServersTest {

    private static String echoOnce(Socket client, String line) throws IOException {
        client.getOutputStream().write((line + "\n").getBytes(UTF_8));
        return new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8)).readLine();
    }

    @Test
    void serverProcessesRunOnTheBackendTheSuiteAsksFor() throws Exception {
        // the pom runs this suite on auto (io_uring wherever the kernel allows it), then on nio
        String expected = Backend.configured() == Backend.NIO || !IoUring.probe().available() ? "nio" : "io_uring";
        try (ServerProcess echo = ServerProcess.start("echo")) {
            String listening = String.join("\n", echo.stdout());
            assertTrue(listening.contains(" loops on " + expected + " "), "wanted " + expected + ": " + listening);
            try (Socket client = echo.connect()) {
                assertEquals("on " + expected, echoOnce(client, "on " + expected));
            }
        }
    }

    @Test
    void echoOutlivesRunningOutOfFileDescriptorsAndServesAgain() throws Exception {
        // nothing was logged before, so the first record (the failed accept) is the logger's first:
        // the JDK's logger would then open its time-zone data, fail with an Error, and drop every
        // later record; the server reads that data ahead, and survives a logger that throws anyway
        try (ServerProcess echo = ServerProcess.start("echo", 64)) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) { // more than 64 descriptors: the last ones wait in the backlog
                    clients.add(echo.connect());
                }
                for (int i = 0; i < 200 && !echo.stderr().contains("Too many open files"); i++) {
                    // a short wait on the process itself between two looks at its log; it ends early if it dies
                    assertTrue(!echo.waitForExit(100), "the server died: " + echo.stderr());
                }
                assertTrue(echo.stderr().contains("failed: Too many open files"), echo.stderr());
                for (int i = 0; i < 5; i++) { // its accept retries (every 100 ms) fail meanwhile, and are counted
                    assertTrue(!echo.waitForExit(100), "alive after EMFILE: " + echo.stderr());
                }
                assertEquals("still here", echoOnce(clients.get(0), "still here"), "accepted clients are still served");
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            try (Socket again = echo.connect()) { // accepted once the backlog of closed ones is worked through
                assertEquals("served again", echoOnce(again, "served again"));
            }
            echo.signal("TERM");
            assertEquals(0, echo.awaitExit(), echo.stderr());
            String log = echo.stderr();
            // the accept failures' lines (a slow-step note may name the accepting task too: not one of them)
            List<String> acceptLines = log.lines().filter(line -> line.contains("accept on") && line.contains(" failed"))
                    .toList();
            assertTrue(!acceptLines.isEmpty() && acceptLines.size() <= 4, "counted, not a line per failure:\n" + log);
            assertTrue(acceptLines.get(0).endsWith(" failed: Too many open files"), log);
            for (String count : acceptLines.subList(1, acceptLines.size())) { // the retries, as counts
                assertTrue(count.matches(".* failed \\d+ more times? in the last 10 s: Too many open files"), count);
            }
            assertTrue(!log.contains("the logger failed"), "the time-zone data was read ahead:\n" + log);
        }
    }
}
