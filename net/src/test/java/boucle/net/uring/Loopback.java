package boucle.net.uring;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helpers for the raw layer: a listening socket made with libc on 127.0.0.1 and port 0 (so
 * the ring can accept on a real descriptor), and a bounded wait for completions.
 */
final class Loopback {
    /** One completion, as drained. */
    record Completion(long userData, int result, int flags) {
        boolean more() {
            return Completions.hasMore(flags);
        }
    }

    private Loopback() {
    }

    /** A listening TCP socket on 127.0.0.1, ephemeral port. */
    static int listen() {
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, () -> "socket: " + Errno.describe(fd));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(16, 4);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
            address.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) 0);
            address.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7F000001);
            int bound = Libc.bind(fd, address);
            assertTrue(bound == 0, () -> "bind: " + Errno.describe(bound));
        }
        int listening = Libc.listen(fd, 64);
        assertTrue(listening == 0, () -> "listen: " + Errno.describe(listening));
        return fd;
    }

    /** The port a socket is bound to. */
    static int port(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(16, 4);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            int result = Libc.getsockname(fd, address, length);
            assertTrue(result == 0, () -> "getsockname: " + Errno.describe(result));
            return Short.toUnsignedInt(address.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2));
        }
    }

    /**
     * Submits what is queued and drains until {@code count} completions arrived, waiting at most
     * 5 s in all: a lost completion fails the test instead of hanging it.
     */
    static List<Completion> await(IoUring ring, int count) {
        List<Completion> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("waited 5 s for " + count + " completions, got " + got);
            }
            int result = ring.submitAndWait(1, left);
            assertTrue(result >= 0 || result == -Abi.ETIME || result == -Abi.EINTR,
                    () -> "io_uring_enter: " + Errno.describe(result));
            ring.drain((userData, res, flags) -> got.add(new Completion(userData, res, flags)));
        }
        return got;
    }

    /** One completion: the next to arrive. */
    static Completion awaitOne(IoUring ring) {
        return await(ring, 1).getFirst();
    }

    /**
     * Proves nothing else is pending: a NOP round trip whose completion comes alone, so any late
     * completion posted before it (a leaked one) shows up in the list.
     */
    static List<Completion> drainWithBarrier(IoUring ring, long barrierUserData) {
        ring.nop(barrierUserData);
        List<Completion> got = new ArrayList<>();
        while (got.isEmpty() || got.getLast().userData() != barrierUserData) {
            got.addAll(await(ring, 1));
        }
        got.removeLast();
        return got;
    }
}
