package boucle.net.uring;

/**
 * How to read a completion's flags.
 *
 * <p>Pure functions: any thread.
 */
public final class Completions {
    private Completions() {
    }

    /** A multishot operation posts more completions after this one; absent on its last. */
    public static boolean hasMore(int flags) {
        return (flags & Abi.IORING_CQE_F_MORE) != 0;
    }

    /** The kernel picked a provided buffer for this completion: see {@link #bufferId}. */
    public static boolean hasBuffer(int flags) {
        return (flags & Abi.IORING_CQE_F_BUFFER) != 0;
    }

    /** The provided buffer the data is in; meaningful only when {@link #hasBuffer}. */
    public static int bufferId(int flags) {
        return flags >>> Abi.IORING_CQE_BUFFER_SHIFT;
    }

    /** After a receive: the socket still had data when it completed. */
    public static boolean socketNonEmpty(int flags) {
        return (flags & Abi.IORING_CQE_F_SOCK_NONEMPTY) != 0;
    }
}
