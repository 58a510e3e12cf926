package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void runReturnsWhenNoWorkIsLeft() {
        try (Loop loop = new Loop()) {
            loop.spawn(() -> events.add("a"));
            loop.callSoon(() -> events.add("b"));
            loop.run();
            assertEquals(List.of("a", "b"), events);
            assertTrue(loop.tasks().isEmpty());
        }
    }

    @Test
    void runUntilCompleteReturnsTheResult() {
        try (Loop loop = new Loop()) {
            Task<Integer> answer = loop.spawn(() -> {
                interrupt();
                return 42;
            });
            assertEquals(42, loop.runUntilComplete(answer));
        }
    }

    @Test
    void runUntilCompleteRethrowsTheTaskFailure() {
        try (Loop loop = new Loop()) {
            Task<Object> failing = loop.spawn(() -> {
                interrupt();
                throw new IllegalArgumentException("boom");
            });
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> loop.runUntilComplete(failing));
            assertEquals("boom", thrown.getMessage());
        }
    }

    @Test
    void runUntilCompleteOnATaskThatCanNeverFinishSaysSo() {
        try (Loop loop = new Loop()) {
            Waiter never = new Waiter();
            Task<Void> stuck = loop.spawn("stuck", never::await);
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(stuck));
            assertTrue(thrown.getMessage().contains("can never finish"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("stuck"), thrown.getMessage());
        }
    }

    @Test
    void callSoonRunsCallbacksInOrder() {
        try (Loop loop = new Loop()) {
            loop.callSoon(() -> events.add("1"));
            loop.callSoon(() -> events.add("2"));
            Handle cancelled = loop.callSoon(() -> events.add("never"));
            loop.callSoon(() -> events.add("3"));
            assertTrue(cancelled.cancel());
            loop.run();
            assertEquals(List.of("1", "2", "3"), events);
        }
    }

    @Test
    void aCallbackThatThrowsIsLoggedAndTheLoopGoesOn() {
        try (Loop loop = new Loop()) {
            loop.callSoon(() -> {
                throw new IllegalStateException("callback bug");
            });
            loop.callSoon(() -> events.add("after"));
            loop.run();
            assertEquals(List.of("after"), events);
        }
    }

    @Test
    void runForeverStopsOnStop() {
        try (Loop loop = new Loop()) {
            loop.callLater(Duration.ofMillis(5), () -> {
                events.add("stopping");
                loop.stop();
            });
            loop.runForever();
            assertEquals(List.of("stopping"), events);
        }
    }

    @Test
    void callSoonThreadsafeWakesALoopBlockedOnALongTimer() throws Exception {
        try (Loop loop = new Loop()) {
            Handle farAway = loop.callLater(Duration.ofHours(1), () -> events.add("too late"));
            CountDownLatch blocked = new CountDownLatch(1);
            loop.callSoon(blocked::countDown);
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    blocked.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                loop.callSoonThreadsafe(() -> {
                    events.add("woken by " + Thread.currentThread().getName().isEmpty());
                    farAway.cancel();
                    loop.stop();
                });
            });
            loop.runForever();
            other.join();
            assertEquals(List.of("woken by false"), events);
        }
    }

    @Test
    void aHundredThousandTasksSpawnAndFinish() {
        try (Loop loop = new Loop()) {
            int[] finished = {0};
            for (int i = 0; i < 100_000; i++) {
                loop.spawn(() -> {
                    interrupt();
                    finished[0]++;
                });
            }
            loop.run();
            assertEquals(100_000, finished[0]);
            assertTrue(loop.tasks().isEmpty());
        }
    }

    @Test
    void sleepingLoopDoesNotSpin() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> sleep(Duration.ofMillis(200)));
            assertTrue(loop.turns() <= 3, "turns: " + loop.turns());
        }
    }
}
