package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void onlyOneTaskAtATimeIsInsideTheLock() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            int[] inside = {0};
            int[] most = {0};
            for (int i = 0; i < 5; i++) {
                loop.spawn(() -> {
                    lock.acquire();
                    try {
                        inside[0]++;
                        most[0] = Math.max(most[0], inside[0]);
                        interrupt();
                        interrupt();
                        inside[0]--;
                    } finally {
                        lock.release();
                    }
                });
            }
            loop.run();
            assertEquals(1, most[0], "tasks inside the lock at once"); // checked here: a task's failure would only be logged
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void releaseHandsTheLockToTheLongestWaiterWithoutBarging() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            loop.spawn("holder", () -> {
                lock.acquire();
                Boucle.waitAllTasksBlocked(); // the waiters queue up
                lock.release();
                events.add("released; now " + lock);
                lock.acquire(); // a newcomer: must queue behind the waiters
                events.add("holder again");
                lock.release();
            });
            for (String name : List.of("first", "second")) {
                loop.spawn(name, () -> {
                    lock.acquire();
                    events.add(name);
                    lock.release();
                });
            }
            loop.run();
            assertEquals(List.of("released; now Lock[held by first, 1 waiting]", "first", "second", "holder again"),
                    events);
        }
    }

    @Test
    void aWaiterCancelledBeforeTheHandOffLeavesTheQueue() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            Task<Void> cancelled = loop.spawn(() -> {
                interrupt();
                lock.acquire();
                events.add("cancelled waiter got the lock");
            });
            loop.spawn(() -> {
                lock.acquire();
                Boucle.waitAllTasksBlocked(); // the other task is parked on the lock
                cancelled.cancel();
                Boucle.waitAllTasksBlocked(); // the cancelled waiter has left
                events.add("waiting: " + lock.waitingTasks());
                lock.release();
                events.add("after release: " + lock);
            });
            loop.run();
            assertTrue(cancelled.isCancelled());
            assertEquals(List.of("waiting: 0", "after release: Lock[free, 0 waiting]"), events);
        }
    }

    @Test
    void aWaiterCancelledAfterTheHandOffKeepsTheLockUntilItsFinallyReleasesIt() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            Task<Void> waiter = loop.spawn("waiter", () -> {
                interrupt();
                lock.acquire();
                try {
                    events.add("acquired although cancelled");
                    interrupt(); // the cancellation comes here, inside the try
                    events.add("never");
                } finally {
                    lock.release();
                    events.add("released in finally");
                }
            });
            loop.spawn(() -> {
                lock.acquire();
                interrupt();
                interrupt();
                lock.release(); // hands the lock to the parked waiter...
                waiter.cancel(); // ...which is cancelled before it runs
            });
            Task<Void> next = loop.spawn(() -> {
                interrupt();
                interrupt();
                lock.acquire();
                events.add("next got the lock");
                lock.release();
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertTrue(next.isDone());
            assertEquals(List.of("acquired although cancelled", "released in finally", "next got the lock"), events);
        }
    }

    @Test
    void theLockIsNotReentrantAndOnlyItsHolderReleasesIt() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            loop.runTask(() -> {
                lock.acquire();
                IllegalStateException twice = assertThrows(IllegalStateException.class, lock::acquire);
                assertTrue(twice.getMessage().contains("not reentrant"), twice.getMessage());
                Task<Void> other = Boucle.spawn(lock::release);
                assertThrows(IllegalStateException.class, other::await);
                lock.release();
                assertThrows(IllegalStateException.class, lock::release);
            });
        }
    }

    @Test
    void tryAcquireTakesOnlyAFreeLock() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            loop.runTask(() -> {
                assertTrue(lock.tryAcquire());
                Task<Boolean> other = Boucle.spawn(lock::tryAcquire);
                assertFalse(other.await());
                lock.release();
            });
        }
    }

    @Test
    void aWaiterIsParkedNotPolled() {
        try (Loop loop = new Loop()) {
            Lock lock = new Lock();
            loop.spawn(() -> {
                lock.acquire();
                Boucle.sleep(Duration.ofMillis(100));
                lock.release();
            });
            Task<Void> waiter = loop.spawn(lock::acquire);
            loop.run();
            assertTrue(waiter.isDone());
            assertTrue(loop.turns() <= 5, "turns: " + loop.turns());
        }
    }
}
