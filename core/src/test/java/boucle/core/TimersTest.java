package boucle.core;

import static boucle.core.Boucle.sleep;
import static boucle.core.Boucle.sleepUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimersTest {
    private final VirtualClock time = VirtualClock.autojump();
    private final List<String> events = new ArrayList<>();

    @Test
    void timersWithEqualDeadlinesRunInTheOrderTheyWereSet() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            long at = loop.now() + 1_000;
            for (String name : List.of("a", "b", "c", "d")) {
                loop.callAt(at, () -> events.add(name));
            }
            loop.callAt(at - 1, () -> events.add("earlier"));
            loop.run();
            assertEquals(List.of("earlier", "a", "b", "c", "d"), events);
        }
    }

    @Test
    void sleepingTaskWakesAtItsDeadline() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            long start = loop.now();
            long[] wokeAt = new long[1];
            loop.runTask(() -> {
                sleep(Duration.ofMillis(250));
                wokeAt[0] = loop.now();
            });
            assertEquals(start + 250_000_000L, wokeAt[0]);
        }
    }

    @Test
    void sleepersWakeInDeadlineOrder() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            for (int ms : new int[] {30, 10, 20}) {
                loop.spawn(() -> {
                    sleep(Duration.ofMillis(ms));
                    events.add(ms + " ms");
                });
            }
            loop.run();
            assertEquals(List.of("10 ms", "20 ms", "30 ms"), events);
        }
    }

    @Test
    void whileEveryTaskSleepsTheLoopWaitsOnceUntilTheEarliestDeadline() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            loop.spawn(() -> sleep(Duration.ofSeconds(2)));
            loop.spawn(() -> sleep(Duration.ofSeconds(5)));
            loop.run();
            // first turn starts both tasks (work is ready), then one turn per deadline, time jumping to it
            assertEquals(3, loop.turns());
            assertEquals(Duration.ofSeconds(5), time.elapsed());
        }
    }

    @Test
    void aSleepThatIsDueGivesTheHandBackOnce() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            loop.spawn(() -> {
                sleepUntil(loop.now() - 1);
                events.add("sleeper");
            });
            loop.spawn(() -> events.add("other"));
            loop.run();
            assertEquals(List.of("other", "sleeper"), events);
        }
    }

    @Test
    void aCancelledTimerLeavesTheHeapAtOnce() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Handle far = loop.callLater(Duration.ofDays(1), () -> events.add("never"));
            assertEquals(1, loop.pendingTimers());
            assertTrue(far.cancel());
            assertEquals(0, loop.pendingTimers());
            assertFalse(far.cancel());
            assertTrue(far.isCancelled());
            loop.run();
            assertEquals(List.of(), events);
            assertEquals(0, loop.turns(), "no turn: a cancelled timer is no work");
            assertEquals(Duration.ZERO, time.elapsed());
        }
    }

    @Test
    void cancellingASleepingTaskRemovesItsTimer() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            List<Task<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                sleepers.add(loop.spawn(() -> sleep(Duration.ofHours(1))));
            }
            loop.callSoon(() -> {
                assertEquals(1000, loop.pendingTimers());
                sleepers.forEach(Task::cancel);
            });
            loop.run();
            assertEquals(0, loop.pendingTimers());
            assertTrue(sleepers.stream().allMatch(Task::isCancelled));
        }
    }

    @Test
    void aTimerSetByADueTimerWaitsForTheNextTurn() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            loop.callLater(Duration.ZERO, () -> {
                events.add("first at turn " + loop.turns());
                loop.callLater(Duration.ZERO, () -> events.add("second at turn " + loop.turns()));
            });
            loop.run();
            assertEquals(List.of("first at turn 1", "second at turn 2"), events);
        }
    }
}
