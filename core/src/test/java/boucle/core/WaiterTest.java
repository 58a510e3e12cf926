package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaiterTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void awaitParksUntilTheLastSet() {
        try (Loop loop = new Loop()) {
            Waiter waiter = new Waiter(3);
            loop.spawn(() -> {
                waiter.await();
                events.add("woken");
            });
            for (int i = 1; i <= 3; i++) {
                int n = i;
                loop.spawn(() -> {
                    interrupt();
                    events.add("set " + n);
                    waiter.set();
                });
            }
            loop.run();
            assertEquals(List.of("set 1", "set 2", "set 3", "woken"), events);
        }
    }

    @Test
    void everyWaitingTaskIsWokenInArrivalOrder() {
        try (Loop loop = new Loop()) {
            Waiter waiter = new Waiter();
            for (String name : List.of("a", "b", "c")) {
                loop.spawn(() -> {
                    waiter.await();
                    events.add(name);
                });
            }
            loop.spawn(() -> {
                interrupt();
                assertEquals(3, waiter.waitingTasks());
                waiter.set();
            });
            loop.run();
            assertEquals(List.of("a", "b", "c"), events);
            assertEquals(0, waiter.waitingTasks());
        }
    }

    @Test
    void awaitingASetWaiterReturnsAtOnce() {
        Waiter waiter = new Waiter(0);
        assertTrue(waiter.isSet());
        Boucle.runTask(() -> {
            waiter.await();
            events.add("through");
        });
        assertEquals(List.of("through"), events);
    }

    @Test
    void extraSetsChangeNothing() {
        Waiter waiter = new Waiter(1);
        waiter.set();
        waiter.set();
        assertTrue(waiter.isSet());
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Waiter(-1));
    }

    @Test
    void aCancelledWaiterLeavesNoEntryBehind() {
        try (Loop loop = new Loop()) {
            Waiter waiter = new Waiter();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                tasks.add(loop.spawn(waiter::await));
            }
            loop.callSoon(() -> tasks.forEach(Task::cancel));
            loop.run();
            assertEquals(0, waiter.waitingTasks());
        }
    }
}
