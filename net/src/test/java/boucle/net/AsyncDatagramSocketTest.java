package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** UDP on loopback: echo and counting, senders, truncation, timeouts, connected mode, closing. */
class AsyncDatagramSocketTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** Receives datagrams and sends each back to its sender, until the socket is closed. */
    private static void echo(AsyncDatagramSocket socket) throws Exception {
        try {
            for (;;) {
                Datagram datagram = socket.receive();
                socket.send(datagram.content(), datagram.sender());
            }
        } catch (SocketClosedException closed) {
            // the test is over
        }
    }

    private static String text(Datagram datagram) {
        try {
            return datagram.content().toString(StandardCharsets.UTF_8);
        } finally {
            datagram.content().release();
        }
    }

    private static ByteBuf utf8(String text) {
        return ByteBufUtil.writeUtf8(Net.allocator(), text);
    }

    @Test
    void tenThousandDatagramsAreEchoedAndCounted() throws Exception {
        int total = 10_000;
        int window = 32; // in flight at once: far fewer than a loopback receive queue holds, so none is dropped
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket server = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket client = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            BitSet seen = loop.runTask(() -> {
                Task<Void> echoing = Boucle.spawn(() -> echo(server));
                client.setReceiveTimeout(PATIENCE); // a lost datagram fails the test instead of hanging it
                BitSet received = new BitSet(total);
                for (int first = 0; first < total; first += window) {
                    int last = Math.min(first + window, total);
                    for (int i = first; i < last; i++) {
                        ByteBuf data = Net.allocator().directBuffer(8);
                        data.writeInt(i).writeInt(~i);
                        client.send(data, server.localAddress());
                    }
                    for (int i = first; i < last; i++) { // any order: UDP does not promise one
                        Datagram reply = client.receive();
                        try {
                            assertEquals(server.localAddress(), reply.sender());
                            assertEquals(8, reply.length());
                            int n = reply.content().readInt();
                            assertEquals(~n, reply.content().readInt());
                            assertFalse(received.get(n), "datagram " + n + " came back twice");
                            received.set(n);
                        } finally {
                            reply.content().release();
                        }
                    }
                }
                server.close();
                echoing.await();
                return received;
            });
            assertEquals(total, seen.cardinality());
        }
    }

    @Test
    void receiveParksUntilADatagramArrivesAndTellsItsSender() throws Exception {
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0);
             DatagramSocket blocking = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            loop.runTask(() -> {
                Task<Datagram> receiving = Boucle.spawn(receiver::receive);
                Boucle.interrupt();
                assertEquals(Task.State.PARKED, receiving.state());
                byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
                blocking.send(new DatagramPacket(hello, hello.length, receiver.localAddress()));
                Datagram datagram = receiving.await();
                assertEquals(blocking.getLocalSocketAddress(), datagram.sender());
                assertFalse(datagram.truncated());
                assertEquals("hello", text(datagram));
            });
        }
    }

    @Test
    void aDatagramLongerThanTheMaximumIsTruncatedAndSaysSo() throws Exception {
        byte[] big = new byte[1500];
        new Random(1).nextBytes(big);
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket sender = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            receiver.setMaxDatagramSize(1000);
            receiver.setReceiveTimeout(PATIENCE);
            loop.runTask(() -> {
                sender.send(java.util.Arrays.copyOf(big, 1000), receiver.localAddress()); // exactly the max: whole
                sender.send(big, receiver.localAddress());
                sender.send(new byte[0], receiver.localAddress()); // empty: a datagram all the same
                Datagram exact = receiver.receive();
                Datagram cut = receiver.receive();
                Datagram empty = receiver.receive();
                try {
                    assertFalse(exact.truncated());
                    assertEquals(1000, exact.length());
                    assertTrue(cut.truncated());
                    assertEquals(1000, cut.length());
                    assertArrayEquals(java.util.Arrays.copyOf(big, 1000), ByteBufUtil.getBytes(cut.content()));
                    assertFalse(empty.truncated());
                    assertEquals(0, empty.length());
                } finally {
                    exact.content().release();
                    cut.content().release();
                    empty.content().release();
                }
            });
        }
    }

    @Test
    void receiveTimeoutEndsTheCallButNotTheSocket() throws Exception {
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket sender = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                receiver.setReceiveTimeout(Duration.ofMillis(50));
                SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class, receiver::receive);
                assertTrue(timedOut.getMessage().contains("receive a datagram"), timedOut.getMessage());
                assertEquals(0, Loop.current().pendingTimers(), "the timeout's timer is gone");
                receiver.setReceiveTimeout(PATIENCE);
                sender.send(utf8("after the timeout"), receiver.localAddress());
                assertEquals("after the timeout", text(receiver.receive()));
            });
        }
    }

    /** A kernel whose send buffer has no room while {@code full[0]}: sends return 0 and are counted. */
    private static AsyncDatagramSocket.SendCall kernelWithRoomWhile(boolean[] full, int[] attempts) {
        return (channel, source, target) -> {
            attempts[0]++;
            return full[0] ? 0 : channel.send(source, target);
        };
    }

    @Test
    void sendParksWhileTheKernelHasNoRoomAndOtherTasksRun() throws Exception {
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket sender = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            java.util.List<String> events = loop.runTask(() -> {
                java.util.List<String> log = new java.util.ArrayList<>();
                boolean[] full = {true};
                int[] attempts = {0};
                sender.setSendCall(kernelWithRoomWhile(full, attempts));
                receiver.setReceiveTimeout(Duration.ofMillis(200));
                Task<Void> sending = Boucle.spawn(() -> {
                    sender.send(utf8("once there is room"), receiver.localAddress());
                    log.add("sent after " + attempts[0] + " attempts");
                });
                for (int turn = 0; turn < 5; turn++) {
                    Boucle.interrupt();
                    log.add("another task ran");
                }
                assertFalse(sending.isDone(), "the send waits for room");
                assertTrue(attempts[0] >= 2, "retried when the socket was writable: " + attempts[0]);
                assertThrows(SocketTimeoutException.class, receiver::receive, "nothing left while there was no room");
                full[0] = false;
                sending.await();
                receiver.setReceiveTimeout(PATIENCE);
                log.add(text(receiver.receive()));
                receiver.setReceiveTimeout(Duration.ofMillis(50));
                assertThrows(SocketTimeoutException.class, receiver::receive, "sent once, not once per attempt");
                return log;
            });
            assertEquals(java.util.List.of("another task ran", "another task ran", "another task ran", "another task ran",
                    "another task ran"), events.subList(0, 5));
            assertTrue(events.get(5).startsWith("sent after "), events.toString());
            assertEquals("once there is room", events.get(6));
        }
    }

    @Test
    void sendTimeoutEndsASendTheKernelNeverTakesButNotTheSocket() throws Exception {
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket sender = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                boolean[] full = {true};
                sender.setSendCall(kernelWithRoomWhile(full, new int[1]));
                sender.setSendTimeout(Duration.ofMillis(50));
                ByteBuf never = utf8("never sent");
                SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class,
                        () -> sender.send(never, receiver.localAddress()));
                assertTrue(timedOut.getMessage().contains("send a datagram to " + receiver.localAddress()),
                        timedOut.getMessage());
                assertEquals(0, never.refCnt(), "a send that timed out still releases the buffer it took");
                assertEquals(0, Loop.current().pendingTimers(), "the timeout's timer is gone");
                full[0] = false;
                sender.send(utf8("after the timeout"), receiver.localAddress());
                receiver.setReceiveTimeout(PATIENCE);
                assertEquals("after the timeout", text(receiver.receive()));
            });
        }
    }

    /**
     * What the kernel does instead of making a send park over loopback: the sender's datagrams all
     * leave at once, even through the smallest send buffer, and the ones a receiver that does not
     * read has no room for are dropped at its end. Loss, not a parked sender: the caller's concern.
     */
    @Test
    void overLoopbackAReceiverThatDoesNotReadLosesDatagramsAndNeverParksTheSender() throws Exception {
        int total = 2_000;
        try (Loop loop = Net.newLoop();
             AsyncDatagramSocket sender = AsyncDatagramSocket.bind("127.0.0.1", 0);
             AsyncDatagramSocket receiver = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            int received = loop.runTask(() -> {
                sender.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1); // the kernel's smallest
                receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1);
                int[] noRoom = {0};
                sender.setSendCall((channel, source, target) -> { // the real call, counting its "no room" answers
                    int sent = channel.send(source, target);
                    noRoom[0] += sent == 0 ? 1 : 0;
                    return sent;
                });
                for (int i = 0; i < total; i++) {
                    sender.send(new byte[1000], receiver.localAddress());
                }
                assertEquals(0, noRoom[0], "the kernel always had room");
                receiver.setReceiveTimeout(Duration.ofMillis(100));
                int count = 0;
                try {
                    for (;;) {
                        receiver.receive().content().release();
                        count++;
                    }
                } catch (SocketTimeoutException drained) {
                    return count;
                }
            });
            assertTrue(received > 0 && received < total, received + " of " + total + " datagrams kept by the receiver");
        }
    }

    @Test
    void connectedSocketsNeedNoAddresses() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncDatagramSocket server = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                Task<Void> echoing = Boucle.spawn(() -> echo(server));
                try (AsyncDatagramSocket client = AsyncDatagramSocket.connect(server.localAddress())) {
                    client.setReceiveTimeout(PATIENCE);
                    assertEquals(server.localAddress(), client.remoteAddress());
                    client.send(utf8("ping"));
                    Datagram reply = client.receive();
                    assertEquals(server.localAddress(), reply.sender());
                    assertEquals("ping", text(reply));
                    ByteBuf elsewhere = utf8("not to the peer");
                    assertThrows(java.nio.channels.AlreadyConnectedException.class,
                            () -> client.send(elsewhere, new InetSocketAddress("127.0.0.1", 9)));
                    assertEquals(0, elsewhere.refCnt(), "a refused send still releases the buffer it took");
                }
                server.close();
                echoing.await();
            });
        }
    }

    @Test
    void aConnectedSocketLearnsThatNobodyListens() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            nobody = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        try (Loop loop = Net.newLoop(); AsyncDatagramSocket client = AsyncDatagramSocket.connect(nobody)) {
            client.setReceiveTimeout(PATIENCE);
            Throwable unreachable = assertThrows(TaskFailedException.class, () -> loop.runTask(() -> {
                client.send(utf8("anyone?"));
                return client.receive(); // the kernel's ICMP "port unreachable" ends it
            })).getCause();
            assertInstanceOf(PortUnreachableException.class, unreachable);
        }
    }

    @Test
    void closeWakesTheReceivingTaskWithAClosedError() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncDatagramSocket socket = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                Task<Datagram> receiving = Boucle.spawn(socket::receive);
                Boucle.interrupt();
                socket.close("the test is over");
                Throwable closed = assertThrows(TaskFailedException.class, receiving::await).getCause();
                assertInstanceOf(SocketClosedException.class, closed);
                assertTrue(closed.getMessage().contains("the test is over"), closed.getMessage());
                ByteBuf late = utf8("too late");
                assertThrows(SocketClosedException.class, () -> socket.send(late, socket.localAddress()));
                assertEquals(0, late.refCnt());
            });
        }
    }

    @Test
    void twoTasksReceivingAtOnceIsAClearError() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncDatagramSocket socket = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            loop.runTask(() -> {
                Task<Datagram> first = Boucle.spawn(socket::receive);
                Boucle.interrupt();
                IllegalStateException second = assertThrows(IllegalStateException.class, socket::receive);
                assertTrue(second.getMessage().contains("one task per direction"), second.getMessage());
                socket.close();
                assertThrows(TaskFailedException.class, first::await);
            });
        }
    }

    @Test
    void callsFromAnotherThreadAreRefusedBeforeAnyChange() throws Exception {
        try (AsyncDatagramSocket socket = AsyncDatagramSocket.bind("127.0.0.1", 0);
             DatagramSocket blocking = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            java.util.concurrent.CompletableFuture<String> received = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CountDownLatch parked = new java.util.concurrent.CountDownLatch(1);
            Thread loopThread = new Thread(() -> {
                try (Loop loop = Net.newLoop()) {
                    loop.runTask(() -> {
                        Task<Datagram> receiving = Boucle.spawn(socket::receive);
                        Boucle.interrupt();
                        parked.countDown();
                        received.complete(text(receiving.await()));
                    });
                } catch (RuntimeException e) {
                    received.completeExceptionally(e);
                }
            });
            loopThread.start();
            assertTrue(parked.await(10, java.util.concurrent.TimeUnit.SECONDS));
            ByteBuf refusedData = utf8("from the wrong thread");
            assertThrows(IllegalStateException.class, () -> socket.send(refusedData, socket.localAddress()));
            assertEquals(1, refusedData.refCnt(), "refused before taking the buffer over");
            refusedData.release();
            IllegalStateException refused = assertThrows(IllegalStateException.class, socket::close);
            assertTrue(refused.getMessage().contains("callSoonThreadsafe"), refused.getMessage());
            assertThrows(IllegalStateException.class, () -> socket.setReceiveTimeout(Duration.ofSeconds(1)));
            byte[] hello = "still receiving".getBytes(StandardCharsets.UTF_8);
            blocking.send(new DatagramPacket(hello, hello.length, socket.localAddress()));
            assertEquals("still receiving", received.get(10, java.util.concurrent.TimeUnit.SECONDS));
            loopThread.join(10_000);
        }
    }

    @Test
    void receivingOutsideATaskIsRefused() throws Exception {
        try (AsyncDatagramSocket socket = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
            assertThrows(IllegalStateException.class, socket::receive);
            assertTrue(socket.isOpen());
        }
    }
}
