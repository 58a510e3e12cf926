package boucle.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import boucle.core.Boucle;
import boucle.core.Event;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskTimeoutException;
import boucle.core.Timeouts;
import boucle.core.VirtualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit fails what it promises to fail: each nested class below is a deliberately bad test, run
 * here through JUnit's engine test kit (Surefire skips nested classes, so they never run alone).
 */
class BoucleExtensionTest {
    static final List<String> seen = new CopyOnWriteArrayList<>();

    private static EngineTestKit.Builder engine() {
        return EngineTestKit.engine("junit-jupiter").configurationParameter(DeliberatelyBad.RUN, "true");
    }

    /** Runs {@code testClass} in a nested JUnit engine and returns the failure of its one test. */
    private static Throwable failureOf(Class<?> testClass) {
        Events tests = engine().selectors(selectClass(testClass)).execute().testEvents();
        tests.assertStatistics(stats -> stats.started(1).failed(1));
        return tests.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    @DeliberatelyBad
    static class UnawaitedFailure {
        @BoucleTest
        void spawnsATaskWhoseAssertionFails(Loop loop) {
            loop.spawn("checker", () -> {
                throw new AssertionError("the check inside the task");
            });
            Boucle.interrupt(); // the task runs, fails, and nothing awaits it
        }
    }

    @Test
    void aTaskThatFailsUnawaitedFailsTheTest() {
        Throwable failure = failureOf(UnawaitedFailure.class);
        assertTrue(failure.getMessage().contains("task 'checker' failed and nothing awaited it"), failure.toString());
        assertEquals("the check inside the task", failure.getCause().getMessage());
    }

    @DeliberatelyBad
    static class AwaitedLate {
        @BoucleTest
        void readsTheFailureAfterTheTaskEnded(Loop loop) {
            Task<Void> failing = loop.spawn(() -> {
                throw new IllegalStateException("expected");
            });
            Boucle.interrupt();
            assertTrue(failing.isDone());
            assertEquals("expected", failing.exception().getMessage()); // observed: no failure
        }
    }

    @Test
    void aFailureReadBeforeTheEndIsNotReported() {
        engine().selectors(selectClass(AwaitedLate.class)).execute().testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    @DeliberatelyBad
    static class Stranded {
        @BoucleTest
        void leavesATaskParkedOnAnEventNobodySets(Loop loop) {
            loop.spawn("forgotten", () -> new Event().await());
            Boucle.waitAllTasksBlocked();
        }
    }

    @Test
    void aTaskLeftAliveFailsTheTestWithItsDump() {
        Throwable failure = failureOf(Stranded.class);
        assertTrue(failure.getMessage().contains("1 task(s) still alive when the test returned"), failure.getMessage());
        assertTrue(failure.getMessage().contains("forgotten"), failure.getMessage());
    }

    @DeliberatelyBad
    static class Leak {
        @BoucleTest
        void dropsABufferWithoutReleasingIt() {
            ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            lost.writeLong(42);
        }
    }

    @Test
    void aByteBufLeakFailsTheTest() {
        Throwable failure = failureOf(Leak.class);
        assertTrue(failure.getMessage().contains("ByteBuf leak(s)"), failure.getMessage());
    }

    @DeliberatelyBad
    static class TooSlow {
        @BoucleTest(timeoutMillis = 300)
        void sleepsForAMinute() {
            try {
                Boucle.sleep(Duration.ofMinutes(1));
            } finally {
                seen.add("finally ran; loop thread interrupted: " + Thread.currentThread().isInterrupted());
            }
        }
    }

    @Test
    void aTestPastItsTimeoutFailsWithATaskDumpAndItsTasksCancelledNotInterrupted() {
        seen.clear();
        Throwable failure = failureOf(TooSlow.class);
        assertTrue(failure.getMessage().contains("did not finish within 300 ms; its tasks were cancelled"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("sleepsForAMinute"), "the dump shows where it waited: " + failure.getMessage());
        assertEquals(List.of("finally ran; loop thread interrupted: false"), seen);
    }

    @DeliberatelyBad
    static class Passing {
        @BoucleTest
        void runsOnTheInjectedLoopInATask(Loop loop) {
            assertSame(loop, Loop.current());
            Task<Integer> answer = loop.spawn(() -> 42);
            assertEquals(42, answer.await());
        }
    }

    @Test
    void aGoodTestPasses() {
        engine().selectors(selectClass(Passing.class)).execute().testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    @BoucleTest
    void aThirtySecondTimeoutOnTheVirtualClockTakesMilliseconds(VirtualClock clock) throws Exception {
        long realStart = System.nanoTime();
        boolean timedOut = false;
        try {
            Timeouts.withTimeout(Duration.ofSeconds(30), () -> new Event().await());
        } catch (TaskTimeoutException expected) {
            timedOut = true;
        }
        long realMillis = (System.nanoTime() - realStart) / 1_000_000;
        assertTrue(timedOut);
        assertEquals(Duration.ofSeconds(30), clock.elapsed());
        // the bound; a real 30 s wait would be 300 times over it, so noise cannot flip this
        assertTrue(realMillis < 100, "took " + realMillis + " ms of real time");
    }

    @BoucleTest
    void waitAllTasksBlockedLetsEveryOtherTaskReachItsWait(Loop loop) {
        Event go = new Event();
        List<String> events = new CopyOnWriteArrayList<>();
        Task<Void> worker = loop.spawn(() -> {
            for (int i = 0; i < 10; i++) {
                Boucle.interrupt();
            }
            events.add("waiting");
            go.await();
            events.add("went");
        });
        Boucle.waitAllTasksBlocked();
        assertEquals(List.of("waiting"), events);
        go.set();
        worker.await();
        assertFalse(worker.isCancelled());
    }
}
