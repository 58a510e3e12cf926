package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.IoUring;
import io.netty.buffer.ByteBuf;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UringStream}: an {@link AsyncSocket} whose transport the ring drives, on an io_uring
 * loop whichever backend the suite runs on.
 */
class UringStreamTest {

    @BeforeEach
    void ioUringHere() {
        assumeTrue(IoUring.probe().available() && ChannelDescriptor.isReadable(), IoUring.probe().reason());
    }

    private static UringEventSource ring() {
        return (UringEventSource) Net.source(Loop.current());
    }

    @Test
    void tcpSocketsOnARingLoopAreDrivenByTheRing() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            assertInstanceOf(UringStream.class, client.transport(), "connected on the ring");
            assertInstanceOf(UringStream.class, server.transport(), "accepted on the ring");
            assertEquals(client.localAddress(), server.remoteAddress());
            assertEquals(client.remoteAddress(), server.localAddress());
        });
    }

    @Test
    void anIdleConnectionHoldsNoBufferAndAnArrivalHoldsOneOnlyUntilRead() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            List<String> events = new ArrayList<>();
            Task<String> reader = Loop.current().spawn(() -> server.readLine(100));
            Boucle.interrupt(); // the reader parks, its multishot receive armed
            Boucle.interrupt();
            events.add("held while idle: " + ring().buffers().held());
            client.write("hello\n");
            events.add("read: " + reader.await());
            events.add("held after the read: " + ring().buffers().held());
            assertEquals(List.of("held while idle: 0", "read: hello", "held after the read: 0"), events);
        });
    }

    @Test
    void aLoopClosedWithARingSocketStillOpenClosesItsDescriptor() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress())) {
            java.net.Socket peer;
            try (Loop loop = Net.newLoop(Backend.IO_URING)) {
                AsyncSocket left = loop.runTask(() -> AsyncSocket.connect("127.0.0.1", listener.getLocalPort(),
                        Duration.ofSeconds(5)));
                assertInstanceOf(UringStream.class, left.transport(), "connected on the ring");
                peer = listener.accept();
            } // closed without closing the socket first
            try (java.net.Socket accepted = peer) {
                accepted.setSoTimeout(5_000); // a descriptor left open would leave this read waiting, then failing
                assertEquals(-1, accepted.getInputStream().read(), "the peer reads the end of the stream");
            }
        }
    }

    @Test
    void closingWhileAReceiveIsInFlightLeaksNoBufferNorCompletion() throws Exception {
        try (Loop loop = Net.newLoop(Backend.IO_URING)) {
            loop.runTask(() -> {
                try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8)) {
                    Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                    AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5));
                    AsyncSocket server = accepting.await();
                    Task<String> reader = loop.spawn(() -> server.readLine(100));
                    Boucle.interrupt();
                    Boucle.interrupt();
                    server.close("closed by the test");
                    Throwable failed = assertThrows(boucle.core.TaskFailedException.class, reader::await).getCause();
                    assertInstanceOf(SocketClosedException.class, failed);
                    assertTrue(failed.getMessage().contains("closed by the test"), failed.getMessage());
                    assertNull(client.readLine(100), "the peer reads the end of the stream");
                    client.close();
                    for (int i = 0; i < 100 && ring().buffers().held() + ring().orphans() > 0; i++) {
                        Boucle.sleep(Duration.ofMillis(1)); // each turn polls the ring: the cancel's completion comes
                    }
                    assertEquals(0, ring().buffers().held(), "no provided buffer kept");
                    assertEquals(0, ring().orphans(), "no completion left waiting");
                }
                return null;
            });
        }
    }

    @Test
    void halfCloseEndsThePeersStreamAndThisSideStillReceives() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            client.write("last words\n");
            client.shutdownOutput();
            assertEquals("last words", server.readLine(100));
            assertNull(server.readLine(100));
            server.write("still heard\n");
            assertEquals("still heard", client.readLine(100));
            assertThrows(java.io.IOException.class, () -> client.write("after the end\n"));
        });
    }

    @Test
    void aReadIntoASmallBufferKeepsTheRestForTheNextRead() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            client.write("abcdefgh");
            client.flush();
            ByteBuf small = Net.allocator().directBuffer(3);
            try {
                StringBuilder got = new StringBuilder();
                while (got.length() < 8) {
                    small.clear();
                    int n = server.read(small);
                    assertTrue(n > 0 && n <= 3, "at most the buffer's room: " + n);
                    got.append(small.toString(StandardCharsets.US_ASCII));
                }
                assertEquals("abcdefgh", got.toString());
            } finally {
                small.release();
            }
        });
    }

    @Test
    void aReadTimeoutEndsTheCallNotTheSocket() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            server.setReadTimeout(Duration.ofMillis(20));
            assertThrows(SocketTimeoutException.class, () -> server.readLine(100));
            client.write("after the timeout\n");
            assertEquals("after the timeout", server.readLine(100));
        });
    }

    @Test
    void aWriterParksPastTheHighWaterMarkUntilThePeerReads() {
        SocketPair.run(Backend.IO_URING, (client, server) -> {
            server.setWriteBufferWaterMarks(16 * 1024, 64 * 1024);
            List<String> events = new ArrayList<>();
            byte[] chunk = new byte[64 * 1024];
            Task<Void> writer = Loop.current().spawn(() -> {
                for (int i = 0; i < 256; i++) { // 16 MiB: more than the kernel buffers on loopback
                    server.write(chunk);
                }
                server.flush();
                events.add("writer done");
            });
            for (int i = 0; i < 50; i++) {
                Boucle.interrupt();
            }
            events.add("pending while nobody reads: " + (server.pendingWriteBytes() > 0));
            long total = 0;
            while (total < 256L * chunk.length) {
                ByteBuf data = client.read();
                total += data.readableBytes();
                data.release();
            }
            writer.await();
            assertEquals(List.of("pending while nobody reads: true", "writer done"), events);
        });
    }
}
