package boucle.net.uring;

/**
 * What {@link IoUring#probe()} found: whether io_uring can serve here, with a sentence that says
 * why (or why not) for the log line of a backend choice.
 *
 * @param available whether a ring was set up and has everything this package uses
 * @param reason what was found: the kernel and its opcodes, or the first thing missing
 */
public record IoUringSupport(boolean available, String reason) {
    static IoUringSupport yes(String reason) {
        return new IoUringSupport(true, reason);
    }

    static IoUringSupport no(String reason) {
        return new IoUringSupport(false, reason);
    }

    @Override
    public String toString() {
        return (available ? "io_uring available: " : "io_uring unavailable: ") + reason;
    }
}
