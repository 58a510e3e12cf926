package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.core.Boucle;
import boucle.core.CancelledException;
import boucle.core.Event;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.BufferRing;
import boucle.net.uring.EventFd;
import boucle.net.uring.IoUring;
import boucle.net.uring.NativeSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A loop whose event source is a ring: timers, wake-ups from other threads, operations parked on. */
class UringEventSourceTest {
    private final List<String> events = new ArrayList<>();

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.probe().available(), () -> IoUring.probe().toString());
    }

    @Test
    void completionsWaitForTheLoopsNextEnterInsteadOfInterruptingIt() {
        UringEventSource source = new UringEventSource();
        try (Loop loop = new Loop(source)) {
            int flags = source.ring().setupFlags();
            assertEquals(IoUring.COOPERATIVE_TASK_RUN, flags & IoUring.COOPERATIVE_TASK_RUN, source.ring().toString());
        }
    }

    @Test
    void aLoopRunsOnOneThreadThenOnAnotherOverTheSameRing() throws Exception {
        UringEventSource source = new UringEventSource();
        try (Loop loop = new Loop(source)) {
            loop.runTask(() -> Boucle.sleep(Duration.ofMillis(5)));
            Thread other = Thread.ofPlatform().start(() -> loop.runTask(() -> {
                Boucle.sleep(Duration.ofMillis(5));
                events.add("ran on another thread");
            }));
            other.join(10_000);
        }
        assertEquals(List.of("ran on another thread"), events);
    }

    @Test
    void aSleepingTaskWakesAtItsTimerThroughTheRingsWaitTimeout() {
        UringEventSource source = new UringEventSource();
        try (Loop loop = new Loop(source)) {
            loop.runTask(() -> {
                events.add("sleeping");
                Boucle.sleep(Duration.ofMillis(20));
                events.add("woke");
            });
            assertTrue(source.ring().enterCalls() > 0, "the loop waited in io_uring_enter");
        }
        assertEquals(List.of("sleeping", "woke"), events);
    }

    @Test
    void callSoonThreadsafeWakesALoopBlockedInTheKernel() throws InterruptedException {
        UringEventSource source = new UringEventSource();
        try (Loop loop = new Loop(source)) {
            Event event = new Event();
            Thread other = Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!source.isBlocked() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // until the loop is in io_uring_enter with no timeout
                }
                loop.callSoonThreadsafe(event::set);
            });
            loop.runTask(() -> {
                // a far timer: the loop blocks in io_uring_enter with a minute's timeout, not 0
                Task<Void> keeper = Boucle.spawn(() -> Boucle.sleep(Duration.ofMinutes(1)));
                events.add("waiting");
                event.await();
                events.add("set from another thread");
                keeper.cancel();
            });
            other.join();
        }
        assertEquals(List.of("waiting", "set from another thread"), events);
    }

    @Test
    void aTaskParkedOnAnOperationGetsItsResult() throws Exception {
        UringEventSource source = new UringEventSource();
        try (Loop loop = new Loop(source); EventFd fd = EventFd.open()) {
            int result = loop.runTask(() -> {
                Boucle.spawn(() -> {
                    events.add("signal");
                    fd.signal();
                });
                java.lang.foreign.MemorySegment counter = java.lang.foreign.Arena.ofAuto().allocate(8);
                long completion = source.await((ring, userData) -> ring.read(fd.fd(), counter.address(), 8, userData),
                        Registration.NO_DEADLINE, "read the eventfd");
                events.add("read " + counter.get(ValueLayout.JAVA_LONG, 0));
                return UringEventSource.result(completion);
            });
            assertEquals(8, result);
        }
        assertEquals(List.of("signal", "read 1"), events);
    }

    @Test
    void aReceiveTakesAProvidedBufferOnlyWhenBytesArrive() throws Exception {
        UringEventSource source = new UringEventSource();
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source); Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            BufferRing buffers = source.buffers();
            String got = loop.runTask(() -> {
                int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                assertTrue(fd >= 0);
                try {
                    Boucle.spawn(() -> {
                        events.add("held while waiting: " + buffers.held());
                        Boucle.runInThread(() -> {
                            OutputStream out = client.getOutputStream();
                            out.write("hello".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            return null;
                        });
                    });
                    long completion = source.await((ring, ud) -> ring.recv(fd, buffers, false, ud),
                            Registration.NO_DEADLINE, "receive");
                    int bid = buffers.take(UringEventSource.flags(completion));
                    try {
                        events.add("held with data: " + buffers.held());
                        return new String(buffers.buffer(bid).asSlice(0, UringEventSource.result(completion))
                                .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
                    } finally {
                        buffers.recycle(bid);
                    }
                } finally {
                    NativeSockets.close(fd);
                }
            });
            assertEquals("hello", got);
            assertEquals(0, buffers.held());
        } finally {
            NativeSockets.close(listener);
        }
        assertEquals(List.of("held while waiting: 0", "held with data: 1"), events);
    }

    @Test
    void aReceivePastItsDeadlineIsCancelledInTheKernelAndLeavesNothing() throws Exception {
        UringEventSource source = new UringEventSource();
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source); Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            loop.runTask(() -> {
                int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                try {
                    SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                            () -> source.await((ring, ud) -> ring.recv(fd, source.buffers(), false, ud),
                                    loop.now() + 20_000_000L, "receive"));
                    assertEquals("timed out waiting to receive", e.getMessage());
                    events.add("orphans after the timeout: " + source.orphans());
                    Boucle.sleep(Duration.ofMillis(1)); // one poll: the cancelled receive's completion comes
                    events.add("orphans after a poll: " + source.orphans());

                    Boucle.runInThread(() -> {
                        client.getOutputStream().write('x');
                        return null;
                    });
                    // the byte is still in the socket: the cancelled receive took nothing
                    long completion = source.await((ring, ud) -> ring.recv(fd, source.buffers(), false, ud),
                            Registration.NO_DEADLINE, "receive");
                    int bid = source.buffers().take(UringEventSource.flags(completion));
                    events.add("received " + UringEventSource.result(completion));
                    source.buffers().recycle(bid);
                } finally {
                    NativeSockets.close(fd);
                }
            });
            assertEquals(0, source.buffers().held());
        } finally {
            NativeSockets.close(listener);
        }
        assertEquals(List.of("orphans after the timeout: 1", "orphans after a poll: 0", "received 1"), events);
    }

    @Test
    void aCancelledTaskCancelsItsOperation() throws Exception {
        UringEventSource source = new UringEventSource();
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        try (Loop loop = new Loop(source)) {
            loop.runTask(() -> {
                Task<Long> acceptor = Boucle.spawn(() -> source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                Boucle.interrupt(); // the acceptor parks, its SQE goes out with the next poll
                Boucle.interrupt();
                acceptor.cancel();
                try {
                    acceptor.await();
                    fail("the accept was cancelled");
                } catch (CancelledException expected) {
                    events.add("cancelled");
                }
                Boucle.sleep(Duration.ofMillis(1));
                events.add("orphans: " + source.orphans());
            });
            assertFalse(source.hasWaiters());
        } finally {
            NativeSockets.close(listener);
        }
        assertEquals(List.of("cancelled", "orphans: 0"), events);
    }

    @Test
    void aConnectionAcceptedForATaskCancelledMeanwhileIsClosedNotLeaked() throws Exception {
        UringEventSource source = new UringEventSource();
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source); Socket client = new Socket()) {
            loop.runTask(() -> {
                Task<Integer> acceptor = Boucle.spawn(() -> source.awaitDescriptor(
                        (ring, ud) -> ring.accept(listener, 0, false, ud), Registration.NO_DEADLINE, "accept"));
                Boucle.interrupt(); // the acceptor parks; its SQE leaves with this turn's poll
                Thread connector = Thread.ofPlatform().start(() -> {
                    try {
                        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                // this task never parks: each turn it is queued before the tasks the poll wakes, so it
                // sees the acceptor woken by its completion before the acceptor runs
                while (acceptor.state() != Task.State.READY) {
                    assertFalse(acceptor.isDone(), "the acceptor ran before it could be cancelled");
                    Boucle.interrupt();
                }
                acceptor.cancel(); // it was granted a descriptor, and will never take it
                assertThrows(CancelledException.class, acceptor::await);
                int eof = Boucle.runInThread(() -> {
                    client.setSoTimeout(5_000);
                    return client.getInputStream().read();
                });
                events.add("the client reads " + eof);
                connector.join();
            });
        } finally {
            NativeSockets.close(listener);
        }
        assertEquals(List.of("the client reads -1"), events, "the server side was closed");
    }
}
