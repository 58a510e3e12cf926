package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The C epoll echo server of the io_uring comparison, on real loopback connections. */
class EpollEchoTest {
    private static final Path SOURCE = Path.of("src/main/c/epoll_echo.c");
    private static final Path BINARY = Path.of("target/test-epoll-echo");

    private Process server;
    private int port;

    @BeforeAll
    static void compile() throws Exception {
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", BINARY.toString(),
                    SOURCE.toString()).inheritIO().start();
        } catch (IOException noCompiler) {
            assumeTrue(false, "gcc is not installed; ./boucle bench installs it");
            return;
        }
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "epoll_echo.c compiles without a warning");
    }

    @BeforeEach
    void start() throws Exception {
        server = new ProcessBuilder(BINARY.toString(), "--port", "0").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(server.getInputStream())).readLine();
        assertTrue(line != null && line.startsWith("epoll-echo listening on 127.0.0.1:"), "announces its port: " + line);
        port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    @AfterEach
    void stop() throws Exception {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void echoReturnsBytesUnchanged() throws Exception {
        byte[] message = EchoProbe.pattern(200_000);
        assertArrayEquals(message, EchoProbe.roundTrip(port, message));
    }

    @Test
    void aReaderSlowerThanTheWriterGetsEveryByteInOrder() throws Exception {
        // 16 MiB written before much is read: the server's writes come up short, it keeps the rest and
        // stops reading that connection until the rest is written
        byte[] message = EchoProbe.pattern(16 << 20);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(message);
                    out.flush();
                } catch (IOException failed) {
                    throw new IllegalStateException(failed);
                }
            });
            byte[] back = EchoProbe.readExactly(socket.getInputStream(), message.length);
            writing.get(30, TimeUnit.SECONDS);
            assertArrayEquals(message, back);
        }
    }

    @Test
    void aPeerVanishingMidWriteLeavesOtherConnectionsServed() throws Exception {
        try (Socket vanishing = new Socket(InetAddress.getLoopbackAddress(), port)) {
            vanishing.setSoLinger(true, 0); // close with a reset, as a crashed peer does
            vanishing.getOutputStream().write(EchoProbe.pattern(200_000)); // what the socket buffers hold: no deadlock
        }
        byte[] message = EchoProbe.pattern(64);
        assertArrayEquals(message, EchoProbe.roundTrip(port, message));
        assertTrue(server.isAlive());
    }
}
