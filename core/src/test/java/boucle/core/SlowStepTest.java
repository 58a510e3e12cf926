package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slow-step watchdog, observed through what it logs (System.Logger goes to java.util.logging here). */
class SlowStepTest {
    private static void spin(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait(); // holds the loop without suspending: what the watchdog is for
        }
    }

    /** Spins until the watchdog has spoken (at most 10 s), then twice the threshold more. */
    private static void spinUntilReported(LogCapture warnings, Duration threshold) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (warnings.warningsAbout("has held its loop").isEmpty() && System.nanoTime() - giveUp < 0) {
            spin(Duration.ofMillis(1));
        }
        spin(threshold.multipliedBy(2)); // time for a second report, which must not come
    }

    @Test
    void aTaskHoldingTheLoopPastTheThresholdIsReportedOnceWithItsNameAndStack() {
        try (LogCapture warnings = new LogCapture(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(50));
            loop.runTask(() -> {
                interrupt();
                Loop.current().spawn("number-cruncher", () -> spinUntilReported(warnings, Duration.ofMillis(50))).await();
            });
            List<String> slow = warnings.warningsAbout("has held its loop");
            assertEquals(1, slow.size(), slow.toString());
            String warning = slow.get(0);
            assertTrue(warning.startsWith("task 'number-cruncher' has held its loop for at least "), warning);
            assertTrue(warning.contains("at boucle.core.SlowStepTest.spinUntilReported(SlowStepTest.java:"), warning);
        }
    }

    @Test
    void aTaskThatSuspendsOftenIsNotReported() {
        try (LogCapture warnings = new LogCapture(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(500));
            loop.runTask(() -> {
                for (int i = 0; i < 50; i++) {
                    spin(Duration.ofMillis(2));
                    interrupt();
                }
            });
            assertEquals(List.of(), warnings.warningsAbout("has held its loop"));
        }
    }

    @Test
    void aZeroThresholdTurnsTheReportOff() {
        try (LogCapture warnings = new LogCapture(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ZERO);
            loop.runTask(() -> spin(Duration.ofMillis(150)));
            assertEquals(List.of(), warnings.warningsAbout("has held its loop"));
        }
    }

    @Test
    void theDefaultThresholdIsAHundredMilliseconds() {
        try (Loop loop = new Loop()) {
            assertEquals(Duration.ofMillis(100).toNanos(), loop.watch.thresholdNanos());
        }
    }
}
