package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void setWakesEveryWaiterInTheOrderTheyCame() {
        try (Loop loop = new Loop()) {
            Event event = new Event();
            for (String name : List.of("a", "b", "c")) {
                loop.spawn(() -> {
                    event.await();
                    events.add(name);
                });
            }
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // every waiter is parked
                events.add("setting with " + event.waitingTasks() + " waiting");
                event.set();
            });
            loop.run();
            assertEquals(List.of("setting with 3 waiting", "a", "b", "c"), events);
        }
    }

    @Test
    void awaitOnASetEventReturnsAtOnce() {
        try (Loop loop = new Loop()) {
            Event event = new Event();
            event.set();
            loop.runTask(() -> {
                event.await();
                events.add("through");
            });
            assertEquals(List.of("through"), events);
        }
    }

    @Test
    void waitersWokenBySetReturnEvenIfTheEventIsClearedBeforeTheyRun() {
        try (Loop loop = new Loop()) {
            Event event = new Event();
            loop.spawn(() -> {
                event.await();
                events.add("woken, event is " + (event.isSet() ? "set" : "clear"));
            });
            loop.spawn(() -> {
                event.set();
                event.clear();
            });
            loop.run();
            assertEquals(List.of("woken, event is clear"), events);
        }
    }

    @Test
    void afterClearAwaitParksUntilTheNextSet() {
        try (Loop loop = new Loop()) {
            Event event = new Event();
            event.set();
            event.clear();
            Task<Void> waiter = loop.spawn(() -> {
                event.await();
                events.add("woken");
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked
                events.add("parked: " + waiter.state());
                event.set();
            });
            loop.run();
            assertEquals(List.of("parked: PARKED", "woken"), events);
        }
    }

    @Test
    void aCancelledWaiterLeavesTheEvent() {
        try (Loop loop = new Loop()) {
            Event event = new Event();
            Task<Void> waiter = loop.spawn(event::await);
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked
                waiter.cancel();
                Boucle.waitAllTasksBlocked(); // the cancelled waiter has left
                events.add("waiting: " + event.waitingTasks());
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertEquals(List.of("waiting: 0"), events);
        }
    }
}
