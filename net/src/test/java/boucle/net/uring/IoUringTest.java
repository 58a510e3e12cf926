package boucle.net.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.net.uring.Loopback.Completion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The raw ring on real descriptors: the kernel's own answers, no mock. */
class IoUringTest {
    private IoUring ring;
    private Arena arena;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.probe().available(), () -> IoUring.probe().toString());
    }

    @BeforeEach
    void openRing() throws NativeException {
        ring = IoUring.open(64);
        arena = Arena.ofShared(); // JUnit may run the test body and @AfterEach on different threads
    }

    @AfterEach
    void closeAll() {
        ring.close();
        arena.close();
        fds.forEach(Libc::close);
    }

    private int track(int fd) {
        assertTrue(fd >= 0, () -> "not a descriptor: " + Errno.describe(fd));
        fds.add(fd);
        return fd;
    }

    private MemorySegment text(String s) {
        return arena.allocateFrom(s, StandardCharsets.US_ASCII).asSlice(0, s.length());
    }

    private static String text(MemorySegment segment, int length) {
        return new String(segment.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }

    /** Accepts one connection through the ring. */
    private int acceptThroughRing(int listener) {
        ring.accept(listener, Libc.SOCK_CLOEXEC, false, 1);
        Completion accepted = Loopback.awaitOne(ring);
        assertEquals(1, accepted.userData());
        return track(accepted.result());
    }

    @Test
    void nopsCompleteInOrderWithTheirUserDataAfterOneEnter() {
        ring.nop(10);
        ring.nop(11);
        ring.nop(12);
        assertEquals(3, ring.pending());
        long before = ring.enterCalls();

        assertEquals(3, ring.submitAndWait(3, IoUring.NO_TIMEOUT));
        List<Completion> got = new ArrayList<>();
        ring.drain((userData, result, flags) -> got.add(new Completion(userData, result, flags)));

        assertEquals(List.of(new Completion(10, 0, 0), new Completion(11, 0, 0), new Completion(12, 0, 0)), got);
        assertEquals(1, ring.enterCalls() - before, "three operations, one system call");
        assertEquals(0, ring.pending());
        assertEquals(0, ring.ready());
    }

    @Test
    void aRingCanHaveMoreCompletionSlotsThanTwiceItsSubmissionSlots() throws NativeException {
        try (IoUring large = IoUring.open(16, 0, 1024); IoUring usual = IoUring.open(16)) {
            assertEquals(List.of(16, 1024, 16, 32), List.of(large.sqEntries(), large.cqEntries(), usual.sqEntries(),
                    usual.cqEntries()));
        }
    }

    @Test
    void aFullSubmissionRingIsSubmittedBeforeItsSlotsAreReused() throws NativeException {
        try (IoUring small = IoUring.open(4)) {
            for (int i = 0; i < 10; i++) {
                small.nop(i);
            }
            List<Long> userData = Loopback.await(small, 10).stream().map(Completion::userData).toList();
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), userData);
            assertEquals(0, small.droppedSubmissions());
        }
    }

    @Test
    void acceptReceiveAndSendOnLoopbackGoThroughTheRing() throws IOException {
        int listener = track(Loopback.listen());
        try (Socket client = TestSockets.connect(Loopback.port(listener))) {
            int server = acceptThroughRing(listener);

            TestSockets.send(client, "hello");
            MemorySegment in = arena.allocate(64);
            ring.recv(server, in.address(), 64, 0, 2);
            Completion received = Loopback.awaitOne(ring);
            assertEquals(2, received.userData());
            assertEquals(5, received.result());
            assertEquals("hello", text(in, 5));

            MemorySegment out = text("world!");
            ring.send(server, out.address(), 6, 0, 3);
            assertEquals(new Completion(3, 6, 0), Loopback.awaitOne(ring));
            assertEquals("world!", TestSockets.receive(client, 6));

            client.shutdownOutput();
            ring.recv(server, in.address(), 64, 0, 4);
            Completion end = Loopback.awaitOne(ring);
            assertEquals(4, end.userData());
            assertEquals(0, end.result(), "end of stream reads 0");
        }
    }

    @Test
    void oneMultishotAcceptTakesEveryConnectionUntilCancelled() throws IOException {
        int listener = track(Loopback.listen());
        int port = Loopback.port(listener);
        ring.accept(listener, Libc.SOCK_CLOEXEC, true, 7);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(TestSockets.connect(port));
            }
            List<Completion> accepted = Loopback.await(ring, 3);
            for (Completion c : accepted) {
                assertEquals(7, c.userData());
                assertTrue(c.more(), "a multishot accept stays armed: " + c);
                track(c.result());
            }
            assertEquals(3, accepted.stream().map(Completion::result).collect(Collectors.toSet()).size());

            ring.cancel(7, 8);
            List<Completion> ends = Loopback.await(ring, 2);
            assertEquals(Set.of(new Completion(7, -Abi.ECANCELED, 0), new Completion(8, 0, 0)), Set.copyOf(ends),
                    "the accept ends without 'more', the cancel found it");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void cancellingAnInFlightReceiveEndsItAndNothingCompletesLater() throws IOException {
        int listener = track(Loopback.listen());
        try (Socket client = TestSockets.connect(Loopback.port(listener))) {
            int server = acceptThroughRing(listener);
            MemorySegment in = arena.allocate(64);
            ring.recv(server, in.address(), 64, 0, 20);
            assertEquals(1, ring.submit());
            assertEquals(List.of(), Loopback.drainWithBarrier(ring, 99), "nothing to read: the receive waits");

            ring.cancel(20, 21);
            List<Completion> got = Loopback.await(ring, 2);
            assertEquals(Set.of(new Completion(20, -Abi.ECANCELED, 0), new Completion(21, 0, 0)), Set.copyOf(got));

            TestSockets.send(client, "late");
            assertEquals(List.of(), Loopback.drainWithBarrier(ring, 99), "the cancelled receive took no data");
            ring.recv(server, in.address(), 64, 0, 22);
            assertEquals(new Completion(22, 4, 0), Loopback.awaitOne(ring), "the bytes are still in the socket");
        }
    }

    @Test
    void cancellingWhatIsNotInFlightAnswersEnoent() {
        ring.cancel(12345, 1);
        assertEquals(new Completion(1, -Abi.ENOENT, 0), Loopback.awaitOne(ring));
    }

    @Test
    void aTimeoutCompletesWithEtime() {
        ring.timeout(20_000_000L, 0, 30);
        assertEquals(new Completion(30, -Abi.ETIME, 0), Loopback.awaitOne(ring));
    }

    @Test
    void aRemovedTimeoutCompletesCancelled() {
        ring.timeout(60_000_000_000L, 0, 31);
        assertEquals(1, ring.submit());
        ring.removeTimeout(31, 32);
        List<Completion> got = Loopback.await(ring, 2);
        assertEquals(Set.of(new Completion(31, -Abi.ECANCELED, 0), new Completion(32, 0, 0)), Set.copyOf(got));
    }

    @Test
    void twoTimeoutsPreparedInOneBatchKeepTheirOwnDurations() {
        ring.timeout(60_000_000_000L, 0, 40); // a minute: must not fire
        ring.timeout(10_000_000L, 0, 41);
        assertEquals(new Completion(41, -Abi.ETIME, 0), Loopback.awaitOne(ring));
        ring.removeTimeout(40, 42);
        assertEquals(Set.of(new Completion(40, -Abi.ECANCELED, 0), new Completion(42, 0, 0)),
                Set.copyOf(Loopback.await(ring, 2)));
    }

    @Test
    void aWaitWithNothingInFlightEndsAtItsTimeout() {
        assertEquals(-Abi.ETIME, ring.submitAndWait(1, 10_000_000L));
        assertEquals(0, ring.ready());
    }

    @Test
    void anEventfdSignalFromAnotherThreadEndsAWait() throws Exception {
        try (EventFd wakeup = EventFd.open()) {
            wakeup.armOn(ring, 50);
            assertEquals(1, ring.submit());
            Thread other = Thread.ofPlatform().start(wakeup::signal);
            assertEquals(new Completion(50, 8, 0), Loopback.awaitOne(ring), "the 8-byte counter was read");
            other.join();

            wakeup.armOn(ring, 51); // re-armed: waits again until the next signal
            assertEquals(List.of(), Loopback.drainWithBarrier(ring, 99));
            wakeup.signal();
            assertEquals(new Completion(51, 8, 0), Loopback.awaitOne(ring));
        }
    }

    @Test
    void aMessageFromAnotherRingPostsACompletionThere() throws NativeException {
        try (IoUring other = IoUring.open(8)) {
            other.message(ring, 77, 60, 61);
            assertEquals(new Completion(61, 0, 0), Loopback.awaitOne(other));
            assertEquals(new Completion(60, 77, 0), Loopback.awaitOne(ring));
        }
    }

    @Test
    void theProbeListsTheOpcodesThisPackageUses() throws NativeException {
        boolean[] supported = ring.supportedOpcodes();
        for (int opcode : Probe.REQUIRED_OPCODES) {
            assertTrue(supported[opcode], Abi.opName(opcode));
        }
        assertFalse(supported[255], "no kernel has 255 opcodes");
    }

    @Test
    void aClosedRingRefusesWork() {
        ring.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ring.nop(1));
        assertEquals("the ring is closed", e.getMessage());
        ring.close(); // idempotent
    }
}
