package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.core.TaskFailedException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connecting, addresses, timeouts, closing. */
class AsyncSocketTest {

    @Test
    void connectedEndsSeeEachOthersAddresses() {
        SocketPair.run((client, server) -> {
            assertEquals(client.localAddress(), server.remoteAddress());
            assertEquals(client.remoteAddress(), server.localAddress());
            assertTrue(client.toString().contains(String.valueOf(((java.net.InetSocketAddress) server.localAddress()).getPort())));
        });
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (Loop loop = Net.newLoop()) {
            Throwable refused = assertThrows(TaskFailedException.class,
                    () -> loop.runTask(() -> AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(5)))).getCause();
            assertInstanceOf(ConnectException.class, refused);
            assertEquals(0, loop.tasks().size());
        }
    }

    @Test
    void connectGivesUpAfterItsTimeout() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncServerSocket full = AsyncServerSocket.bind("127.0.0.1", 0, 1)) {
            Throwable failure = assertThrows(TaskFailedException.class, () -> loop.runTask(() -> {
                // nobody accepts: once the kernel's accept queue is full, it drops new handshakes
                for (int i = 0; i < 20; i++) {
                    AsyncSocket.connect("127.0.0.1", full.port(), Duration.ofMillis(200));
                }
            })).getCause();
            assertInstanceOf(SocketTimeoutException.class, failure);
            assertTrue(failure.getMessage().contains("connect to"), failure.getMessage());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void readTimeoutEndsTheCallButNotTheSocket() {
        SocketPair.run((client, server) -> {
            server.setReadTimeout(Duration.ofMillis(50));
            SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class, () -> server.readLine(100));
            assertTrue(timedOut.getMessage().contains("read"), timedOut.getMessage());
            assertEquals(0, Loop.current().pendingTimers(), "the timeout's timer is gone");
            client.write("after the timeout\n");
            assertEquals("after the timeout", server.readLine(100));
        });
    }

    @Test
    void writeTimeoutEndsAWriteThePeerNeverReads() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(1024, 4096);
            server.setWriteTimeout(Duration.ofMillis(50));
            byte[] chunk = new byte[64 * 1024];
            assertThrows(SocketTimeoutException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    server.write(chunk);
                }
            });
        });
    }

    @Test
    void unixDomainSocketsTakeTheSamePathAsTcp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory)
            throws Exception {
        java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(directory.resolve("s.sock"));
        try (Loop loop = Net.newLoop(); AsyncServerSocket listener = AsyncServerSocket.bind(address, 8)) {
            assertEquals(-1, listener.port());
            loop.runTask(() -> {
                boucle.core.Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                try (AsyncSocket client = AsyncSocket.connect(address, Duration.ofSeconds(5));
                     AsyncSocket server = accepting.await()) {
                    assertEquals(address, client.remoteAddress());
                    assertEquals(address, server.localAddress());
                    assertTrue(client.toString().contains("unix:" + address.getPath()), client.toString());
                    client.write("over a Unix socket\n");
                    assertEquals("over a Unix socket", server.readLine(100));
                    byte[] big = new byte[1 << 20];
                    new java.util.Random(7).nextBytes(big);
                    boucle.core.Task<Void> writing = loop.spawn(() -> {
                        server.write(big);
                        server.shutdownOutput();
                    });
                    io.netty.buffer.ByteBuf back = client.readExactly(big.length);
                    try {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(big, io.netty.buffer.ByteBufUtil.getBytes(back));
                    } finally {
                        back.release();
                    }
                    assertEquals(null, client.read());
                    writing.await();
                }
            });
        }
    }

    @Test
    void framingWorksTheSameOverTls() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (Loop loop = Net.newLoop(); AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8)) {
            loop.runTask(() -> {
                boucle.core.Task<Void> serving = loop.spawn(() -> {
                    try (AsyncSocket server = listener.accept()) {
                        server.startTls(certificate.serverOptions().withApplicationProtocols("boucle/1"), null);
                        server.write(server.readLine(100).toUpperCase() + "\n");
                        io.netty.buffer.ByteBuf four = server.readExactly(4);
                        server.write(four);
                        byte[] small = new byte[3]; // read(ByteBuf) with less room than a record holds
                        io.netty.buffer.ByteBuf into = Net.allocator().heapBuffer(3, 3);
                        StringBuilder pieces = new StringBuilder();
                        for (int n; (n = server.read(into.clear())) > 0; ) {
                            into.readBytes(small, 0, n);
                            pieces.append(new String(small, 0, n, java.nio.charset.StandardCharsets.UTF_8)).append('|');
                        }
                        into.release();
                        server.write(pieces + "\n");
                        server.flush();
                    }
                });
                try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5),
                        certificate.clientOptions().withApplicationProtocols("boucle/1"))) {
                    assertTrue(client.isTls());
                    assertEquals("boucle/1", client.applicationProtocol());
                    assertEquals("TLSv1.3", client.tlsSession().getProtocol());
                    client.write("hello\nabcd");
                    assertEquals("HELLO", client.readLine(100));
                    io.netty.buffer.ByteBuf echoed = client.readExactly(4);
                    assertEquals("abcd", echoed.toString(java.nio.charset.StandardCharsets.UTF_8));
                    echoed.release();
                    client.write("0123456");
                    client.shutdownOutput(); // close_notify: the server's read ends, its answer still comes
                    assertEquals("012|345|6|", client.readLine(100));
                    assertEquals(null, client.readLine(100));
                }
                serving.await();
            });
        }
    }

    @Test
    void aTlsClientRefusesAServerItDoesNotTrust() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (Loop loop = Net.newLoop(); AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8)) {
            Throwable refused = assertThrows(TaskFailedException.class, () -> loop.runTask(() -> {
                loop.spawn(() -> {
                    try (AsyncSocket server = listener.accept()) {
                        server.startTls(certificate.serverOptions(), null);
                    } catch (java.io.IOException expected) {
                        // the client's alert: certificate_unknown
                    }
                });
                return AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5), TlsOptions.client());
            })).getCause();
            assertInstanceOf(javax.net.ssl.SSLHandshakeException.class, refused);
            assertEquals(0, loop.tasks().size());
        }
    }

    @Test
    void aTlsClientChecksTheHostNameByDefaultAndRefusesACertificateForAnotherName() throws Exception {
        SelfSignedCertificate elsewhere = SelfSignedCertificate.create("example.com", java.util.List.of("dns:example.com"));
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            connection.write(connection.readLine(100) + "\n");
        }).tls(elsewhere.serverOptions()));
             Loop loop = Net.newLoop()) {
            // trusted, but it names example.com and the client asked for 127.0.0.1
            Throwable refused = assertThrows(TaskFailedException.class, () -> loop.runTask(
                    () -> AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5), elsewhere.clientOptions())))
                    .getCause();
            assertInstanceOf(javax.net.ssl.SSLHandshakeException.class, refused);
            assertTrue(refused.getMessage().contains("127.0.0.1"), refused.getMessage());
            String reply = loop.runTask(() -> { // the same certificate, once the check is turned off by name
                try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5),
                        elsewhere.clientOptions().withoutHostnameVerification())) {
                    client.write("the name was not checked\n");
                    return client.readLine(100);
                }
            });
            assertEquals("the name was not checked", reply);
        }
    }

    @Test
    void closeOverTlsSendsCloseNotifyBeforeTheEndOfTheStream() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            connection.write("bye\n");
            connection.close(); // no flush, no shutdownOutput: close alone says goodbye properly
        }).tls(certificate.serverOptions()));
             Loop loop = Net.newLoop()) {
            boolean withoutCloseNotify = loop.runTask(() -> {
                try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5),
                        certificate.clientOptions())) {
                    client.setReadTimeout(Duration.ofSeconds(10));
                    assertEquals("bye", client.readLine(100));
                    assertEquals(null, client.readLine(100));
                    return ((TlsStream) client.stream()).endedWithoutCloseNotify();
                }
            });
            assertFalse(withoutCloseNotify, "the stream ended with close_notify, not a bare FIN");
        }
    }

    @Test
    void closeIsIdempotentAndEndsThePeersStream() {
        SocketPair.run((client, server) -> {
            server.close();
            server.close();
            assertEquals(null, client.read());
            assertTrue(!server.isOpen());
        });
    }
}
