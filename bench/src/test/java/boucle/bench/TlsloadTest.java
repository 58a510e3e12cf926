package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.BackgroundServer;
import boucle.net.SelfSignedCertificate;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLS benchmark's client ({@code src/main/c/tlsload.c}) against a real loopback TLS echo
 * server: it echoes and counts, makes a full handshake per message with {@code --new}, and fails
 * the run against a server that does not speak TLS.
 */
class TlsloadTest {
    private static final Path SOURCE = Path.of("src/main/c/tlsload.c");
    private static final Path BINARY = Path.of("target/test-tlsload");

    @BeforeAll
    static void compile() throws Exception {
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-o", BINARY.toString(), SOURCE.toString(), "-lssl", "-lcrypto")
                    .redirectErrorStream(true).start();
        } catch (IOException noCompiler) {
            assumeTrue(false, "gcc is not installed; ./boucle bench installs it");
            return;
        }
        String output = new String(gcc.getInputStream().readAllBytes());
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc finished");
        assumeTrue(gcc.exitValue() == 0 || !output.contains("openssl/ssl.h"),
                "OpenSSL's headers are not installed (apt-get install libssl-dev)");
        assertEquals(0, gcc.exitValue(), "tlsload.c compiles: " + output);
    }

    private static void echo(AsyncSocket connection) throws IOException {
        for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
            connection.write(bytes);
        }
    }

    /** Runs the client; returns {exit status, output}. */
    private static Object[] run(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--port", Integer.toString(port),
                // by count, not time: a cold server on a busy machine may take seconds for its first handshakes
                "--warmup", "0", "--duration", "60", "--count", "20",
                "--server-pid", Long.toString(ProcessHandle.current().pid())));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tlsload finished");
        return new Object[] {process.exitValue(), output};
    }

    private static LoadResult result(Object[] run) {
        assertEquals(0, run[0], (String) run[1]);
        return LoadResult.parse(((String) run[1]).lines().filter(line -> line.startsWith(LoadResult.PREFIX))
                .findFirst().orElse(null));
    }

    @Test
    void echoesOverTlsAndReportsItsFigures() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (BackgroundServer server = BackgroundServer.start(
                AsyncServer.builder(TlsloadTest::echo).tls(certificate.serverOptions()))) {
            Object[] run = run(server.port(), "--connections", "3", "--size", "20000");
            LoadResult result = result(run);
            assertTrue(result.get("msgs") >= 20, "counts until 20 (the last poll's batch may add a few)");
            assertEquals(0, result.get("handshakes"));
            assertTrue(result.get("server_cpu_us_per_msg") >= 0, "the server's CPU time is read from /proc");
            assertTrue(((String) run[1]).contains("cipher TLS_AES_128_GCM_SHA256"), (String) run[1]);
        }
    }

    @Test
    void withNewEveryMessageIsAConnectionOfItsOwn() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (BackgroundServer server = BackgroundServer.start(
                AsyncServer.builder(TlsloadTest::echo).tls(certificate.serverOptions()))) {
            LoadResult result = result(run(server.port(), "--connections", "2", "--new"));
            assertTrue(result.get("msgs") >= 20);
            assertEquals(result.get("msgs"), result.get("handshakes"));
        }
    }

    @Test
    void aServerThatDoesNotSpeakTlsFailsTheRun() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(TlsloadTest::echo))) {
            Object[] run = run(server.port(), "--connections", "1");
            assertNotEquals(0, run[0]);
            assertTrue(((String) run[1]).contains("FAILED"), (String) run[1]);
        }
    }
}
