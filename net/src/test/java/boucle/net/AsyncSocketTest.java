package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void closeIsIdempotentAndEndsThePeersStream() {
        SocketPair.run((client, server) -> {
            server.close();
            server.close();
            assertEquals(null, client.read());
            assertTrue(!server.isOpen());
        });
    }
}
