package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void awaitReleasesTheLockAndHasItAgainWhenSignalled() {
        try (Loop loop = new Loop()) {
            Condition notEmpty = new Condition();
            Lock lock = notEmpty.lock();
            ArrayDeque<String> items = new ArrayDeque<>();
            loop.spawn("consumer", () -> {
                lock.acquire();
                try {
                    while (items.isEmpty()) {
                        notEmpty.await();
                    }
                    events.add("took " + items.remove() + ", holding the lock: " + lock.isHeldByCurrentTask());
                } finally {
                    lock.release();
                }
            });
            loop.spawn("producer", () -> {
                lock.acquire(); // free: the consumer released it in await
                try {
                    items.add("x");
                    notEmpty.signal();
                    events.add("signalled");
                } finally {
                    lock.release();
                }
            });
            loop.run();
            assertEquals(List.of("signalled", "took x, holding the lock: true"), events);
        }
    }

    @Test
    void signalWakesWaitersOneAtATimeInOrderAndSignalAllWakesTheRest() {
        try (Loop loop = new Loop()) {
            Condition condition = new Condition();
            Lock lock = condition.lock();
            for (String name : List.of("a", "b", "c")) {
                loop.spawn(() -> {
                    lock.acquire();
                    try {
                        condition.await();
                        events.add(name);
                    } finally {
                        lock.release();
                    }
                });
            }
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // every waiter is parked on the condition
                lock.acquire();
                condition.signal();
                lock.release();
                interrupt();
                interrupt();
                lock.acquire();
                events.add("signalAll");
                condition.signalAll();
                lock.release();
            });
            loop.run();
            assertEquals(List.of("a", "signalAll", "b", "c"), events);
        }
    }

    @Test
    void aCancelledWaiterStillGetsTheLockBackBeforeItsFinallyRuns() {
        try (Loop loop = new Loop()) {
            Condition condition = new Condition();
            Lock lock = condition.lock();
            Task<Void> waiter = loop.spawn(() -> {
                lock.acquire();
                try {
                    condition.await();
                } finally {
                    events.add("finally holds the lock: " + lock.isHeldByCurrentTask());
                    lock.release();
                }
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked in await
                lock.acquire(); // the waiter released it in await
                waiter.cancel();
                interrupt();
                events.add("cancelled the waiter while holding the lock");
                lock.release();
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertEquals(List.of("cancelled the waiter while holding the lock", "finally holds the lock: true"), events);
            assertEquals(0, condition.waitingTasks());
        }
    }

    @Test
    void aSignalledWaiterCancelledBeforeItRunsKeepsTheSignal() {
        try (Loop loop = new Loop()) {
            Condition condition = new Condition();
            Lock lock = condition.lock();
            Task<Void> waiter = loop.spawn(() -> {
                lock.acquire();
                try {
                    condition.await();
                    events.add("await returned");
                    interrupt();
                } finally {
                    lock.release();
                }
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the waiter is parked in await
                lock.acquire();
                condition.signal();
                waiter.cancel();
                lock.release();
            });
            loop.run();
            assertTrue(waiter.isCancelled());
            assertEquals(List.of("await returned"), events);
        }
    }

    @Test
    void usingAConditionWithoutItsLockIsAnError() {
        try (Loop loop = new Loop()) {
            Condition condition = new Condition();
            loop.runTask(() -> {
                assertThrows(IllegalStateException.class, condition::await);
                assertThrows(IllegalStateException.class, condition::signal);
            });
        }
    }

    @Test
    void aTimedOutAwaitHasTheLockBackWhenTheTimeoutIsThrown() {
        try (Loop loop = new Loop()) {
            Condition condition = new Condition();
            Lock lock = condition.lock();
            loop.runTask(() -> {
                lock.acquire();
                try {
                    Timeouts.withTimeout(Duration.ofMillis(5), condition::await);
                } catch (TaskTimeoutException expected) {
                    events.add("timed out, holding the lock: " + lock.isHeldByCurrentTask());
                } finally {
                    lock.release();
                }
            });
            assertEquals(List.of("timed out, holding the lock: true"), events);
            assertEquals(0, condition.waitingTasks());
        }
    }
}
