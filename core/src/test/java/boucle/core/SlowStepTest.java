package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
    private static void spinUntilReported(Warnings warnings, Duration threshold) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (warnings.aboutSlowSteps().isEmpty() && System.nanoTime() - giveUp < 0) {
            spin(Duration.ofMillis(1));
        }
        spin(threshold.multipliedBy(2)); // time for a second report, which must not come
    }

    @Test
    void aTaskHoldingTheLoopPastTheThresholdIsReportedOnceWithItsNameAndStack() {
        try (Warnings warnings = new Warnings(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(50));
            loop.runTask(() -> {
                interrupt();
                Loop.current().spawn("number-cruncher", () -> spinUntilReported(warnings, Duration.ofMillis(50))).await();
            });
            List<String> slow = warnings.aboutSlowSteps();
            assertEquals(1, slow.size(), slow.toString());
            String warning = slow.get(0);
            assertTrue(warning.startsWith("task 'number-cruncher' has held its loop for at least "), warning);
            assertTrue(warning.contains("at boucle.core.SlowStepTest.spinUntilReported(SlowStepTest.java:"), warning);
        }
    }

    @Test
    void aTaskThatSuspendsOftenIsNotReported() {
        try (Warnings warnings = new Warnings(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(500));
            loop.runTask(() -> {
                for (int i = 0; i < 50; i++) {
                    spin(Duration.ofMillis(2));
                    interrupt();
                }
            });
            assertEquals(List.of(), warnings.aboutSlowSteps());
        }
    }

    @Test
    void aZeroThresholdTurnsTheReportOff() {
        try (Warnings warnings = new Warnings(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ZERO);
            loop.runTask(() -> spin(Duration.ofMillis(150)));
            assertEquals(List.of(), warnings.aboutSlowSteps());
        }
    }

    @Test
    void theDefaultThresholdIsAHundredMilliseconds() {
        try (Loop loop = new Loop()) {
            assertEquals(Duration.ofMillis(100).toNanos(), loop.watch.thresholdNanos());
        }
    }

    /** Collects the WARNING records of the "boucle.core" logger, from any thread. */
    private static final class Warnings extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("boucle.core");
        private final List<String> messages = new CopyOnWriteArrayList<>();

        Warnings() {
            logger.addHandler(this);
        }

        List<String> aboutSlowSteps() {
            return messages.stream().filter(m -> m.contains("has held its loop")).toList();
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
