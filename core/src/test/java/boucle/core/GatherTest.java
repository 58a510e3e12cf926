package boucle.core;

import static boucle.core.Boucle.gather;
import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class GatherTest {
    private final VirtualClock time = VirtualClock.autojump();
    private final List<String> events = new ArrayList<>();

    @Test
    void resultsComeBackInTheOrderGivenNotTheOrderFinished() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Callable<String> slow = () -> {
                sleep(Duration.ofMillis(30));
                events.add("slow done");
                return "slow";
            };
            Callable<String> fast = () -> {
                sleep(Duration.ofMillis(10));
                events.add("fast done");
                return "fast";
            };
            List<String> results = loop.runTask(() -> gather(slow, fast));
            assertEquals(List.of("slow", "fast"), results);
            assertEquals(List.of("fast done", "slow done"), events);
        }
    }

    @Test
    void gatheredTasksRunConcurrently() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            long start = loop.now();
            loop.runTask(() -> gather(() -> sleep(Duration.ofSeconds(1)), () -> sleep(Duration.ofSeconds(1))));
            assertEquals(1_000_000_000L, loop.now() - start);
        }
    }

    @Test
    void theFirstFailurePropagatesAtOnceAndTheOthersAreCancelled() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Task<String> longOne = loop.spawn("long", () -> {
                try {
                    sleep(Duration.ofHours(1));
                    return "never";
                } finally {
                    events.add("long cleaned up");
                }
            });
            Task<String> failing = loop.spawn("failing", () -> {
                sleep(Duration.ofMillis(5));
                throw new IllegalStateException("first failure");
            });
            Task<Object> gatherer = loop.spawn(() -> gather(longOne, failing));
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(gatherer));
            assertEquals("first failure", thrown.getMessage());
            loop.run();
            assertTrue(longOne.isCancelled());
            assertEquals(List.of("long cleaned up"), events);
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void cancellingTheGathererCancelsWhatItGathers() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Task<String> child = loop.spawn(() -> {
                sleep(Duration.ofHours(1));
                return "never";
            });
            Task<List<String>> gatherer = loop.spawn(() -> gather(child));
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the gatherer is parked on its child
                gatherer.cancel();
            });
            loop.run();
            assertTrue(gatherer.isCancelled());
            assertTrue(child.isCancelled());
        }
    }

    @Test
    void gatheringNothingReturnsNothing() {
        assertEquals(List.of(), Boucle.runTask(() -> gather(new ArrayList<Task<? extends Object>>())));
    }

    @Test
    void gatherOfRoutinesWaitsForAll() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            loop.runTask(() -> gather(() -> events.add("a"), () -> {
                interrupt();
                events.add("b");
            }));
            assertEquals(List.of("a", "b"), events);
        }
    }
}
