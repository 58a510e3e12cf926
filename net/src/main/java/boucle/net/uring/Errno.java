package boucle.net.uring;

/**
 * Names of the {@code errno} values a ring reports, for messages ({@code strerror} is not
 * thread-safe, and a name is what one searches for).
 *
 * <p>Immutable: any thread.
 */
public final class Errno {
    /** The errno values the ring's users test a completion's result against, as {@code -Errno.EAGAIN}. */
    public static final int EINTR = Abi.EINTR;
    public static final int EAGAIN = Abi.EAGAIN;
    public static final int EBUSY = Abi.EBUSY;
    public static final int ETIME = Abi.ETIME;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = Abi.ENOBUFS;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int ECANCELED = Abi.ECANCELED;

    private Errno() {
    }

    /**
     * The C library's text for the errors a socket meets ({@code "Too many open files"} for 24 or
     * -24), the words a JDK channel's exception carries for the same errno, so that a log line or a
     * catch reads the same on both backends; {@link #describe} for any other.
     */
    public static String message(int errno) {
        return switch (Math.abs(errno)) {
            case 9 -> "Bad file descriptor";
            case 12 -> "Cannot allocate memory";
            case 13 -> "Permission denied";
            case 22 -> "Invalid argument";
            case 23 -> "Too many open files in system";
            case 24 -> "Too many open files";
            case 32 -> "Broken pipe";
            case 98 -> "Address already in use";
            case 101 -> "Network is unreachable";
            case 103 -> "Software caused connection abort";
            case 104 -> "Connection reset by peer";
            case 105 -> "No buffer space available";
            case 107 -> "Transport endpoint is not connected";
            case 110 -> "Connection timed out";
            case 111 -> "Connection refused";
            case 113 -> "No route to host";
            default -> describe(errno);
        };
    }

    /**
     * {@code "EPERM (operation not permitted)"} for 1 or -1: accepts a completion's negative
     * result as well as a positive errno.
     */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        return switch (e) {
            case 1 -> "EPERM (operation not permitted)";
            case 2 -> "ENOENT (no such entry)";
            case 4 -> "EINTR (interrupted)";
            case 9 -> "EBADF (bad file descriptor)";
            case 11 -> "EAGAIN (try again)";
            case 12 -> "ENOMEM (out of memory)";
            case 14 -> "EFAULT (bad address)";
            case 16 -> "EBUSY (busy)";
            case 17 -> "EEXIST (already exists)";
            case 22 -> "EINVAL (invalid argument)";
            case 24 -> "EMFILE (too many open files)";
            case 32 -> "EPIPE (broken pipe)";
            case 38 -> "ENOSYS (no such system call)";
            case 62 -> "ETIME (timer expired)";
            case 95 -> "EOPNOTSUPP (operation not supported)";
            case 98 -> "EADDRINUSE (address in use)";
            case 104 -> "ECONNRESET (connection reset by peer)";
            case 105 -> "ENOBUFS (no buffer space)";
            case 107 -> "ENOTCONN (not connected)";
            case 110 -> "ETIMEDOUT (connection timed out)";
            case 111 -> "ECONNREFUSED (connection refused)";
            case 114 -> "EALREADY (already in progress)";
            case 115 -> "EINPROGRESS (in progress)";
            case 125 -> "ECANCELED (cancelled)";
            default -> "errno " + e;
        };
    }
}
