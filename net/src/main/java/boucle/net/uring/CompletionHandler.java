package boucle.net.uring;

/**
 * Receives one completion from {@link IoUring#drain}: the operation's user data, its result (a
 * count or a descriptor, or {@code -errno}) and its flags (read them with {@link Completions}).
 *
 * <p>Called on the thread that drains, with the ring's slot already handed back to the kernel.
 */
@FunctionalInterface
public interface CompletionHandler {
    void complete(long userData, int result, int flags);
}
