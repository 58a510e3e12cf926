package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import boucle.net.AsyncDatagramSocket;
import boucle.net.AsyncServer;
import boucle.net.Datagram;
import boucle.net.AsyncSocket;
import boucle.net.Net;
import boucle.net.BackgroundServer;
import boucle.net.SelfSignedCertificate;
import boucle.net.TlsOptions;
import boucle.test.LineClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The echo server on loopback: every byte back, in order, for any number of clients. */
class EchoTest {
    private static BackgroundServer echoServer() throws Exception {
        return BackgroundServer.start(AsyncServer.builder(Echo::echo));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void tenMebibytesOfRandomBytesComeBackUnchanged() throws Exception {
        byte[] sent = random(10 << 20, 10);
        try (BackgroundServer server = echoServer(); Socket client = LineClient.openSocket(server.port())) {
            byte[] received = echoedThrough(client, sent);
            assertEquals(sent.length, received.length);
            assertArrayEquals(sent, received);
        }
    }

    /**
     * Writes {@code sent} from another thread in many writes, as a real client does, then half-closes
     * (over TLS 1.3: close_notify, and the socket still reads); returns all that came back.
     */
    private static byte[] echoedThrough(Socket client, byte[] sent) throws Exception {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < sent.length; at += 100_000) {
                    out.write(sent, at, Math.min(100_000, sent.length - at));
                }
                client.shutdownOutput();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] received = client.getInputStream().readAllBytes();
        writing.get(30, TimeUnit.SECONDS);
        return received;
    }

    @Test
    void twoHundredConcurrentClientsEachGetTheirOwnBytesBackInOrder() throws Exception {
        try (BackgroundServer server = echoServer(); Loop clients = Net.newLoop()) {
            List<Integer> bytesEchoed = clients.runTask(() -> {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long seed = i;
                    tasks.add(Boucle.spawn(() -> exchange(server.port(), seed)));
                }
                return Boucle.gather(tasks.toArray(Task[]::new));
            });
            assertEquals(200, bytesEchoed.size());
            assertTrue(bytesEchoed.stream().allMatch(n -> n > 0));
        }
    }

    /** One client: a few messages of random sizes, each checked byte for byte as it comes back. */
    private static int exchange(int port, long seed) throws Exception {
        return exchange(port, seed, null);
    }

    /** The same, over TLS when {@code tls} is given: the handler and the client code do not change. */
    private static int exchange(int port, long seed, TlsOptions tls) throws Exception {
        Random random = new Random(seed);
        int total = 0;
        try (AsyncSocket socket = tls == null ? AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(10))
                : AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(20), tls)) {
            socket.setReadTimeout(Duration.ofSeconds(10));
            for (int message = 0; message < 1 + random.nextInt(5); message++) {
                byte[] sent = random(1 + random.nextInt(32 * 1024), random.nextLong());
                socket.write(sent);
                ByteBuf back = socket.readExactly(sent.length);
                try {
                    assertArrayEquals(sent, ByteBufUtil.getBytes(back));
                } finally {
                    back.release();
                }
                total += sent.length;
            }
        }
        return total;
    }

    @Test
    void clientThatHalfClosesStillReadsEverythingBack() throws Exception {
        byte[] sent = random(1 << 20, 3);
        try (BackgroundServer server = echoServer(); Socket client = LineClient.openSocket(server.port())) {
            client.setReceiveBufferSize(1 << 21); // the whole echo fits: we write it all before reading
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertArrayEquals(sent, client.getInputStream().readAllBytes());
        }
    }

    @Test
    void clientThatResetsMidStreamDoesNotDisturbTheOthers() throws Exception {
        try (BackgroundServer server = echoServer(); Socket steady = LineClient.openSocket(server.port())) {
            try (Socket rude = LineClient.openSocket(server.port())) {
                rude.getOutputStream().write(random(1 << 20, 4)); // the server is mid-write when the reset comes
                rude.getInputStream().readNBytes(1000);
                rude.setSoLinger(true, 0); // close = reset
            }
            byte[] ping = "still echoing\n".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                steady.getOutputStream().write(ping);
                assertArrayEquals(ping, steady.getInputStream().readNBytes(ping.length));
            }
            assertEquals(1, server.connectionCount(), "only the steady client is left");
        }
    }

    private static SelfSignedCertificate certificate;

    private static synchronized SelfSignedCertificate certificate() throws Exception {
        if (certificate == null) {
            certificate = SelfSignedCertificate.create();
        }
        return certificate;
    }

    @Test
    void tenMebibytesComeBackUnchangedOverTls() throws Exception {
        byte[] sent = random(10 << 20, 11);
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(Echo::echo).tls(certificate().serverOptions()));
             javax.net.ssl.SSLSocket client = (javax.net.ssl.SSLSocket) certificate().trustingContext().getSocketFactory()
                     .createSocket("127.0.0.1", server.port())) {
            client.setSoTimeout(20_000);
            byte[] received = echoedThrough(client, sent);
            assertEquals(sent.length, received.length);
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void twoHundredConcurrentTlsClientsEachGetTheirOwnBytesBack() throws Exception {
        TlsOptions clientTls = certificate().clientOptions();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(Echo::echo).tls(certificate().serverOptions()));
             Loop clients = Net.newLoop()) {
            List<Integer> bytesEchoed = clients.runTask(() -> {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long seed = i;
                    tasks.add(Boucle.spawn(() -> exchange(server.port(), seed, clientTls)));
                }
                return Boucle.gather(tasks.toArray(Task[]::new));
            });
            assertEquals(200, bytesEchoed.size());
            assertTrue(bytesEchoed.stream().allMatch(n -> n > 0));
        }
    }

    @Test
    void tlsHelpSaysHowToConnectAndBadTlsOptionsAreClearErrors() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"echo", "--help"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        String usage = text.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("openssl s_client -connect 127.0.0.1:7443 -quiet")
                && usage.contains("socat - OPENSSL:127.0.0.1:7443,verify=0") && usage.contains("--keystore FILE")
                && usage.contains("--unix PATH"), usage);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"echo", "--keystore", "server.p12"}, quiet), "--keystore needs --tls");
        assertEquals(2, Main.run(new String[] {"echo", "--udp", "--tls"}, quiet));
        assertEquals(2, Main.run(new String[] {"chat", "--udp"}, quiet), "chat has no UDP");
        assertEquals(7443, ServerOptions.parse(new String[] {"--tls"}, 7000, 7443, ServerOptions.TRANSPORTS).port());
        assertEquals(7444, ServerOptions.parse(new String[] {"--tls"}, Chat.DEFAULT_PORT, Chat.DEFAULT_TLS_PORT,
                ServerOptions.TRANSPORTS).port());
    }

    @Test
    void loopsGoWithEveryTransportButUdpWhichServesOnOneLoop() throws Exception {
        assertEquals(3, ServerOptions.parse(new String[] {"--tls", "--loops", "3"}, 7000, 7443, ServerOptions.TRANSPORTS)
                .loops());
        assertEquals(2, ServerOptions.parse(new String[] {"--unix", "/tmp/x.sock", "--loops", "2"}, 7000, 7443,
                ServerOptions.TRANSPORTS).loops());
        assertEquals(1, ServerOptions.parse(new String[] {"--udp"}, 7000, 7443, ServerOptions.TRANSPORTS).loops());
        assertEquals(1, ServerOptions.parse(new String[] {"--udp", "--loops", "1"}, 7000, 7443, ServerOptions.TRANSPORTS)
                .loops());
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.parse(new String[] {"--udp", "--loops", "2"}, 7000, 7443, ServerOptions.TRANSPORTS));
        assertTrue(refused.getMessage().contains("one loop"), refused.getMessage());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"echo", "--help"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("--loops N"), text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBackendOptionNamesOneAndDefaultsToTheSystemProperty() throws Exception {
        assertEquals(boucle.net.Backend.IO_URING, ServerOptions.parse(new String[] {"--backend", "io_uring"}, 7000, 7443,
                ServerOptions.TRANSPORTS).backend());
        assertEquals(boucle.net.Backend.NIO, ServerOptions.parse(new String[] {"--udp", "--backend", "nio"}, 7000, 7443,
                ServerOptions.TRANSPORTS).backend());
        assertEquals(boucle.net.Backend.configured(), ServerOptions.parse(new String[0], 7000).backend());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.parse(new String[] {"--backend", "kqueue"}, 7000));
        assertEquals("--backend needs auto, io_uring or nio, not 'kqueue'", unknown.getMessage());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"chat", "--help"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("--backend B"), text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void udpEchoSendsEachDatagramBackToItsSender() throws Exception {
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket server = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket client = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                Task<Void> echoing = Boucle.spawn(() -> Echo.echoDatagrams(server));
                client.setReceiveTimeout(Duration.ofSeconds(10));
                for (int i = 0; i < 100; i++) { // one at a time: no loss, no reordering to allow for
                    byte[] sent = random(1 + i * 100, i);
                    client.send(sent, server.localAddress());
                    Datagram back = client.receive();
                    try {
                        assertEquals(server.localAddress(), back.sender());
                        assertArrayEquals(sent, ByteBufUtil.getBytes(back.content()));
                    } finally {
                        back.content().release();
                    }
                }
                server.close();
                assertTrue(assertThrows(TaskFailedException.class, echoing::await).getCause()
                        instanceof boucle.net.SocketClosedException);
            });
        }
    }

    @Test
    void helpDescribesTheOptions() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"echo", "--help"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        String usage = text.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--host") && usage.contains("--port") && usage.contains("7000"), usage);
        assertTrue(usage.contains("--udp") && usage.contains("nc -u 127.0.0.1 7000"), usage);
    }

    @Test
    void badOptionsAndABusyPortAreClearErrors() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"echo", "--port", "seventy"}, quiet));
        assertEquals(2, Main.run(new String[] {"echo", "--verbose"}, quiet));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(1, Main.run(new String[] {"echo", "--port", String.valueOf(taken.getLocalPort())}, quiet));
        }
    }

}
