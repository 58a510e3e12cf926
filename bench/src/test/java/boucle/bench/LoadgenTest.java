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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generator against real loopback servers: a faithful echo passes and reports its
 * figures; a server that changes one byte, or closes early, fails the run.
 */
class LoadgenTest {
    private static final Path SOURCE = Path.of("src/main/c/loadgen.c");
    private static final Path BINARY = Path.of("target/test-loadgen");
    private static final Scenario SMALL = new Scenario("test", 4, 1000, 2);

    @BeforeAll
    static void compile() throws Exception {
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-o", BINARY.toString(), SOURCE.toString()).inheritIO().start();
        } catch (IOException noCompiler) {
            assumeTrue(false, "gcc is not installed; ./boucle bench installs it");
            return;
        }
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "loadgen.c compiles");
    }

    @Test
    void selfTestPasses() throws Exception {
        Process selfTest = new ProcessBuilder(BINARY.toString(), "--self-test").inheritIO().start();
        assertEquals(0, selfTest.waitFor());
    }

    @Test
    void faithfulEchoPassesAndReportsItsFigures() throws Exception {
        try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(0)) {
            LoadResult result = new Loadgen(BINARY).run(SMALL, server.port(), ProcessHandle.current().pid(), 0.1, 0.3);

            assertTrue(result.get("msgs") > 0);
            assertEquals(4, result.get("connections"));
            assertTrue(result.get("p99_us") >= result.get("p50_us"));
            assertTrue(result.get("server_cpu_s") >= 0, "the server's CPU time is read from /proc");
        }
    }

    @Test
    void oneChangedByteFailsTheRun() throws Exception {
        try (BadEcho server = new BadEcho(offset -> offset == 5_000 ? 1 : 0)) {
            IOException failure = assertThrows(IOException.class,
                    () -> new Loadgen(BINARY).run(SMALL, server.port(), 0, 0.1, 0.3));
            assertTrue(failure.getMessage().contains("is wrong"), failure.getMessage());
        }
    }

    @Test
    void aServerThatClosesEarlyFailsTheRun() throws Exception {
        try (BadEcho server = new BadEcho(offset -> offset == 3_000 ? -1 : 0)) {
            IOException failure = assertThrows(IOException.class,
                    () -> new Loadgen(BINARY).run(SMALL, server.port(), 0, 0.1, 0.3));
            assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        }
    }

    @Test
    void idleConnectionsAreHeldUntilReleased() throws Exception {
        try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(0);
             Loadgen.Idle idle = new Loadgen(BINARY).holdIdle(server.port(), 50)) {
            assertTrue(idle.process().isAlive(), "the connections stay open while the report measures");
        }
    }

    /**
     * An echo server with a fault: for each byte offset of a connection's stream, {@code fault}
     * says 0 (echo it), -1 (close the connection there) or a mask to flip bits with.
     */
    private static final class BadEcho implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        BadEcho(IntUnaryOperator fault) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket connection = listener.accept();
                        Thread.ofVirtual().start(() -> serve(connection, fault));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket connection, IntUnaryOperator fault) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                for (int offset = 0, b; (b = in.read()) >= 0; offset++) {
                    int action = fault.applyAsInt(offset);
                    if (action < 0) {
                        return;
                    }
                    out.write(b ^ action);
                }
            } catch (IOException peerGone) {
                // the generator gave up on this connection: the test looks at its verdict
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
