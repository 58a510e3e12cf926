package boucle.net;

import boucle.core.Task;
import boucle.net.uring.Completions;
import boucle.net.uring.Errno;
import java.io.IOException;

/**
 * Accepting on an io_uring loop: one multishot {@code IORING_OP_ACCEPT} on the listening socket's
 * descriptor, each connection a completion, queued here until a task takes it.
 *
 * <ul>
 *   <li>The multishot accept is armed when a task wants a connection and none is queued. Once
 *       {@value #MAX_QUEUED} wait unserved (a server at its {@code maxConnections}), it is
 *       cancelled, so that further clients wait in the kernel's backlog, not in this process.</li>
 *   <li>A failure (too many open files...) ends the multishot; the next {@link #accept()} throws
 *       it once, and the one after arms again.</li>
 *   <li>{@link #close} cancels the accept and closes the queued descriptors, and those of late
 *       completions: no accepted descriptor leaks. A task parked in {@code accept} wakes with a
 *       {@link SocketClosedException}.</li>
 * </ul>
 * Multishot accept is Linux 5.19+, as the provided-buffer rings the backend's probe requires.
 * Loop-thread only.
 */
final class RingAcceptor {
    static final int MAX_QUEUED = 32;
    private static final int SOCK_CLOEXEC = 0x80000;

    private final UringEventSource ring;
    private final int listener;
    private final String where;
    private final UringEventSource.Handler completed = this::complete;
    private int[] queued = new int[8];
    private int head;
    private int count;
    /** The multishot accept's user data while it is in flight, else 0. */
    private long armed;
    private boolean cancelling;
    private int error;
    private Task<?> waiter;
    private String closeReason;

    RingAcceptor(UringEventSource ring, int listener, String where) {
        this.ring = ring;
        this.listener = listener;
        this.where = where;
    }

    /** Parks until a connection comes, and returns its descriptor: the caller owns it. */
    int accept() throws IOException {
        for (;;) {
            if (closeReason != null) {
                throw new SocketClosedException(closeReason);
            }
            if (count > 0) {
                int fd = queued[head];
                head = (head + 1) % queued.length;
                count--;
                return fd;
            }
            if (error != 0) {
                int failed = error;
                error = 0;
                throw new IOException(Errno.message(failed)); // the server's log says where, as for a JDK channel's
            }
            if (armed == 0) {
                cancelling = false;
                armed = ring.start((r, userData) -> r.accept(listener, SOCK_CLOEXEC, true, userData), completed);
            }
            park();
        }
    }

    private void park() {
        Task<?> me = Task.current();
        if (waiter != null) {
            throw new IllegalStateException("task '" + me.name() + "' wants to accept on " + where + ", but task '"
                    + waiter.name() + "' already does: one accepting task per listening socket");
        }
        waiter = me;
        ring.taskParked();
        try {
            me.park(this);
        } finally {
            ring.taskUnparked();
            waiter = null;
        }
    }

    /** The multishot accept's completions, during the loop's poll. */
    private void complete(int result, int flags) {
        if (!Completions.hasMore(flags)) {
            armed = 0;
        }
        if (result >= 0) {
            if (closeReason != null) {
                ring.closeDescriptor(result); // accepted after the close: nobody will serve it
                return;
            }
            enqueue(result);
            if (count >= MAX_QUEUED && armed != 0 && !cancelling) {
                cancelling = true; // nobody takes them: let the kernel's backlog hold the next ones
                ring.cancel(armed);
            }
        } else if (result != -Errno.ECANCELED) {
            error = result;
        }
        if (waiter != null) {
            waiter.wake();
        }
    }

    private void enqueue(int fd) {
        if (count == queued.length) {
            int[] larger = new int[2 * count];
            for (int i = 0; i < count; i++) {
                larger[i] = queued[(head + i) % count];
            }
            queued = larger;
            head = 0;
        }
        queued[(head + count) % queued.length] = fd;
        count++;
    }

    /** Connections accepted and not taken yet. */
    int queued() {
        return count;
    }

    boolean isArmed() {
        return armed != 0;
    }

    /** Cancels the accept in flight and closes what was accepted and not taken; wakes a parked acceptor. */
    void close(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        if (armed != 0 && !cancelling) {
            cancelling = true;
            ring.cancel(armed);
            ring.submitNow(); // now: the accept in flight holds the socket, which must stop listening when closed
        }
        while (count > 0) {
            ring.closeDescriptor(queued[head]);
            head = (head + 1) % queued.length;
            count--;
        }
        if (waiter != null) {
            waiter.wake();
        }
    }
}
