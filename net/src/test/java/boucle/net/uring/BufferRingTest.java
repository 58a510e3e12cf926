package boucle.net.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.net.uring.Loopback.Completion;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Receives into provided buffers on a real loopback connection: the kernel picks, we give back. */
class BufferRingTest {
    private static final int GROUP = 3;
    private IoUring ring;
    private int listener;
    private int server = -1;
    private Socket client;

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.probe().available(), () -> IoUring.probe().toString());
    }

    @BeforeEach
    void connect() throws IOException {
        ring = IoUring.open(64);
        listener = Loopback.listen();
        client = TestSockets.connect(Loopback.port(listener));
        ring.accept(listener, Libc.SOCK_CLOEXEC, false, 1);
        server = Loopback.awaitOne(ring).result();
        assertTrue(server >= 0, () -> Errno.describe(server));
    }

    @AfterEach
    void closeAll() throws IOException {
        client.close();
        ring.close();
        Libc.close(server);
        Libc.close(listener);
    }

    private String text(BufferRing buffers, int bid, int length) {
        return new String(buffers.buffer(bid).asSlice(0, length).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }

    /** Reads the next receive completion, takes its buffer and returns the text in it. */
    private String receiveInto(BufferRing buffers, List<Integer> taken) {
        Completion c = Loopback.awaitOne(ring);
        assertTrue(c.result() > 0, () -> "a receive with data: " + c + " " + Errno.describe(c.result()));
        int bid = buffers.take(c.flags());
        assertTrue(bid >= 0, () -> "the completion names a buffer: " + c);
        taken.add(bid);
        return text(buffers, bid, c.result());
    }

    @Test
    void aWaitingReceiveHoldsNoBufferUntilDataArrives() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 4, 64)) {
            ring.recv(server, buffers, false, 10);
            assertEquals(1, ring.submit());
            assertEquals(List.of(), Loopback.drainWithBarrier(ring, 99));
            assertEquals(0, buffers.kernelConsumed(), "a parked receive took no buffer");
            assertEquals(0, buffers.held());

            TestSockets.send(client, "ping");
            List<Integer> taken = new ArrayList<>();
            assertEquals("ping", receiveInto(buffers, taken));
            assertEquals(1, buffers.held());
            assertEquals(1, buffers.kernelConsumed());

            buffers.recycle(taken.getFirst());
            assertEquals(0, buffers.held());
            assertEquals(4 + 1, buffers.published(), "four at registration, one given back");
        }
    }

    @Test
    void oneMultishotReceiveTakesOneBufferPerArrivalUntilTheEndOfTheStream() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 4, 64)) {
            ring.recv(server, buffers, true, 11);
            List<Integer> taken = new ArrayList<>();
            for (String message : List.of("one", "two", "three")) {
                TestSockets.send(client, message);
                assertEquals(message, receiveInto(buffers, taken));
            }
            assertEquals(3, taken.stream().distinct().count(), "each arrival in its own buffer: " + taken);
            taken.forEach(buffers::recycle);

            client.shutdownOutput();
            Completion end = Loopback.awaitOne(ring);
            assertEquals(0, end.result(), "end of stream");
            assertFalse(end.more(), "the multishot receive ended");
            assertEquals(-1, buffers.take(end.flags()), "the end carries no buffer");
            assertEquals(0, buffers.held());
        }
    }

    @Test
    void runningOutOfBuffersEndsTheMultishotReceiveAndLosesNoByte() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 2, 64)) {
            ring.recv(server, buffers, true, 12);
            List<Integer> taken = new ArrayList<>();
            TestSockets.send(client, "a");
            assertEquals("a", receiveInto(buffers, taken));
            TestSockets.send(client, "b");
            assertEquals("b", receiveInto(buffers, taken));

            TestSockets.send(client, "c");
            Completion starved = Loopback.awaitOne(ring);
            assertEquals(-Abi.ENOBUFS, starved.result());
            assertFalse(starved.more(), "the receive must be armed again");

            taken.forEach(buffers::recycle);
            taken.clear();
            ring.recv(server, buffers, true, 13);
            assertEquals("c", receiveInto(buffers, taken), "the byte waited in the socket");
            taken.forEach(buffers::recycle);
        }
    }

    @Test
    void aGrownRingLendsItsNewBuffersWhileTheOldOnesAreStillTaken() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 2, 8, 64)) {
            ring.recv(server, buffers, true, 14);
            List<Integer> taken = new ArrayList<>();
            TestSockets.send(client, "a");
            assertEquals("a", receiveInto(buffers, taken));
            TestSockets.send(client, "b");
            assertEquals("b", receiveInto(buffers, taken));
            TestSockets.send(client, "c");
            assertEquals(-Abi.ENOBUFS, Loopback.awaitOne(ring).result());
            assertEquals(0, buffers.available());

            assertTrue(buffers.grow());
            assertEquals(4, buffers.entries());
            assertEquals(2, buffers.available());
            ring.recv(server, buffers, true, 15);
            assertEquals("c", receiveInto(buffers, taken), "the byte waited in the socket");
            assertTrue(taken.get(2) >= 2, "a new buffer, the old ones are still taken: " + taken);

            assertTrue(buffers.grow());
            assertFalse(buffers.grow(), "at its capacity: " + buffers);
            assertEquals(8, buffers.entries());
            taken.forEach(buffers::recycle);
            assertEquals(0, buffers.held());
            assertEquals(8, buffers.available());
            ring.cancel(15, 16);
            assertEquals(2, Loopback.await(ring, 2).size(), "the receive's end and the cancel's");
        }
    }

    @Test
    void cancellingAnInFlightMultishotReceiveLeaksNoBufferAndNoCompletion() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 4, 64)) {
            ring.recv(server, buffers, true, 14);
            List<Integer> taken = new ArrayList<>();
            TestSockets.send(client, "first");
            assertEquals("first", receiveInto(buffers, taken));
            buffers.recycle(taken.getFirst());

            ring.cancel(14, 15);
            List<Completion> ends = Loopback.await(ring, 2);
            Completion recv = ends.stream().filter(c -> c.userData() == 14).findFirst().orElseThrow();
            Completion cancel = ends.stream().filter(c -> c.userData() == 15).findFirst().orElseThrow();
            assertEquals(-Abi.ECANCELED, recv.result());
            assertFalse(recv.more());
            assertEquals(-1, buffers.take(recv.flags()), "a cancelled receive carries no buffer");
            assertEquals(0, cancel.result());

            TestSockets.send(client, "after");
            assertEquals(List.of(), Loopback.drainWithBarrier(ring, 99), "nothing completes after the cancel");
            assertEquals(0, buffers.held());
            assertEquals(1, buffers.kernelConsumed(), "the kernel took only the one buffer it filled");
            assertEquals(4 + 1, buffers.published());
        }
    }

    @Test
    void aBufferGivenBackTwiceIsRefused() throws IOException {
        try (BufferRing buffers = ring.registerBufferRing(GROUP, 2, 64)) {
            ring.recv(server, buffers, false, 16);
            TestSockets.send(client, "x");
            List<Integer> taken = new ArrayList<>();
            receiveInto(buffers, taken);
            buffers.recycle(taken.getFirst());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffers.recycle(taken.getFirst()));
            assertEquals("buffer " + taken.getFirst() + " of group 3 is not taken", e.getMessage());
            assertEquals(0, buffers.held(), "the refused call changed nothing");
        }
    }

    @Test
    void twoGroupsOnOneRingKeepTheirBuffersApart() throws NativeException {
        try (BufferRing a = ring.registerBufferRing(1, 2, 32); BufferRing b = ring.registerBufferRing(2, 2, 32)) {
            assertNotEquals(a.address(0), b.address(0));
            NativeException duplicate = assertThrows(NativeException.class, () -> ring.registerBufferRing(1, 2, 32));
            assertEquals(Abi.EEXIST, duplicate.errno(), duplicate.getMessage());
        }
    }
}
