package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemaphoreTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void atMostPermitsTasksHoldItAtOnce() {
        try (Loop loop = new Loop()) {
            Semaphore semaphore = new Semaphore(2);
            int[] inside = {0, 0};
            for (int i = 0; i < 6; i++) {
                loop.spawn(() -> {
                    semaphore.acquire();
                    try {
                        inside[0]++;
                        inside[1] = Math.max(inside[1], inside[0]);
                        interrupt();
                        inside[0]--;
                    } finally {
                        semaphore.release();
                    }
                });
            }
            loop.run();
            assertEquals(2, inside[1]);
            assertEquals(2, semaphore.availablePermits());
        }
    }

    @Test
    void aReleasedPermitGoesToTheLongestWaiterNotToANewcomer() {
        try (Loop loop = new Loop()) {
            Semaphore semaphore = new Semaphore(1);
            loop.spawn(() -> {
                semaphore.acquire();
                interrupt();
                semaphore.release();
                events.add("newcomer tries: " + semaphore.tryAcquire());
            });
            loop.spawn(() -> {
                semaphore.acquire();
                events.add("waiter");
                semaphore.release();
            });
            loop.run();
            assertEquals(List.of("newcomer tries: false", "waiter"), events);
        }
    }

    @Test
    void aWaiterCancelledAfterTheHandOffKeepsThePermit() {
        try (Loop loop = new Loop()) {
            Semaphore semaphore = new Semaphore(0);
            Task<Void> waiter = loop.spawn(() -> {
                semaphore.acquire();
                try {
                    events.add("acquired");
                    interrupt();
                } finally {
                    semaphore.release();
                }
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked
                semaphore.release();
                waiter.cancel();
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertEquals(List.of("acquired"), events);
            assertEquals(1, semaphore.availablePermits());
        }
    }

    @Test
    void aWaiterCancelledBeforeTheHandOffTakesNoPermit() {
        try (Loop loop = new Loop()) {
            Semaphore semaphore = new Semaphore(0);
            Task<Void> waiter = loop.spawn(semaphore::acquire);
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked
                waiter.cancel();
                Boucle.waitAllTasksBlocked(); // the cancelled waiter has left
                semaphore.release();
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertEquals(1, semaphore.availablePermits());
            assertEquals(0, semaphore.waitingTasks());
        }
    }

    @Test
    void aBoundedSemaphoreRejectsOverRelease() {
        try (Loop loop = new Loop()) {
            Semaphore bounded = Semaphore.bounded(1);
            Semaphore plain = new Semaphore(1);
            loop.runTask(() -> {
                bounded.acquire();
                bounded.release();
                IllegalStateException thrown = assertThrows(IllegalStateException.class, bounded::release);
                assertTrue(thrown.getMessage().contains("released more often than acquired"), thrown.getMessage());
                plain.release();
                assertEquals(2, plain.availablePermits());
            });
        }
    }
}
