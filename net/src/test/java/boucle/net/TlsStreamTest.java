package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS over real loopback sockets: against the JDK's {@code SSLSocket} and {@code SSLServerSocket},
 * against itself, and against peers that misbehave (silent, plaintext, vanishing, truncating).
 */
class TlsStreamTest {
    private static final long NONE = Registration.NO_DEADLINE;
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = SelfSignedCertificate.create();
    }

    private static TlsStream serverSide(AsyncSocket socket, TlsOptions options) {
        return new TlsStream(socket.transport(), options.newEngine(null, 0), options, socket.loop());
    }

    private static TlsStream clientSide(AsyncSocket socket, TlsOptions options, String host) {
        int port = ((InetSocketAddress) socket.remoteAddress()).getPort();
        return new TlsStream(socket.transport(), options.newEngine(host, port), options, socket.loop());
    }

    /** A server handler: handshake, echo until the peer's end of stream, close_notify. */
    private static Handler tlsEcho(TlsOptions options) {
        return socket -> {
            TlsStream tls = serverSide(socket, options);
            try {
                tls.handshake(NONE);
                for (ByteBuf bytes; (bytes = tls.receiveSome(NONE)) != null; ) {
                    tls.send(bytes, NONE);
                }
                tls.sendEof(NONE);
            } finally {
                tls.close("echo done");
            }
        };
    }

    private static SSLSocket jdkClient(int port, String protocol) throws IOException {
        SSLSocket socket = (SSLSocket) certificate.trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate names 127.0.0.1
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes {@code bytes} in another thread, in many writes, then half-closes; returns what came back. */
    private static byte[] echoThrough(SSLSocket client, byte[] bytes) throws Exception {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < bytes.length; at += 100_000) {
                    out.write(bytes, at, Math.min(100_000, bytes.length - at));
                }
                out.flush();
                client.shutdownOutput(); // TLS 1.3: close_notify, and the socket still reads
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] received = client.getInputStream().readAllBytes();
        writing.get(20, TimeUnit.SECONDS);
        return received;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void jdkSslSocketTalksToTlsStream(String protocol) throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(tlsEcho(certificate.serverOptions())));
             SSLSocket client = jdkClient(server.port(), protocol)) {
            byte[] line = "hello over TLS\n".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                client.getOutputStream().write(line);
                assertArrayEquals(line, client.getInputStream().readNBytes(line.length));
            }
            assertEquals(protocol, client.getSession().getProtocol());
        }
    }

    @Test
    void tenMebibytesComeBackExactlyOverTls() throws Exception {
        byte[] sent = random(10 << 20, 10);
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(tlsEcho(certificate.serverOptions())));
             SSLSocket client = jdkClient(server.port(), "TLSv1.3")) {
            byte[] received = echoThrough(client, sent);
            assertEquals(sent.length, received.length);
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void tlsStreamClientTalksToJdkSslServerSocket() throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) certificate.serverContext().getServerSocketFactory()
                .createServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
             Loop loop = Net.newLoop()) {
            CompletableFuture<String> jdkServer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket peer = (SSLSocket) listener.accept()) {
                    peer.setSoTimeout(20_000);
                    byte[] got = peer.getInputStream().readAllBytes(); // until our close_notify
                    peer.getOutputStream().write(("got " + got.length + " bytes").getBytes(StandardCharsets.UTF_8));
                    return peer.getSession().getProtocol();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String reply = loop.runTask(() -> {
                try (AsyncSocket socket = AsyncSocket.connect("127.0.0.1", listener.getLocalPort(), Duration.ofSeconds(5))) {
                    TlsStream tls = clientSide(socket, certificate.clientOptions(), "127.0.0.1");
                    tls.handshake(NONE);
                    tls.send(Net.allocator().heapBuffer().writeBytes(random(100_000, 1)), NONE);
                    tls.sendEof(NONE); // half-close: the JDK server reads its end of stream, then answers
                    StringBuilder text = new StringBuilder();
                    for (ByteBuf bytes; (bytes = tls.receiveSome(NONE)) != null; ) {
                        text.append(bytes.toString(StandardCharsets.UTF_8));
                        bytes.release();
                    }
                    tls.close("done");
                    return text.toString();
                }
            });
            assertEquals("got 100000 bytes", reply);
            assertEquals("TLSv1.3", jdkServer.get(20, TimeUnit.SECONDS));
        }
    }

    /** Runs {@code body} with a TCP pair in one loop; the server side does its handshake in its own task. */
    private interface PairBody {
        void run(AsyncSocket client, AsyncSocket server) throws Exception;
    }

    private static void pair(PairBody body) {
        SocketPair.run(body::run);
    }

    /** Two TLS streams over a loopback pair, handshaken. */
    private interface TlsBody {
        void run(TlsStream client, TlsStream server, AsyncSocket rawClient) throws Exception;
    }

    private static void tlsPair(String protocol, TlsBody body) {
        tlsPair(certificate.serverOptions().withProtocols(protocol), certificate.clientOptions().withProtocols(protocol), body);
    }

    private static void tlsPair(TlsOptions serverOptions, TlsOptions clientOptions, TlsBody body) {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, serverOptions);
            TlsStream client = clientSide(rawClient, clientOptions, "127.0.0.1");
            Task<Void> serverHandshake = Boucle.spawn(() -> server.handshake(NONE));
            client.handshake(NONE);
            serverHandshake.await();
            try {
                body.run(client, server, rawClient);
            } finally {
                client.close("test over");
                server.close("test over");
            }
        });
    }

    private static ByteBuf utf8(String text) {
        return ByteBufUtil.writeUtf8(Net.allocator(), text);
    }

    private static String receiveText(TlsStream stream) throws IOException {
        ByteBuf bytes = stream.receiveSome(NONE);
        if (bytes == null) {
            return null;
        }
        try {
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            bytes.release();
        }
    }

    @Test
    void closeNotifyIsTheEndOfTheStreamAndTheOtherDirectionGoesOn() {
        tlsPair("TLSv1.3", (client, server, rawClient) -> {
            client.send(utf8("last words"), NONE);
            client.sendEof(NONE);
            assertEquals("last words", receiveText(server));
            assertNull(server.receiveSome(NONE));
            assertFalse(server.endedWithoutCloseNotify());
            server.send(utf8("an answer after your close_notify"), NONE); // half-close: this direction is open
            assertEquals("an answer after your close_notify", receiveText(client));
            server.sendEof(NONE);
            assertNull(client.receiveSome(NONE));
        });
    }

    @Test
    void anEndOfStreamWithoutCloseNotifyBetweenRecordsIsTheEndButSaysSo() {
        tlsPair("TLSv1.3", (client, server, rawClient) -> {
            client.send(utf8("then the TCP stream ends"), NONE);
            client.awaitQueuedAtMost(0, NONE, "flush");
            rawClient.shutdownOutput(); // a FIN, no close_notify: a peer killed mid-session
            assertEquals("then the TCP stream ends", receiveText(server));
            assertNull(server.receiveSome(NONE));
            assertTrue(server.endedWithoutCloseNotify());
        });
    }

    @Test
    void aTruncatedRecordIsAnSslException() {
        tlsPair("TLSv1.3", (client, server, rawClient) -> {
            rawClient.write(TlsFragments.halfARecord(client.engine(), random(1000, 2))); // then the end of the TCP stream
            rawClient.shutdownOutput();
            SSLException truncated = assertThrows(SSLException.class, () -> server.receiveSome(NONE));
            assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        });
    }

    @Test
    void aSilentPeerFailsTheHandshakeAtItsTimeout() {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions().withHandshakeTimeout(Duration.ofMillis(100)));
            try {
                SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class, () -> server.handshake(NONE));
                assertTrue(timedOut.getMessage().contains("handshake"), timedOut.getMessage());
                assertEquals(0, Loop.current().pendingTimers());
            } finally {
                server.close("test over");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "\u0016\u0003\u0001\u0000\u0005garbage"})
    void aPlaintextOrGarbagePeerFailsTheHandshake(String input) {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions());
            try {
                rawClient.write(input.getBytes(StandardCharsets.ISO_8859_1));
                assertThrows(SSLException.class, () -> server.handshake(NONE));
            } finally {
                server.close("test over");
            }
        });
    }

    @Test
    void aPeerVanishingMidHandshakeFailsIt() {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions());
            try {
                rawClient.write(TlsFragments.halfAClientHello(certificate.clientOptions()));
                rawClient.close(); // half a ClientHello, then gone
                SSLHandshakeException failed = assertThrows(SSLHandshakeException.class, () -> server.handshake(NONE));
                assertTrue(failed.getMessage().contains("during the TLS handshake"), failed.getMessage());
            } finally {
                server.close("test over");
            }
        });
    }

    @Test
    void aClientRefusesACertificateForAnotherName() throws Exception {
        assertHandshakeRefused(certificate.clientOptions(), "example.com");
    }

    @Test
    void aClientRefusesACertificateNobodyVouchesFor() throws Exception {
        assertHandshakeRefused(TlsOptions.client(), "127.0.0.1"); // the JDK's CAs did not sign it
    }

    private static void assertHandshakeRefused(TlsOptions clientOptions, String host) throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(tlsEcho(certificate.serverOptions())));
             Loop loop = Net.newLoop()) {
            Throwable refused = assertThrows(TaskFailedException.class, () -> loop.runTask(() -> {
                try (AsyncSocket socket = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                    TlsStream tls = clientSide(socket, clientOptions, host);
                    try {
                        tls.handshake(NONE);
                    } finally {
                        tls.close("refused");
                    }
                }
            })).getCause();
            assertInstanceOf(SSLHandshakeException.class, refused);
        }
    }

    @Test
    void aPeerThatStopsReadingParksTheWriterAtTheHighWaterMark() {
        tlsPair("TLSv1.3", (client, server, rawClient) -> {
            AsyncSocket dummy = rawClient; // the client never reads from here on
            assertTrue(dummy.isOpen());
            Task<Integer> writing = Boucle.spawn(() -> {
                int sent = 0;
                for (int i = 0; i < 1000; i++) { // 64 MiB at most: far past any socket buffer
                    server.send(Net.allocator().heapBuffer(65_536).writeZero(65_536), NONE);
                    sent += 65_536;
                }
                return sent;
            });
            for (int i = 0; i < 200 && writing.state() != Task.State.PARKED; i++) {
                Boucle.interrupt();
            }
            Boucle.sleep(Duration.ofMillis(50));
            assertEquals(Task.State.PARKED, writing.state(), "the writer waits for the peer");
            assertTrue(server.queuedBytes() > 0 && server.queuedBytes() <= Outbound.DEFAULT_HIGH_WATER + 70_000,
                    "queued " + server.queuedBytes());
            writing.cancel();
        });
    }

    @Test
    void plaintextRightBehindTheClientsLastHandshakeMessageIsKeptForTheFirstRead() {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions());
            TlsStream client = clientSide(rawClient, certificate.clientOptions(), "127.0.0.1");
            try {
                Task<Void> serverHandshake = Boucle.spawn(() -> server.handshake(NONE));
                client.handshake(NONE); // TLS 1.3: the client is done once its Finished is sent
                client.send(utf8("right behind the Finished"), NONE); // often in the same read as the Finished
                client.awaitQueuedAtMost(0, NONE, "flush");
                serverHandshake.await();
                assertEquals("right behind the Finished", receiveText(server));
            } finally {
                client.close("test over");
                server.close("test over");
            }
        });
    }

    @Test
    void delegatedTasksMayRunOnAWorkerThread() {
        tlsPair(certificate.serverOptions().withDelegatedTasksInThread(),
                certificate.clientOptions().withDelegatedTasksInThread(), (client, server, rawClient) -> {
                    client.send(utf8("handshaken with tasks in threads"), NONE);
                    assertEquals("handshaken with tasks in threads", receiveText(server));
                });
    }

    @Test
    void alpnPicksTheServersFirstChoiceAmongTheClientsOffers() {
        tlsPair(certificate.serverOptions().withApplicationProtocols("h2", "http/1.1"),
                certificate.clientOptions().withApplicationProtocols("http/1.1", "spdy/3"), (client, server, rawClient) -> {
                    assertEquals("http/1.1", client.engine().getApplicationProtocol());
                    assertEquals("http/1.1", server.engine().getApplicationProtocol());
                });
    }

    @Test
    void aServerThatNeedsAClientCertificateRefusesAClientWithout() {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions().withClientAuth(TlsOptions.ClientAuth.NEED));
            TlsStream client = clientSide(rawClient, certificate.clientOptions(), "127.0.0.1");
            try {
                Task<Exception> serverHandshake = Boucle.spawn(() -> {
                    try {
                        server.handshake(NONE);
                        return null;
                    } catch (SSLException refused) {
                        return refused;
                    }
                });
                SSLException clientSide = assertThrows(SSLException.class, () -> {
                    client.handshake(NONE);
                    client.receiveSome(NONE); // TLS 1.3: the client learns of the refusal after its Finished
                });
                assertTrue(clientSide.getMessage().contains("certificate_required"), clientSide.getMessage());
                assertInstanceOf(SSLHandshakeException.class, serverHandshake.await());
            } finally {
                client.close("test over");
                server.close("test over");
            }
        });
    }

    @Test
    void writingBeforeTheHandshakeIsAClearError() {
        pair((rawClient, rawServer) -> {
            TlsStream server = serverSide(rawServer, certificate.serverOptions());
            try {
                ByteBuf early = utf8("too early");
                assertThrows(IllegalStateException.class, () -> server.send(early, NONE));
                assertEquals(0, early.refCnt());
            } finally {
                server.close("test over");
            }
        });
    }
}
