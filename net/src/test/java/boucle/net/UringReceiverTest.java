package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.net.uring.IoUring;
import boucle.net.uring.NativeSockets;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Receiving on the ring with a multishot receive and the loop's provided buffers, from a real peer. */
class UringReceiverTest {
    private final List<String> events = new ArrayList<>();

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.probe().available(), () -> IoUring.probe().toString());
    }

    /** Runs {@code body} on a ring loop with a connected pair: a JDK client socket and the accepted descriptor. */
    private static void withConnection(int buffers, ConnectionBody body) throws Exception {
        withConnection(new UringEventSource(buffers, 2048), body);
    }

    private static void withConnection(UringEventSource source, ConnectionBody body) throws Exception {
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source); Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            loop.runTask(() -> {
                int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                assertTrue(fd >= 0);
                UringReceiver receiver = new UringReceiver(source, fd);
                try {
                    body.run(source, receiver, client);
                } finally {
                    receiver.close();
                    NativeSockets.close(fd);
                }
            });
            assertEquals(0, source.buffers().held(), "every provided buffer went back");
        } finally {
            NativeSockets.close(listener);
        }
    }

    @FunctionalInterface
    interface ConnectionBody {
        void run(UringEventSource source, UringReceiver receiver, Socket client) throws Exception;
    }

    private static void sendFromAnotherThread(Socket client, byte[] bytes) throws Exception {
        Boucle.runInThread(() -> {
            OutputStream out = client.getOutputStream();
            out.write(bytes);
            out.flush();
            return null;
        });
    }

    private static byte[] bytesOf(ByteBuf data) {
        try {
            byte[] bytes = new byte[data.readableBytes()];
            data.readBytes(bytes);
            return bytes;
        } finally {
            data.release();
        }
    }

    @Test
    void aMegabyteArrivesIntactAndInOrder() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        withConnection(64, (source, receiver, client) -> {
            Boucle.spawn(() -> {
                sendFromAnotherThread(client, sent);
                Boucle.runInThread(() -> {
                    client.shutdownOutput();
                    return null;
                });
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (ByteBuf data; (data = receiver.readSome(Registration.NO_DEADLINE)) != null; ) {
                received.writeBytes(bytesOf(data));
            }
            assertArrayEquals(sent, received.toByteArray());
            assertNull(receiver.readSome(Registration.NO_DEADLINE), "the end of the stream stays the end");
        });
    }

    @Test
    void anIdleReceiverIsArmedAndHoldsNoBuffer() throws Exception {
        withConnection(8, (source, receiver, client) -> {
            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 10_000_000L));
            events.add("armed " + receiver.isArmed() + ", queued " + receiver.queued() + ", held "
                    + source.buffers().held() + ", consumed " + source.buffers().kernelConsumed());

            sendFromAnotherThread(client, "hi".getBytes());
            assertArrayEquals("hi".getBytes(), bytesOf(receiver.readSome(Registration.NO_DEADLINE)),
                    "the receiver is usable after a timeout");
            events.add("held after the read " + source.buffers().held());
        });
        assertEquals(List.of("armed true, queued 0, held 0, consumed 0", "held after the read 0"), events);
    }

    @Test
    void aReaderThatStopsReadingStopsTakingBuffers() throws Exception {
        byte[] sent = new byte[256 * 1024];
        new Random(8).nextBytes(sent);
        withConnection(64, (source, receiver, client) -> {
            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 1_000_000L));
            sendFromAnotherThread(client, sent); // fits the kernel's socket buffers: the sender does not block
            while (receiver.isArmed()) {
                Boucle.sleep(Duration.ofMillis(1)); // polls: arrivals queue up until the receiver cancels itself
            }
            int queued = receiver.queued();
            assertTrue(queued >= UringReceiver.MAX_QUEUED, "queued " + queued);
            assertEquals(queued, source.buffers().held(), "only what is queued is held");
            Boucle.sleep(Duration.ofMillis(5));
            assertEquals(queued, source.buffers().held(), "a receiver nobody reads takes no more buffers");

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (received.size() < sent.length) {
                received.writeBytes(bytesOf(receiver.readSome(Registration.NO_DEADLINE)));
            }
            assertArrayEquals(sent, received.toByteArray(), "nothing lost while the receive was cancelled");
        });
    }

    @Test
    void aReadTakesTheQueuedArrivalsInOneBufferUpToTheReadLimit() throws Exception {
        byte[] sent = new byte[256 * 1024];
        new Random(11).nextBytes(sent);
        withConnection(64, (source, receiver, client) -> {
            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 1_000_000L));
            sendFromAnotherThread(client, sent);
            while (receiver.isArmed()) {
                Boucle.sleep(Duration.ofMillis(1)); // arrivals queue up until the receiver cancels itself
            }
            int queued = receiver.queued();
            ByteBuf first = receiver.readSome(Registration.NO_DEADLINE);
            int size = first.readableBytes();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.writeBytes(bytesOf(first));
            events.add("more than one arrival " + (size > 2048) + ", within the limit " + (size <= 64 * 1024)
                    + ", queue shrank by more than one " + (receiver.queued() < queued - 1));
            while (received.size() < sent.length) {
                received.writeBytes(bytesOf(receiver.readSome(Registration.NO_DEADLINE)));
            }
            assertArrayEquals(sent, received.toByteArray());
        });
        assertEquals(List.of("more than one arrival true, within the limit true, queue shrank by more than one true"),
                events);
    }

    @Test
    void whenAnotherSocketHoldsAllTheLoopsBuffersAReaderStillGetsItsBytes() throws Exception {
        byte[] burst = new byte[16 * 1024];
        byte[] sent = new byte[64 * 1024];
        new Random(9).nextBytes(sent);
        UringEventSource source = new UringEventSource(2, 2048); // 2 buffers for the whole loop
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source);
                Socket hog = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            loop.runTask(() -> {
                int hogFd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                UringReceiver hogging = new UringReceiver(source, hogFd);
                UringReceiver receiver = new UringReceiver(source, fd);
                try {
                    assertThrows(SocketTimeoutException.class,
                            () -> hogging.readSome(Loop.current().now() + 1_000_000L));
                    sendFromAnotherThread(hog, burst);
                    while (hogging.isArmed()) {
                        Boucle.sleep(Duration.ofMillis(1));
                    }
                    assertEquals(2, source.buffers().held(), "the unread socket holds the whole pool");

                    sendFromAnotherThread(client, sent);
                    ByteArrayOutputStream received = new ByteArrayOutputStream();
                    while (received.size() < sent.length) {
                        received.writeBytes(bytesOf(receiver.readSome(Registration.NO_DEADLINE)));
                    }
                    assertArrayEquals(sent, received.toByteArray());
                    assertTrue(receiver.fallbacks() > 0, "the reader received into buffers of its own");
                } finally {
                    hogging.close();
                    receiver.close();
                    NativeSockets.close(hogFd);
                    NativeSockets.close(fd);
                }
            });
            assertEquals(0, source.buffers().held(), "every provided buffer went back");
        } finally {
            NativeSockets.close(listener);
        }
    }

    @Test
    void manyConnectionsWithMoreInFlightThanThePoolGrowItAndStayOnMultishotReceives() throws Exception {
        int connections = 32;
        byte[] sent = new byte[4096]; // two buffers each: 64 in flight against a pool of 4 at first
        new Random(10).nextBytes(sent);
        UringEventSource source = new UringEventSource(4, 256, 2048);
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections);
        int port = NativeSockets.localAddress(listener).getPort();
        List<Socket> clients = new ArrayList<>();
        try (Loop loop = new Loop(source)) {
            for (int i = 0; i < connections; i++) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            loop.runTask(() -> {
                List<UringReceiver> receivers = new ArrayList<>();
                List<Integer> fds = new ArrayList<>();
                try {
                    for (int i = 0; i < connections; i++) {
                        int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false,
                                ud), Registration.NO_DEADLINE, "accept"));
                        assertTrue(fd >= 0);
                        fds.add(fd);
                        UringReceiver receiver = new UringReceiver(source, fd);
                        receivers.add(receiver);
                        assertThrows(SocketTimeoutException.class,
                                () -> receiver.readSome(Loop.current().now() + 1_000_000L)); // armed, no reader
                    }
                    Boucle.runInThread(() -> { // every connection's bytes in flight before anyone reads
                        for (Socket client : clients) {
                            client.getOutputStream().write(sent);
                            client.getOutputStream().flush();
                        }
                        return null;
                    });
                    for (UringReceiver receiver : receivers) {
                        ByteArrayOutputStream received = new ByteArrayOutputStream();
                        while (received.size() < sent.length) {
                            received.writeBytes(bytesOf(receiver.readSome(Registration.NO_DEADLINE)));
                        }
                        assertArrayEquals(sent, received.toByteArray());
                    }
                    int fallbacks = 0;
                    for (UringReceiver receiver : receivers) {
                        assertThrows(SocketTimeoutException.class,
                                () -> receiver.readSome(Loop.current().now() + 1_000_000L));
                        assertTrue(receiver.isArmed(), "after the burst the next wait is a multishot receive again");
                        fallbacks += receiver.fallbacks();
                    }
                    events.add("fallbacks " + fallbacks + ", pool grew " + (source.buffers().entries() > 4)
                            + ", within " + (source.buffers().entries() <= 256));
                } finally {
                    receivers.forEach(UringReceiver::close);
                    fds.forEach(NativeSockets::close);
                }
            });
            assertEquals(0, source.buffers().held(), "every provided buffer went back");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            NativeSockets.close(listener);
        }
        assertEquals(List.of("fallbacks 0, pool grew true, within true"), events,
                "no read fell back to a receive of its own");
    }

    @Test
    void aReaderWhoseDataIsAlwaysThereYieldsToOthersOncePerBudget() throws Exception {
        byte[] sent = new byte[64 * 1024];
        withConnection(new UringEventSource(64, 64, 2048, 2048), (source, receiver, client) -> { // a read per arrival
            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 1_000_000L));
            sendFromAnotherThread(client, sent);
            while (receiver.queued() < 20 && receiver.isArmed()) {
                Boucle.sleep(Duration.ofMillis(1)); // let arrivals queue up
            }
            int queued = receiver.queued();
            assertTrue(queued > SelectorEventSource.UNITS_PER_STEP, "queued " + queued);
            long before = source.budget().yields();
            List<String> order = new ArrayList<>();
            Boucle.spawn(() -> order.add("other"));
            for (int i = 0; i < SelectorEventSource.UNITS_PER_STEP + 1; i++) {
                ByteBuf data = receiver.readSome(Registration.NO_DEADLINE);
                data.release();
                order.add("read");
            }
            assertEquals(1, source.budget().yields() - before, "one yield past the budget");
            assertEquals("other", order.get(SelectorEventSource.UNITS_PER_STEP), "the other task ran at the yield: "
                    + order);
            while (receiver.queued() > 0) {
                receiver.readSome(Registration.NO_DEADLINE).release();
            }
        });
    }

    @Test
    void closingWakesTheReaderAndGivesBackWhatIsQueued() throws Exception {
        withConnection(8, (source, receiver, client) -> {
            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 1_000_000L));
            sendFromAnotherThread(client, "queued".getBytes());
            while (receiver.queued() == 0) {
                Boucle.sleep(Duration.ofMillis(1));
            }
            Boucle.spawn(() -> {
                events.add("closing");
                receiver.close();
            });
            assertThrows(SocketClosedException.class, () -> {
                while (true) {
                    ByteBuf data = receiver.readSome(Registration.NO_DEADLINE);
                    events.add("read " + data.readableBytes());
                    data.release();
                }
            });
            events.add("held " + source.buffers().held());
        });
        assertEquals(List.of("read 6", "closing", "held 0"), events);
    }

    @Test
    void aStreamingPeerIsReadStraightFromTheSocketAndItsIdleWaitHoldsNoBuffer() throws Exception {
        byte[] sent = new byte[4 << 20];
        new Random(12).nextBytes(sent);
        withConnection(64, (source, receiver, client) -> {
            Boucle.spawn(() -> sendFromAnotherThread(client, sent));
            assertArrayEquals(sent, readBytes(receiver, sent.length), "nothing lost or reordered across the switch");
            events.add("streaming " + receiver.isStreaming() + ", read straight " + (receiver.directReads() > 0));

            assertThrows(SocketTimeoutException.class, () -> receiver.readSome(Loop.current().now() + 10_000_000L));
            events.add("waiting: armed " + receiver.isArmed() + ", held " + source.buffers().held());

            byte[] more = new byte[100_000];
            new Random(13).nextBytes(more);
            sendFromAnotherThread(client, more);
            assertArrayEquals(more, readBytes(receiver, more.length), "the receiver is usable after a timeout while streaming");
        });
        assertEquals(List.of("streaming true, read straight true", "waiting: armed true, held 0"), events);
    }

    /** A peer streams a mebibyte and the receiver reads it all: the receiver is then streaming. */
    private static void streamAMebibyte(Socket client, UringReceiver receiver) throws Exception {
        byte[] stream = new byte[1 << 20];
        Boucle.spawn(() -> sendFromAnotherThread(client, stream));
        readBytes(receiver, stream.length);
    }

    private static byte[] readBytes(UringReceiver receiver, int count) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (received.size() < count) {
            received.writeBytes(bytesOf(receiver.readSome(Registration.NO_DEADLINE)));
        }
        return received.toByteArray();
    }

    @Test
    void smallMessagesAfterAStreamGoBackToProvidedBuffers() throws Exception {
        withConnection(64, (source, receiver, client) -> {
            streamAMebibyte(client, receiver);
            events.add("streaming " + receiver.isStreaming());
            int arms = receiver.arms();
            for (int i = 0; i < 20; i++) {
                byte[] line = ("line " + i + "\n").getBytes();
                sendFromAnotherThread(client, line);
                assertArrayEquals(line, readBytes(receiver, line.length));
            }
            events.add("streaming " + receiver.isStreaming() + ", multishot armed again " + (receiver.arms() > arms));
        });
        assertEquals(List.of("streaming true", "streaming false, multishot armed again true"), events);
    }

    @Test
    void closingAStreamingReceiverWakesItsReaderAndCancelsItsPoll() throws Exception {
        withConnection(64, (source, receiver, client) -> {
            streamAMebibyte(client, receiver);
            Boucle.spawn(() -> {
                Boucle.sleep(Duration.ofMillis(5));
                events.add("closing, armed " + receiver.isArmed());
                receiver.close();
            });
            assertThrows(SocketClosedException.class, () -> receiver.readSome(Registration.NO_DEADLINE));
            Boucle.sleep(Duration.ofMillis(5));
            events.add("armed " + receiver.isArmed() + ", held " + source.buffers().held());
        });
        assertEquals(List.of("closing, armed true", "armed false, held 0"), events);
    }
}
