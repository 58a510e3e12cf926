package boucle.net.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each cause the probe knows, forced through its environment: the probe answers with the cause,
 * and never throws. One test runs a JVM without the native-access flag for real.
 */
class ProbeTest {
    @TempDir
    Path dir;

    private final List<String> opened = new ArrayList<>();

    private Probe.Environment environment(String os, boolean nativeAccess, String sysctl, Probe.RingOpener opener,
            int... opcodes) throws IOException {
        return environment(os, nativeAccess, sysctl, opener, Probe.kernelRelease(), opcodes);
    }

    private Probe.Environment environment(String os, boolean nativeAccess, String sysctl, Probe.RingOpener opener,
            String kernelRelease, int... opcodes) throws IOException {
        Path file = dir.resolve("io_uring_disabled");
        if (sysctl == null) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, sysctl + "\n");
        }
        Probe.RingOpener recording = () -> {
            opened.add("open");
            return opener.open();
        };
        return new Probe.Environment(os, nativeAccess, file, recording,
                opcodes.length == 0 ? Probe.REQUIRED_OPCODES : opcodes, kernelRelease);
    }

    private static Probe.RingOpener failing(int errno) {
        return () -> {
            throw new NativeException("io_uring_setup", errno);
        };
    }

    @Test
    void theProbeOfThisJvmIsMadeOnceAndSaysWhatItFound() {
        IoUringSupport support = IoUring.probe();
        assertSame(support, IoUring.probe(), "probed once");
        assertFalse(support.reason().isBlank());
        if (support.available()) {
            assertTrue(support.reason().startsWith("kernel Linux "), support.reason());
        }
    }

    @Test
    void aKernelWithIoUringIsAvailable() throws IOException {
        // io_uring_setup is what decides here; a machine without it reports why, which is this test's subject too
        IoUringSupport support = Probe.run(environment("Linux", true, "0", () -> IoUring.open(8)));
        assertEquals(IoUring.probe().available(), support.available(), support.reason());
    }

    @Test
    void anotherSystemIsNotProbedFurther() throws IOException {
        IoUringSupport support = Probe.run(environment("Mac OS X", true, null, () -> IoUring.open(8)));
        assertEquals(IoUringSupport.no("io_uring is Linux only, and this is Mac OS X"), support);
        assertEquals(List.of(), opened);
    }

    @Test
    void aMissingNativeAccessFlagGivesOneClearMessageAndTouchesNothingNative() throws IOException {
        IoUringSupport support = Probe.run(environment("Linux", false, "0", () -> IoUring.open(8)));
        assertFalse(support.available());
        assertEquals(NativeAccess.MISSING, support.reason());
        assertTrue(support.reason().contains("--enable-native-access=ALL-UNNAMED"));
        assertEquals(List.of(), opened, "no ring was set up");
    }

    @Test
    void theSysctlAtTwoDisablesIoUringForEveryone() throws IOException {
        IoUringSupport support = Probe.run(environment("Linux", true, "2", () -> IoUring.open(8)));
        assertEquals(IoUringSupport.no("io_uring is disabled on this machine (sysctl kernel.io_uring_disabled = 2)"),
                support);
        assertEquals(List.of(), opened);
    }

    @Test
    void eppermWithTheSysctlAtOneNamesTheGroup() throws IOException {
        IoUringSupport support = Probe.run(environment("Linux", true, "1", failing(Abi.EPERM)));
        assertFalse(support.available());
        assertTrue(support.reason().contains("kernel.io_uring_disabled = 1")
                && support.reason().contains("kernel.io_uring_group"), support.reason());
    }

    @Test
    void epermOtherwiseNamesSeccomp() throws IOException {
        IoUringSupport support = Probe.run(environment("Linux", true, "0", failing(Abi.EPERM)));
        assertFalse(support.available());
        assertTrue(support.reason().contains("seccomp"), support.reason());
    }

    @Test
    void enosysSaysTheKernelHasNoIoUring() throws IOException {
        IoUringSupport support = Probe.run(environment("Linux", true, null, failing(Abi.ENOSYS)));
        assertFalse(support.available());
        assertTrue(support.reason().contains("has no io_uring") && support.reason().contains("ENOSYS"),
                support.reason());
    }

    @Test
    void aKernelBeforeSixIsTooOldForTheMultishotReceiveThoughItsProbePasses() throws IOException {
        IoUringSupport old = Probe.run(environment("Linux", true, "0", () -> IoUring.open(8), "Linux 5.19.17-generic"));
        assertFalse(old.available());
        assertTrue(old.reason().contains("5.19.17") && old.reason().contains("Linux 6.0+"), old.reason());
        assertTrue(Probe.run(environment("Linux", true, "0", () -> IoUring.open(8), "Linux 6.0.0")).available());
        assertTrue(Probe.olderThan("Linux 4.19.0", Probe.MULTISHOT_RECEIVE_KERNEL));
        assertFalse(Probe.olderThan("Linux 10.1.0", Probe.MULTISHOT_RECEIVE_KERNEL));
        assertFalse(Probe.olderThan("Linux unknown", Probe.MULTISHOT_RECEIVE_KERNEL));
    }

    @Test
    void aKernelWithoutTheNeededFeaturesIsTooOld() throws IOException {
        Probe.RingOpener old = () -> {
            throw new NativeException("io_uring_setup",
                    "kernel too old: it lacks the features EXT_ARG (needs Linux 5.11 or later)");
        };
        IoUringSupport support = Probe.run(environment("Linux", true, "0", old));
        assertEquals(IoUringSupport.no("io_uring_setup: kernel too old: it lacks the features EXT_ARG"
                + " (needs Linux 5.11 or later)"), support);
    }

    @Test
    void aMissingOpcodeIsNamedAndTheRingIsClosed() throws IOException {
        List<IoUring> rings = new ArrayList<>();
        Probe.RingOpener keep = () -> {
            IoUring ring = IoUring.open(8);
            rings.add(ring);
            return ring;
        };
        if (!IoUring.probe().available()) {
            return; // needs a real ring to ask; the other tests force the rest
        }
        IoUringSupport support = Probe.run(environment("Linux", true, "0", keep, Abi.IORING_OP_RECV, 250));
        assertFalse(support.available());
        assertTrue(support.reason().contains("lacks the opcodes opcode 250"), support.reason());
        assertFalse(support.reason().contains("RECV"), support.reason());
        assertFalse(rings.getFirst().isOpen(), "the probe closes its ring");
    }

    @Test
    void anUnexpectedFailureBecomesTheReason() throws IOException {
        Probe.RingOpener denied = () -> {
            throw new IllegalCallerException("native access denied");
        };
        IoUringSupport support = Probe.run(environment("Linux", true, "0", denied));
        assertEquals(IoUringSupport.no("io_uring could not be set up: java.lang.IllegalCallerException:"
                + " native access denied"), support);
    }

    /** A JVM started without --enable-native-access: the probe's message, and not one JVM warning. */
    @Test
    void aJvmWithoutTheFlagGetsTheMessageAndNoWarning() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = Path.of(IoUring.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(ProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process process = new ProcessBuilder(java.toString(), "-cp", classpath, ProbeMain.class.getName())
                .redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the probing JVM did not end");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertEquals("io_uring unavailable: " + NativeAccess.MISSING, output.strip());
    }
}
