package boucle.net.uring;

import java.io.IOException;

/**
 * A system call that failed, with its {@code errno}: how the ring's setup, registration and
 * {@code io_uring_enter} report failure. (A failed <em>operation</em> is not an exception: its
 * completion carries {@code -errno} as its result.)
 */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    NativeException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    NativeException(String call, String message) {
        super(call + ": " + message);
        this.call = call;
        this.errno = 0;
    }

    /** The C call that failed, e.g. {@code io_uring_setup}. */
    public String call() {
        return call;
    }

    /** Its {@code errno} (positive), or 0 when the call succeeded but gave something unusable. */
    public int errno() {
        return errno;
    }
}
