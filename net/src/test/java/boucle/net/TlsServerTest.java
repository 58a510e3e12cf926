package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.test.LineClient;
import boucle.test.LogCapture;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AsyncServer} with TLS: real clients, and bad peers that each cost one log line and nothing more. */
class TlsServerTest {
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = SelfSignedCertificate.create();
    }

    /** Echoes every byte; at the end of the client's stream, closes (with close_notify). */
    private static void echo(AsyncSocket connection) throws IOException {
        for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
            connection.write(bytes);
        }
    }

    private static AsyncServer.Builder tlsEcho(Duration handshakeTimeout) {
        return AsyncServer.builder(TlsServerTest::echo)
                .tls(certificate.serverOptions().withHandshakeTimeout(handshakeTimeout))
                .logInterval(Duration.ofMillis(1)); // a line per trouble: the bad peers come one at a time
    }

    private static SSLSocket jdkClient(int port) throws IOException {
        SSLSocket socket = (SSLSocket) certificate.trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static void ping(SSLSocket client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.getOutputStream().write(bytes);
        assertArrayEquals(bytes, client.getInputStream().readNBytes(bytes.length));
    }

    /** Reads until the server closes; true if it did (a reset counts too: the connection is gone). */
    private static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // an alert, then the end
            }
            return true;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void badPeersEachCostOneLogLineAndTheOthersGoOn() throws Exception {
        try (LogCapture log = LogCapture.of("boucle.net");
             BackgroundServer server = BackgroundServer.start(tlsEcho(Duration.ofSeconds(3))); // a cold JVM on a busy machine needs ~1 s
             SSLSocket steady = jdkClient(server.port())) {
            ping(steady, "before\n");

            try (Socket plaintext = LineClient.openSocket(server.port())) {
                plaintext.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                assertTrue(closedByServer(plaintext));
            }
            log.await("connection from", Duration.ofSeconds(10));
            ping(steady, "after plaintext\n");

            try (Socket garbage = LineClient.openSocket(server.port())) {
                byte[] noise = new byte[3000];
                new Random(3).nextBytes(noise);
                garbage.getOutputStream().write(noise);
                assertTrue(closedByServer(garbage));
            }
            ping(steady, "after garbage\n");

            try (Socket vanishing = LineClient.openSocket(server.port())) {
                vanishing.getOutputStream().write(TlsFragments.halfAClientHello(certificate.clientOptions())); // then gone, mid-handshake
            }
            ping(steady, "after a vanished peer\n");

            try (Socket silent = LineClient.openSocket(server.port())) {
                assertTrue(closedByServer(silent), "closed at the handshake timeout");
            }
            ping(steady, "after a silent peer\n");

            sendATruncatedRecord(server.port());
            ping(steady, "after a truncated record\n");

            for (String cause : new String[] {"Unrecognized SSL message, plaintext connection?", "closed the connection during",
                    "handshake did not finish in time", "truncated TLS record"}) {
                log.await(cause, Duration.ofSeconds(10));
            }
            assertEquals(5, log.messages().size(), "one line per bad peer: " + log.messages());
            assertTrue(log.messages().stream().allMatch(line -> line.startsWith("connection ended: connection from ")),
                    log.messages().toString());
            assertEquals(1, server.connectionCount(), "only the steady client is left");
        }
    }

    @Test
    void handshakeFailuresEachCostOneLogLineAndTheOthersGoOn() throws Exception {
        try (LogCapture log = LogCapture.of("boucle.net");
             BackgroundServer server = BackgroundServer.start(AsyncServer.builder(TlsServerTest::echo)
                     .tls(certificate.serverOptions().withProtocols("TLSv1.3")).logInterval(Duration.ofMillis(1)));
             SSLSocket steady = jdkClient(server.port())) {
            ping(steady, "before\n");
            try (SSLSocket tooOld = jdkClient(server.port())) { // no protocol in common
                tooOld.setEnabledProtocols(new String[] {"TLSv1.2"});
                assertThrows(javax.net.ssl.SSLHandshakeException.class, tooOld::startHandshake);
            }
            log.await("protocol", Duration.ofSeconds(10));
            ping(steady, "after a protocol mismatch\n");
            try (Loop loop = Net.newLoop()) { // a client that trusts only the JDK's CAs refuses the certificate
                assertThrows(boucle.core.TaskFailedException.class, () -> loop.runTask(() -> AsyncSocket.connect(
                        "127.0.0.1", server.port(), Duration.ofSeconds(5), TlsOptions.client())));
            }
            log.await("certificate_unknown", Duration.ofSeconds(10));
            ping(steady, "after a refused certificate\n");
            assertEquals(2, log.messages().size(), "one line per failed handshake: " + log.messages());
            assertEquals(1, server.connectionCount(), "only the steady client is left");
        }
    }

    /** A Boucle TLS client that handshakes, then sends half a record and ends its TCP stream. */
    private static void sendATruncatedRecord(int port) throws Exception {
        try (Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(5),
                        certificate.clientOptions())) {
                    SSLEngine engine = ((TlsStream) client.stream()).engine();
                    ByteBuf half = Net.allocator().directBuffer().writeBytes(TlsFragments.halfARecord(engine, new byte[1000]));
                    client.transport().send(half, Registration.NO_DEADLINE);
                    client.transport().sendEof(Registration.NO_DEADLINE);
                    client.setReadTimeout(Duration.ofSeconds(10));
                    while (client.stream().receiveSome(Registration.NO_DEADLINE) != null) {
                        // the server's alert, or the end of its stream
                    }
                } catch (IOException closedOrAlerted) {
                    // expected: the server gave up on this connection
                }
            });
        }
    }

    @Test
    void jdkAndBoucleClientsAreServedTogetherAndHalfCloseEndsTheEcho() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(5).nextBytes(sent);
        try (BackgroundServer server = BackgroundServer.start(tlsEcho(Duration.ofSeconds(10)));
             SSLSocket jdk = jdkClient(server.port());
             Loop loop = Net.newLoop()) {
            ping(jdk, "jdk first\n");
            byte[] echoed = loop.runTask(() -> {
                try (AsyncSocket boucle = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5),
                        certificate.clientOptions())) {
                    boucle.setReadTimeout(Duration.ofSeconds(10));
                    var writing = loop.spawn(() -> {
                        boucle.write(sent);
                        boucle.shutdownOutput(); // close_notify: the handler's read ends, it closes after the echo
                    });
                    ByteBuf back = boucle.readExactly(sent.length);
                    try {
                        assertEquals(null, boucle.read(), "the server closed after the echo");
                        writing.await();
                        return io.netty.buffer.ByteBufUtil.getBytes(back);
                    } finally {
                        back.release();
                    }
                }
            });
            assertArrayEquals(sent, echoed);
            ping(jdk, "jdk after\n");
        }
    }

    @Test
    void aClientThatStopsReadingStallsOnlyItsOwnHandler() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 10_000; i++) { // 640 MiB at most: the client stops reading long before
                connection.write(chunk);
            }
        }).tls(certificate.serverOptions()));
             SSLSocket stalled = jdkClient(server.port())) {
            stalled.getInputStream().readNBytes(100_000); // the handshake, a little data, then no more reading
            try (SSLSocket second = jdkClient(server.port())) {
                assertEquals(100_000, second.getInputStream().readNBytes(100_000).length,
                        "the same server still serves others while the stalled client's handler waits");
            }
            assertTrue(server.connectionCount() >= 1, "the stalled client's handler is parked, not gone");
        }
    }

    @Test
    void shutdownEndsAnIdleTlsClientAtOnceNotAfterTheGrace() throws Exception {
        // the grace is longer than the client's read timeout: only a woken read ends the handler in time
        try (BackgroundServer server = BackgroundServer.start(tlsEcho(Duration.ofSeconds(10)).shutdownGrace(Duration.ofSeconds(60)));
             SSLSocket idle = jdkClient(server.port())) {
            ping(idle, "hello\n");
            server.shutdown(); // the handler is parked in a read under TLS, waiting for the peer
            assertEquals(-1, idle.getInputStream().read(), "close_notify, then the end of the stream");
            assertTrue(server.awaitStopped(Duration.ofSeconds(20)), "the server stopped without using its grace");
        }
    }

    @Test
    void tlsOverAUnixDomainSocket(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("tls.sock");
        try (BackgroundServer server = BackgroundServer.start(tlsEcho(Duration.ofSeconds(10)).unixSocket(path));
             Loop loop = Net.newLoop()) {
            String reply = loop.runTask(() -> {
                try (AsyncSocket client = AsyncSocket.connect(java.net.UnixDomainSocketAddress.of(path), Duration.ofSeconds(5))) {
                    client.startTls(certificate.clientOptions().withoutHostnameVerification(), "localhost");
                    client.write("through a socket file, encrypted\n");
                    return client.readLine(100);
                }
            });
            assertEquals("through a socket file, encrypted", reply);
        }
    }
}
