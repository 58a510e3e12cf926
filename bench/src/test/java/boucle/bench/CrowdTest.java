package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hardening client against real loopback servers: it reports its figures against faithful
 * servers, and fails the run when a server loses what it should deliver.
 */
class CrowdTest {
    private static final Path BINARY = Path.of("target/test-crowd");
    private static final long THIS_PROCESS = ProcessHandle.current().pid();

    @BeforeAll
    static void compile() throws Exception {
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", BINARY.toString(), "src/main/c/crowd.c")
                    .inheritIO().start();
        } catch (IOException noCompiler) {
            assumeTrue(false, "gcc is not installed; ./boucle bench installs it");
            return;
        }
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "crowd.c compiles");
    }

    @Test
    void fairnessTimesTheLightClientWhileTheFloodsAreEchoed() throws Exception {
        try (NettyEchoServer server = NettyEchoServer.start(0)) {
            LoadResult result = new Crowd(BINARY).fairness(server.port(), THIS_PROCESS, 2, 5, 0.1, 0.5);

            assertTrue(result.get("pings") > 0);
            assertTrue(result.get("p99_us") >= result.get("p50_us"));
            assertTrue(result.get("flood_mib_per_s") > 0, "the floods really flowed");
            assertTrue(result.get("server_cpu_s") >= 0, "the server's CPU time is read from /proc");
        }
    }

    @Test
    void fanOutDeliversEveryLineToEveryMemberAndCountsTheServersWrites() throws Exception {
        try (NettyChatServer server = NettyChatServer.start(0)) {
            LoadResult result = new Crowd(BINARY).chatFanOut(server.port(), THIS_PROCESS, 20, 10);

            assertEquals(200, result.get("deliveries"));
            assertTrue(result.get("writes_per_line_per_member") > 0, "write calls are read from /proc/PID/io");
            assertTrue(result.get("p99_us") >= result.get("p50_us"));
        }
    }

    @Test
    void aLineFloodStillDeliversEveryNormalLine() throws Exception {
        try (NettyChatServer server = NettyChatServer.start(0)) {
            LoadResult result = new Crowd(BINARY).chatFlood(server.port(), THIS_PROCESS, 10, 0.3, 1.0);

            assertTrue(result.get("normal_lines") > 0);
            assertEquals(2 * result.get("normal_lines"), result.get("deliveries"), 2,
                    "each normal line timed at the flooder and at the reader");
            assertTrue(result.get("flooder_p99_us") > 0);
            assertTrue(result.get("flood_lines_per_s") > 0);
        }
    }

    @Test
    void anEchoThatLosesBytesFailsTheFairnessRun() throws Exception {
        try (ForgetfulEcho server = new ForgetfulEcho()) {
            IOException failure = assertThrows(IOException.class,
                    () -> new Crowd(BINARY).fairness(server.port(), 0, 2, 5, 0.1, 0.3));
            assertTrue(failure.getMessage().contains("FAILED"), failure.getMessage());
        }
    }

    /** Echoes only the first 100,000 bytes of each connection, then swallows the rest. */
    private static final class ForgetfulEcho implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        ForgetfulEcho() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket connection = listener.accept();
                        Thread.ofVirtual().start(() -> serve(connection));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket connection) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                byte[] buffer = new byte[65536];
                long echoed = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    int keep = (int) Math.max(0, Math.min(n, 100_000 - echoed));
                    out.write(buffer, 0, keep);
                    echoed += keep;
                }
            } catch (IOException peerGone) {
                // the client gave up: the test looks at its verdict
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
