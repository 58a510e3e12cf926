package boucle.net;

import boucle.net.uring.IoUring;
import boucle.net.uring.IoUringSupport;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Makes a loop's event source for a {@link Backend}: the probe, the fallback and the one log line.
 *
 * <ul>
 *   <li>{@link Backend#NIO}: a selector.</li>
 *   <li>{@link Backend#IO_URING}: a ring, or one {@link IllegalStateException} that says why not
 *       (the probe's reason: kernel, sysctl, seccomp, opcodes, a JVM flag).</li>
 *   <li>{@link Backend#AUTO}: a ring if the probe passes and the ring can be set up, else a
 *       selector; the first choice made in this process is logged at INFO with its reason.</li>
 * </ul>
 * Any thread.
 */
final class BackendChoice {
    private static final System.Logger LOG = System.getLogger("boucle.net");
    private static final Supplier<IoUringSupport> REAL = BackendChoice::realProbe;
    private static volatile Supplier<IoUringSupport> probe = REAL;
    private static final AtomicBoolean LOGGED = new AtomicBoolean();
    /** For tests: the probe passes but setting a ring up fails (a locked-memory limit, say). */
    private static volatile boolean ringSetupFails;

    private BackendChoice() {
    }

    /** The probe's verdict, with the JVM flags this package needs on top of the ring's own checks. */
    private static IoUringSupport realProbe() {
        IoUringSupport ring = IoUring.probe();
        if (ring.available() && !ChannelDescriptor.isReadable()) {
            return new IoUringSupport(false, "the JVM lacks " + ChannelDescriptor.FLAG
                    + " (the ring accepts on and polls the descriptors of JDK channels)");
        }
        return ring;
    }

    /** Whether io_uring can serve here, and why (not): probed once per process. */
    static IoUringSupport support() {
        return probe.get();
    }

    /** For tests: replaces the probe ({@code null}: the real one again) and forgets the logged choice. */
    static void overrideProbe(Supplier<IoUringSupport> replacement) {
        probe = replacement == null ? REAL : replacement;
        LOGGED.set(false);
    }

    /** For tests: whether setting a ring up fails after the probe passed. */
    static void failRingSetup(boolean fail) {
        ringSetupFails = fail;
        LOGGED.set(false);
    }

    private static UringEventSource newRing() {
        if (ringSetupFails) {
            throw new java.io.UncheckedIOException("could not set up io_uring",
                    new java.io.IOException("ENOMEM (out of memory), forced by a test"));
        }
        return new UringEventSource();
    }

    /** Under AUTO, a group whose ring could not be set up on some loop runs on NIO: said once. */
    static void groupFellBack(RuntimeException why) {
        LOGGED.set(false);
        logOnce("backend auto: NIO for the loop group, since an io_uring ring could not be set up: " + why.getMessage());
    }

    /**
     * The backend {@code backend} comes to here: {@link Backend#AUTO} becomes io_uring if the probe
     * passes (the choice logged once), else NIO; {@link Backend#IO_URING} is refused with the
     * probe's reason if it cannot serve. For a group of loops, which must share one backend.
     */
    static Backend resolve(Backend backend) {
        return switch (backend) {
            case NIO -> Backend.NIO;
            case IO_URING -> {
                IoUringSupport support = support();
                if (!support.available()) {
                    throw unavailable(support);
                }
                yield Backend.IO_URING;
            }
            case AUTO -> {
                IoUringSupport support = support();
                logOnce(support.available() ? "backend auto: io_uring (" + support.reason() + ")"
                        : "backend auto: NIO, since " + support.reason());
                yield support.available() ? Backend.IO_URING : Backend.NIO;
            }
        };
    }

    private static IllegalStateException unavailable(IoUringSupport support) {
        return new IllegalStateException("the io_uring backend was asked for, but " + support.reason()
                + " (the NIO backend works here: -D" + Backend.PROPERTY + "=nio, or --backend nio)");
    }

    /** A new event source for {@code backend}; the caller owns it. */
    static NetSource open(Backend backend) {
        return switch (backend) {
            case NIO -> new SelectorEventSource();
            case IO_URING -> openRing();
            case AUTO -> openAuto();
        };
    }

    private static NetSource openRing() {
        IoUringSupport support = support();
        if (!support.available()) {
            throw unavailable(support);
        }
        try {
            return newRing();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the io_uring backend was asked for, but the ring could not be set up: "
                    + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""), e);
        }
    }

    private static NetSource openAuto() {
        IoUringSupport support = support();
        if (!support.available()) {
            logOnce("backend auto: NIO, since " + support.reason());
            return new SelectorEventSource();
        }
        try {
            UringEventSource ring = newRing();
            logOnce("backend auto: io_uring (" + support.reason() + ")");
            return ring;
        } catch (RuntimeException | LinkageError e) { // never fatal under auto
            logOnce("backend auto: NIO, since the io_uring ring could not be set up: " + e);
            return new SelectorEventSource();
        }
    }

    private static void logOnce(String message) {
        if (LOGGED.compareAndSet(false, true)) {
            LOG.log(Level.INFO, message);
        }
    }
}
