package boucle.core;

import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void anAutojumpClockRunsAThirtySecondTimeoutWithoutWaiting() {
        VirtualClock clock = VirtualClock.autojump();
        long realStart = System.nanoTime();
        try (Loop loop = new Loop(clock, new ParkingEventSource())) {
            String outcome = loop.runTask(() -> {
                try {
                    return Timeouts.withTimeout(Duration.ofSeconds(30), () -> {
                        sleep(Duration.ofHours(1));
                        return "slept";
                    });
                } catch (TaskTimeoutException e) {
                    return "timed out after " + clock.elapsed().toSeconds() + " s";
                }
            });
            assertEquals("timed out after 30 s", outcome);
        }
        // not a speed assertion: a real wait of 30 s would make this fail, whatever the machine
        assertTrue(System.nanoTime() - realStart < Duration.ofSeconds(25).toNanos());
    }

    @Test
    void timeJumpsOnlyWhenEveryTaskWaitsAndTimersFireInDeadlineOrder() {
        VirtualClock clock = VirtualClock.autojump();
        try (Loop loop = new Loop(clock, new ParkingEventSource())) {
            loop.runTask(() -> {
                Loop.current().spawn(() -> {
                    sleep(Duration.ofSeconds(2));
                    events.add("b at " + clock.elapsed().toSeconds());
                });
                Loop.current().spawn(() -> {
                    sleep(Duration.ofSeconds(1));
                    events.add("a at " + clock.elapsed().toSeconds());
                });
                for (int i = 0; i < 100; i++) {
                    Boucle.interrupt(); // a busy task: time must stand still meanwhile
                }
                events.add("busy done at " + clock.elapsed().toSeconds());
                sleep(Duration.ofSeconds(3));
                events.add("main at " + clock.elapsed().toSeconds());
            });
        }
        assertEquals(List.of("busy done at 0", "a at 1", "b at 2", "main at 3"), events);
    }

    @Test
    void aManualClockMovesOnlyWhenAdvanced() {
        VirtualClock clock = new VirtualClock();
        try (Loop loop = new Loop(clock, new ParkingEventSource())) {
            loop.runTask(() -> {
                Task<Void> sleeper = Loop.current().spawn(() -> {
                    sleep(Duration.ofSeconds(10));
                    events.add("woke at " + clock.elapsed().toSeconds());
                });
                Boucle.waitAllTasksBlocked();
                events.add("still asleep at " + clock.elapsed().toSeconds());
                clock.advance(Duration.ofSeconds(10));
                sleeper.await();
            });
        }
        assertEquals(List.of("still asleep at 0", "woke at 10"), events);
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
    }
}
