package boucle.net;

import java.util.Locale;

/**
 * How a loop waits for sockets and does their I/O.
 * <ul>
 *   <li>{@link #NIO}: a {@link java.nio.channels.Selector} (epoll on Linux) reports readiness, the
 *       loop then reads and writes with system calls of its own. Portable.</li>
 *   <li>{@link #IO_URING}: one io_uring ring per loop, through {@code java.lang.foreign} (no native
 *       library): TCP connections are accepted, connected, received, sent, shut down and closed
 *       by the kernel, many operations per {@code io_uring_enter}; receives take provided buffers,
 *       so an idle connection holds none. Linux 6.0+, and the JVM flags
 *       {@code --enable-native-access=ALL-UNNAMED} and {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}.
 *       What the ring does not drive itself (UDP, Unix domain sockets) runs on the same loop on
 *       the NIO code, the ring polling the descriptors ({@code IORING_OP_POLL_ADD}).</li>
 *   <li>{@link #AUTO}: io_uring where the probe (run once per process) finds it usable, NIO
 *       otherwise; the choice and its reason are logged once at INFO. A failure to set io_uring
 *       up is never fatal under {@code AUTO}.</li>
 * </ul>
 * {@link Net#newLoop()} takes the backend named by the system property {@value #PROPERTY}
 * ({@code auto}, {@code io_uring} or {@code nio}; default {@code auto}). {@code auto} is the
 * default because on this project's measurements the ring is ahead of NIO where many connections
 * share a loop (1.15x to 1.17x NIO's messages per second at 100 x 64 B and 1,000 x 1 KiB on a quiet
 * machine, {@code bench/results/uring.md}), level at one connection and at 64 KiB messages, and
 * lighter per idle connection; where the kernel or the JVM's flags do not allow the ring,
 * {@code auto} is NIO.
 *
 * <pre>{@code
 * try (Loop loop = Net.newLoop(Backend.IO_URING)) { ... }   // or an IllegalStateException saying why not
 * }</pre>
 */
public enum Backend {
    AUTO,
    IO_URING,
    NIO;

    /** The system property {@link #configured()} reads. */
    public static final String PROPERTY = "boucle.backend";

    /**
     * The backend the system property {@value #PROPERTY} names, {@link #AUTO} when it is unset.
     * Any thread.
     *
     * @throws IllegalArgumentException if it names none
     */
    public static Backend configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    /**
     * {@code auto}, {@code io_uring} (or {@code io-uring}, {@code uring}) or {@code nio}, in any case.
     * Any thread.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static Backend parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "io_uring", "io-uring", "iouring", "uring" -> IO_URING;
            case "nio", "epoll", "selector" -> NIO;
            default -> throw new IllegalArgumentException("unknown backend '" + name + "': auto, io_uring or nio");
        };
    }

    /** The name the command line takes: {@code auto}, {@code io_uring} or {@code nio}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
