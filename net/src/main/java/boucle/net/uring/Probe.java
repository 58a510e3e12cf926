package boucle.net.uring;

import static boucle.net.uring.Abi.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out, once, whether io_uring can serve here, and if not, says why in one sentence. Each
 * step below rules out one cause, in the order a user would want to hear it:
 * <ol>
 *   <li>not Linux;</li>
 *   <li>native access not enabled (the JVM flag);</li>
 *   <li>{@code kernel.io_uring_disabled} = 2 (disabled for everyone);</li>
 *   <li>{@code io_uring_setup} refused: {@code ENOSYS} (no io_uring in this kernel),
 *       {@code EPERM} (the sysctl at 1 without the group, or a seccomp filter as in a container's
 *       default profile), {@code ENOMEM} (locked-memory limit), or features missing (older than
 *       5.11);</li>
 *   <li>an opcode this package uses is missing (IORING_REGISTER_PROBE);</li>
 *   <li>no provided-buffer rings (older than 5.19);</li>
 *   <li>a kernel older than 6.0, whose receive cannot be multishot ({@code IORING_RECV_MULTISHOT}):
 *       no opcode probe tells it, so the release decides.</li>
 * </ol>
 * It never throws: anything unexpected becomes the reason.
 *
 * <p>Any thread.
 */
final class Probe {
    /** The opcodes a socket backend uses. */
    static final int[] REQUIRED_OPCODES = {IORING_OP_NOP, IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE,
        IORING_OP_ACCEPT, IORING_OP_ASYNC_CANCEL, IORING_OP_LINK_TIMEOUT, IORING_OP_CONNECT, IORING_OP_CLOSE,
        IORING_OP_READ, IORING_OP_WRITE, IORING_OP_SEND, IORING_OP_SENDMSG, IORING_OP_RECV, IORING_OP_SHUTDOWN, IORING_OP_POLL_ADD};
    static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");
    static final Path OS_RELEASE = Path.of("/proc/sys/kernel/osrelease");
    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.(\\d+)");

    /** What the probe looks at, replaceable so that a test can make each step fail. */
    record Environment(String osName, boolean nativeAccess, Path disabledSysctl, RingOpener opener,
            int[] requiredOpcodes, String kernelRelease) {
        static Environment real() {
            return new Environment(System.getProperty("os.name", "?"), NativeAccess.isEnabled(), DISABLED_SYSCTL,
                    () -> IoUring.open(8), REQUIRED_OPCODES, Probe.kernelRelease());
        }
    }

    /** The first kernel whose receive can be multishot, which the receiving side needs. */
    static final int[] MULTISHOT_RECEIVE_KERNEL = {6, 0};

    @FunctionalInterface
    interface RingOpener {
        IoUring open() throws NativeException;
    }

    private Probe() {
    }

    private static final class Cached {
        static final IoUringSupport RESULT = run(Environment.real());
    }

    static IoUringSupport cached() {
        return Cached.RESULT;
    }

    static IoUringSupport run(Environment env) {
        if (!env.osName().startsWith("Linux")) {
            return IoUringSupport.no("io_uring is Linux only, and this is " + env.osName());
        }
        if (!env.nativeAccess()) {
            return IoUringSupport.no(NativeAccess.MISSING);
        }
        int disabled = readDisabledSysctl(env.disabledSysctl());
        if (disabled == 2) {
            return IoUringSupport.no("io_uring is disabled on this machine (sysctl kernel.io_uring_disabled = 2)");
        }
        try (IoUring ring = env.opener().open()) {
            List<String> missing = missingOpcodes(ring, env.requiredOpcodes());
            if (!missing.isEmpty()) {
                return IoUringSupport.no("kernel too old (" + kernelRelease() + "): it lacks the opcodes "
                        + String.join(", ", missing));
            }
            try (BufferRing buffers = ring.registerBufferRing(0, 1, 64)) {
                buffers.groupId(); // registered: that is all we wanted to know
            } catch (NativeException e) {
                return IoUringSupport.no("kernel too old (" + kernelRelease() + ") for provided-buffer rings"
                        + " (Linux 5.19+): " + e.getMessage());
            }
            if (olderThan(env.kernelRelease(), MULTISHOT_RECEIVE_KERNEL)) {
                return IoUringSupport.no("kernel too old (" + env.kernelRelease() + ") for multishot receive"
                        + " (Linux 6.0+)");
            }
            return IoUringSupport.yes("kernel " + env.kernelRelease() + ", " + env.requiredOpcodes().length
                    + " opcodes and provided-buffer rings");
        } catch (NativeException e) {
            return IoUringSupport.no(setupFailure(e, disabled));
        } catch (RuntimeException | LinkageError e) {
            // e.g. IllegalCallerException under --illegal-native-access=deny, or a libc without syscall()
            return IoUringSupport.no("io_uring could not be set up: " + e);
        }
    }

    private static String setupFailure(NativeException e, int disabled) {
        if (!e.call().equals("io_uring_setup") || e.errno() == 0) {
            return e.getMessage();
        }
        return switch (e.errno()) {
            case ENOSYS -> "this kernel (" + kernelRelease() + ") has no io_uring: io_uring_setup gives ENOSYS"
                    + " (Linux older than 5.1, or built without CONFIG_IO_URING)";
            case EPERM -> disabled == 1
                    ? "io_uring_setup refused (EPERM): sysctl kernel.io_uring_disabled = 1 and this process is"
                            + " not in the group kernel.io_uring_group"
                    : "io_uring_setup refused (EPERM): a seccomp filter (e.g. a container's default profile)"
                            + " or a security module forbids io_uring";
            case ENOMEM -> "io_uring_setup could not get memory for the rings (ENOMEM): raise the locked-memory"
                    + " limit (ulimit -l) on kernels before 5.12";
            default -> e.getMessage();
        };
    }

    private static List<String> missingOpcodes(IoUring ring, int[] required) throws NativeException {
        boolean[] supported;
        try {
            supported = ring.supportedOpcodes();
        } catch (NativeException e) {
            if (e.errno() == EINVAL) {
                throw new NativeException("io_uring_register", "kernel too old (" + kernelRelease()
                        + "): no IORING_REGISTER_PROBE (Linux 5.6+)");
            }
            throw e;
        }
        List<String> missing = new ArrayList<>();
        for (int opcode : required) {
            if (opcode >= supported.length || !supported[opcode]) {
                missing.add(Abi.opName(opcode));
            }
        }
        return missing;
    }

    /** Whether a release such as {@code "Linux 5.19.0-generic"} is older than {@code major.minor}; false if unreadable. */
    static boolean olderThan(String release, int[] majorMinor) {
        Matcher version = MAJOR_MINOR.matcher(release);
        if (!version.find()) {
            return false; // an odd release string: the set-up that follows finds out
        }
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        return major < majorMinor[0] || (major == majorMinor[0] && minor < majorMinor[1]);
    }

    /** 0, 1 or 2; 0 when the file is missing (kernels before 6.6 have no such switch). */
    private static int readDisabledSysctl(Path path) {
        try {
            return Integer.parseInt(Files.readString(path).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    static String kernelRelease() {
        try {
            return "Linux " + Files.readString(OS_RELEASE).strip();
        } catch (IOException e) {
            return "Linux " + System.getProperty("os.version", "?");
        }
    }
}
