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

    @Test
    void waitAllTasksBlockedReturnsOnceEveryOtherTaskIsParked() {
        try (Loop loop = new Loop()) {
            Event go = new Event();
            loop.runTask(() -> {
                for (int i = 0; i < 3; i++) {
                    int worker = i;
                    Loop.current().spawn(() -> {
                        for (int step = 0; step <= worker * 3; step++) {
                            interrupt(); // busy for a different number of turns each
                        }
                        events.add("worker " + worker + " waits");
                        go.await();
                    });
                }
                Boucle.waitAllTasksBlocked();
                events.add("all blocked");
                go.set();
                Boucle.waitAllTasksBlocked();
                events.add("all done");
            });
            assertEquals(List.of("worker 0 waits", "worker 1 waits", "worker 2 waits", "all blocked", "all done"),
                    events);
        }
    }

    @Test
    void waitAllTasksBlockedCountsSleepersAsBlockedButNotADueTimer() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> {
                Task<Void> sleeper = Loop.current().spawn(() -> sleep(Duration.ofDays(1)));
                Loop.current().callSoon(() -> events.add("callback"));
                Boucle.waitAllTasksBlocked();
                events.add("blocked: " + sleeper.state());
                sleeper.cancel();
            });
            assertEquals(List.of("callback", "blocked: PARKED"), events);
        }
    }

    @Test
    void severalWaitersForIdlenessGoOnOneAtATimeOldestFirst() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> {
                Task<Void> first = Loop.current().spawn(() -> {
                    Boucle.waitAllTasksBlocked();
                    events.add("first");
                    interrupt();
                    events.add("first again");
                });
                Task<Void> second = Loop.current().spawn(() -> {
                    Boucle.waitAllTasksBlocked();
                    events.add("second");
                });
                Boucle.gather(first, second);
            });
            assertEquals(List.of("first", "first again", "second"), events);
        }
    }

    @Test
    void anUnobservedFailureGoesToTheLoopsHandlerInsteadOfTheLog() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            List<String> seen = new ArrayList<>();
            loop.setUnobservedFailureHandler((task, failure) -> seen.add(task.name() + ": " + failure.getMessage()));
            loop.spawn("doomed", () -> {
                throw new IllegalStateException("assertion in a task");
            });
            loop.spawn("cancelled", () -> sleep(Duration.ofDays(1))).cancel();
            loop.runTask(() -> {
                Task<Void> awaited = Loop.current().spawn(() -> {
                    throw new IllegalStateException("awaited");
                });
                assertThrows(IllegalStateException.class, awaited::await);
            });
            assertEquals(List.of("doomed: assertion in a task"), seen);
            assertEquals(List.of(), log.warningsAbout("nothing awaited"));
        }
    }
}
