package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
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
    void aComputingStepIsBlamedWithItsCpuTimeTheFullAdviceAndOnlyItsOwnFrames() {
        try (LogCapture warnings = new LogCapture(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(50));
            loop.runTask(() -> {
                interrupt();
                Loop.current().spawn("cruncher", () -> spinUntilReported(warnings, Duration.ofMillis(50))).await();
            });
            String warning = warnings.warningsAbout("has held its loop").get(0);
            assertTrue(warning.contains(" ms without suspending"), warning);
            assertTrue(warning.contains(", on CPU for "), warning);
            assertTrue(warning.contains("with Boucle.interrupt()"), warning);
            assertFalse(warning.contains("(interrupt())"), warning);
            List<String> frames = frames(warning);
            assertTrue(frames.size() <= SlowStepReport.MAX_FRAMES, warning);
            assertTrue(frames.stream().noneMatch(frame -> frame.startsWith("java.") || frame.startsWith("jdk.")
                    || frame.startsWith("boucle.core.Task.") || frame.startsWith("boucle.core.Loop.")
                    || frame.startsWith("boucle.core.Coroutine.")), warning);
            // the sample may land in the spinner's check of the log (LogCapture): the task's own frame is next
            List<String> ownFrames = frames.stream().dropWhile(frame -> frame.startsWith("boucle.core.LogCapture.")).toList();
            assertTrue(ownFrames.get(0).startsWith("boucle.core.SlowStepTest.spin"), warning); // spin or spinUntilReported
        }
    }

    @Test
    void aStepBlockedInACallIsReportedAsBlockedInThatCall() {
        try (LogCapture warnings = new LogCapture(); Loop loop = new Loop()) {
            loop.setSlowStepThreshold(Duration.ofMillis(50));
            loop.runTask(() -> {
                long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (warnings.warningsAbout("has held its loop").isEmpty() && System.nanoTime() - giveUp < 0) {
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // a blocking call, as a JDBC query would be
                }
            });
            List<String> slow = warnings.warningsAbout("has held its loop");
            assertEquals(1, slow.size(), slow.toString());
            String warning = slow.get(0);
            assertTrue(warning.contains("blocked in a call to java.util.concurrent.locks.LockSupport.parkNanos("),
                    warning);
            assertTrue(warning.contains("Move blocking work to Boucle.runInThread"), warning);
            assertTrue(frames(warning).get(0).startsWith("boucle.core.SlowStepTest.lambda$"), warning);
        }
    }

    @Test
    void aThreadThatWasDescheduledIsNotBlamedOnTheTask() {
        StackTraceElement[] stack = {
            new StackTraceElement("boucle.core.SlowStepTest", "hash", "SlowStepTest.java", 10),
            new StackTraceElement("boucle.core.Task", "runBody", "Task.java", 20),
        };
        SlowStepReport report = new SlowStepReport("task 'hasher'", "loop-1", ms(100), ms(400), ms(3),
                Thread.State.RUNNABLE, stack);
        assertEquals(SlowStepReport.Cause.DESCHEDULED, report.cause);
        assertEquals(System.Logger.Level.INFO, report.level);
        assertTrue(report.message.startsWith("loop thread 'loop-1' made no progress for 400 ms in a step of"
                + " task 'hasher' (threshold 100 ms), on CPU for 3 ms of it"), report.message);
        assertTrue(report.message.contains("descheduled"), report.message);
        assertFalse(report.message.contains("\tat "), report.message);
    }

    @Test
    void theCauseComesFromCpuTimeAgainstWallTimeThenFromTheThreadState() {
        StackTraceElement javaFrame = new StackTraceElement("java.lang.Math", "sqrt", "Math.java", 1);
        StackTraceElement nativeRead = new StackTraceElement(null, "java.base", null, "sun.nio.ch.SocketDispatcher",
                "read0", null, -2); // line -2: a native method
        StackTraceElement[] computing = {javaFrame};
        StackTraceElement[] reading = {nativeRead};
        StackTraceElement[] readingTheClock = { // native too, but never blocks: a spinning thread is often seen there
            new StackTraceElement(null, "java.base", null, "java.lang.System", "nanoTime", null, -2)};
        assertEquals(SlowStepReport.Cause.DESCHEDULED,
                SlowStepReport.cause(ms(100), ms(200), ms(1), Thread.State.RUNNABLE, readingTheClock));
        assertEquals(SlowStepReport.Cause.COMPUTING,
                SlowStepReport.cause(ms(100), ms(200), ms(150), Thread.State.RUNNABLE, computing));
        assertEquals(SlowStepReport.Cause.COMPUTING, // no CPU clock: the step is blamed, as before
                SlowStepReport.cause(ms(100), ms(200), -1, Thread.State.RUNNABLE, computing));
        assertEquals(SlowStepReport.Cause.BLOCKED_IN_CALL,
                SlowStepReport.cause(ms(100), ms(200), ms(1), Thread.State.RUNNABLE, reading));
        assertEquals(SlowStepReport.Cause.BLOCKED_IN_CALL,
                SlowStepReport.cause(ms(100), ms(200), ms(1), Thread.State.BLOCKED, computing));
        assertEquals(SlowStepReport.Cause.BLOCKED_IN_CALL,
                SlowStepReport.cause(ms(100), ms(200), ms(1), Thread.State.TIMED_WAITING, computing));
        assertEquals(SlowStepReport.Cause.DESCHEDULED,
                SlowStepReport.cause(ms(100), ms(200), ms(1), Thread.State.RUNNABLE, computing));
        assertEquals(SlowStepReport.Cause.COMPUTING, // a third of a busy CPU, yet more than the threshold of its own
                SlowStepReport.cause(ms(100), ms(330), ms(110), Thread.State.RUNNABLE, computing));
    }

    @Test
    void theStackShownKeepsTheTasksOwnFramesInnermostFirstAndAtMostEight() {
        List<StackTraceElement> stack = new ArrayList<>();
        stack.add(new StackTraceElement("java.lang.Thread", "sleep0", "Thread.java", -2));
        stack.add(new StackTraceElement("jdk.internal.misc.Unsafe", "park", "Unsafe.java", 1));
        for (int i = 0; i < 12; i++) {
            stack.add(new StackTraceElement("com.example.App", "level" + i, "App.java", i + 1));
            stack.add(new StackTraceElement("boucle.core.Task", "runBody", "Task.java", 1));
        }
        stack.add(new StackTraceElement("boucle.core.SlowStepTest", "body", "SlowStepTest.java", 1)); // not Boucle's
        List<StackTraceElement> own = SlowStepReport.ownFrames(stack.toArray(StackTraceElement[]::new));
        assertEquals(8, own.size());
        for (int i = 0; i < 8; i++) {
            assertEquals("level" + i, own.get(i).getMethodName());
        }
        assertFalse(SlowStepReport.isMachinery(new StackTraceElement("boucle.core.SlowStepTest", "x", null, 1)));
        assertTrue(SlowStepReport.isMachinery(new StackTraceElement("boucle.core.Coroutine", "resume", null, 1)));
    }

    private static long ms(long millis) {
        return millis * 1_000_000;
    }

    /** The frames a report lists, as "class.method(file:line)". */
    private static List<String> frames(String warning) {
        return Arrays.stream(warning.split("\n\tat ")).skip(1).toList();
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
