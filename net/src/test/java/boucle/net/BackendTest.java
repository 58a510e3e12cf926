package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.net.uring.IoUring;
import boucle.net.uring.IoUringSupport;
import boucle.test.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Backend} and its choice ({@link BackendChoice}): the property, AUTO's fallback when the
 * probe fails (forced here), IO_URING's one clear error, and the loop each choice makes.
 */
class BackendTest {
    private static final IoUringSupport MISSING = new IoUringSupport(false,
            "io_uring_setup refused (EPERM): a seccomp filter forbids io_uring (forced by the test)");

    @AfterEach
    void realProbeAgain() {
        BackendChoice.overrideProbe(null);
        BackendChoice.failRingSetup(false);
    }

    @Test
    void namesParseInAnyCaseAndAnUnknownOneSaysTheChoices() {
        assertEquals(Backend.IO_URING, Backend.parse("io_uring"));
        assertEquals(Backend.IO_URING, Backend.parse("IO-URING"));
        assertEquals(Backend.NIO, Backend.parse(" nio "));
        assertEquals(Backend.AUTO, Backend.parse("Auto"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Backend.parse("kqueue"));
        assertEquals("unknown backend 'kqueue': auto, io_uring or nio", unknown.getMessage());
        assertEquals("io_uring", Backend.IO_URING.optionName());
    }

    @Test
    void autoFallsBackToNioWhenTheProbeFailsAndSaysWhyOnceAtInfo() {
        AtomicInteger probes = new AtomicInteger();
        BackendChoice.overrideProbe(() -> {
            probes.incrementAndGet();
            return MISSING;
        });
        try (LogCapture log = LogCapture.of("boucle.net")) {
            try (Loop first = Net.newLoop(Backend.AUTO); Loop second = Net.newLoop(Backend.AUTO)) {
                assertEquals(Backend.NIO, Net.backendOf(first));
                assertEquals(Backend.NIO, Net.backendOf(second));
                assertEquals("echoed", first.runTask(() -> echoOnce(first)), "the fallback serves sockets");
            }
            assertEquals(List.of("backend auto: NIO, since " + MISSING.reason()), log.messages(Level.INFO, "backend"));
            assertTrue(probes.get() >= 1);
        }
    }

    @Test
    void ioUringAskedForWhereTheProbeFailsIsOneClearErrorAndNoLoop() {
        BackendChoice.overrideProbe(() -> MISSING);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Net.newLoop(Backend.IO_URING));
        assertEquals("the io_uring backend was asked for, but " + MISSING.reason()
                + " (the NIO backend works here: -Dboucle.backend=nio, or --backend nio)", refused.getMessage());
        IllegalStateException group = assertThrows(IllegalStateException.class,
                () -> LoopGroup.start(2, "refused", Backend.IO_URING));
        assertEquals(refused.getMessage(), group.getMessage(), "refused before any loop thread starts");
    }

    @Test
    void aGroupDecidesAutoOnceForAllItsLoops() throws Exception {
        BackendChoice.overrideProbe(() -> MISSING);
        try (LoopGroup group = LoopGroup.start(2, "auto", Backend.AUTO)) {
            assertEquals(Backend.NIO, group.backend());
            for (int i = 0; i < 2; i++) {
                assertEquals(Backend.NIO, group.submit(i, () -> Net.backendOf(Loop.current())).get());
            }
        }
    }

    @Test
    void aRingThatCannotBeSetUpAfterTheProbePassedIsNeverFatalUnderAuto() throws Exception {
        BackendChoice.overrideProbe(() -> new IoUringSupport(true, "forced by the test"));
        BackendChoice.failRingSetup(true);
        try (LogCapture log = LogCapture.of("boucle.net")) {
            try (Loop loop = Net.newLoop(Backend.AUTO)) {
                assertEquals(Backend.NIO, Net.backendOf(loop));
            }
            try (LoopGroup group = LoopGroup.start(2, "fallback", Backend.AUTO)) {
                assertEquals(Backend.NIO, group.backend());
                assertEquals(Backend.NIO, group.submit(1, () -> Net.backendOf(Loop.current())).get());
            }
            assertTrue(log.messages(Level.INFO, "backend auto: NIO").size() >= 1, String.valueOf(log.messages()));
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> LoopGroup.start(2, "forced", Backend.IO_URING));
        assertTrue(refused.getMessage().contains("the ring could not be set up"), refused.getMessage());
    }

    @Test
    void whereIoUringWorksAutoTakesItAndEachBackendServesTheSameEcho() {
        boolean ringHere = IoUring.probe().available() && ChannelDescriptor.isReadable();
        try (Loop auto = Net.newLoop(Backend.AUTO)) {
            assertEquals(ringHere ? Backend.IO_URING : Backend.NIO, Net.backendOf(auto));
        }
        for (Backend backend : ringHere ? List.of(Backend.NIO, Backend.IO_URING) : List.of(Backend.NIO)) {
            try (Loop loop = Net.newLoop(backend)) {
                assertEquals(backend, Net.backendOf(loop));
                assertEquals("echoed", loop.runTask(() -> echoOnce(loop)), backend.name());
            }
        }
    }

    @Test
    void theConfiguredBackendComesFromTheSystemProperty() {
        String before = System.getProperty(Backend.PROPERTY);
        try {
            System.setProperty(Backend.PROPERTY, "nio");
            assertEquals(Backend.NIO, Backend.configured());
            try (Loop loop = Net.newLoop()) {
                assertEquals(Backend.NIO, Net.backendOf(loop));
            }
            System.clearProperty(Backend.PROPERTY);
            assertEquals(Backend.AUTO, Backend.configured(), "auto unless asked: the ring where the kernel has it");
            System.setProperty(Backend.PROPERTY, "bogus");
            assertThrows(IllegalArgumentException.class, Net::newLoop);
        } finally {
            if (before == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, before);
            }
        }
    }

    /** A listener, a client and an accepted connection on {@code loop}: one line there and back. */
    private static String echoOnce(Loop loop) throws Exception {
        try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 16)) {
            var accepted = loop.spawn(() -> {
                try (AsyncSocket connection = listener.accept()) {
                    connection.write(connection.readLine(100) + "ed\n");
                    connection.flush();
                }
                return null;
            });
            try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5))) {
                client.write("echo\n");
                String reply = client.readLine(100);
                accepted.await();
                return reply;
            }
        }
    }
}
