package boucle.net.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An {@code eventfd}: the door through which other threads wake a thread blocked in
 * {@link IoUring#submitAndWait}. The ring's owner keeps a read of 8 bytes in flight on it
 * ({@link #armOn}); {@link #signal()} makes that read complete, and the completion ends the wait.
 * The owner re-arms after each such completion.
 *
 * <p>Threads: {@link #signal()} from any thread; the rest from the ring's thread.
 */
public final class EventFd implements AutoCloseable {
    /** The 8-byte value {@code signal} writes: never written after creation, so shared by all threads. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    private final int fd;
    private final Arena arena = Arena.ofShared();
    /** Where the ring's read puts the counter. */
    private final MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
    }

    /** A non-blocking, close-on-exec eventfd. Any thread. */
    public static EventFd open() throws NativeException {
        if (!NativeAccess.isEnabled()) {
            throw new IllegalStateException(NativeAccess.MISSING);
        }
        int fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (fd < 0) {
            throw new NativeException("eventfd", -fd);
        }
        return new EventFd(fd);
    }

    public int fd() {
        return fd;
    }

    /** Prepares the read on {@code ring} that a {@link #signal()} completes, with {@code userData}. Ring thread. */
    public void armOn(IoUring ring, long userData) {
        ring.read(fd, counter.address(), 8, userData);
    }

    /**
     * Wakes the ring's thread: one {@code write(2)}. Any thread. Signals before the ring's thread
     * re-arms add up in the counter: the next read completes at once.
     */
    public void signal() {
        if (!closed) {
            Libc.write(fd, ONE, 8); // only -EAGAIN at a counter of 2^64-2: the reader is awake anyway
        }
    }

    /** Closes the descriptor; a read in flight on it must be cancelled and drained first. Ring thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        arena.close();
    }

    @Override
    public String toString() {
        return "EventFd[" + fd + "]";
    }
}
