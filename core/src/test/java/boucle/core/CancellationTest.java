package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancellationTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void cancelDeliversCancelledExceptionAtTheSuspensionPointAndFinallyRuns() {
        try (Loop loop = new Loop()) {
            Task<Void> sleeper = loop.spawn("sleeper", () -> {
                try {
                    sleep(Duration.ofHours(1));
                    events.add("woke up");
                } catch (CancelledException expected) {
                    events.add("cancelled in sleep");
                    throw expected;
                } finally {
                    events.add("finally");
                }
            });
            loop.callSoon(sleeper::cancel);
            loop.run();
            assertTrue(sleeper.isCancelled());
            assertEquals(List.of("cancelled in sleep", "finally"), events);
        }
    }

    @Test
    void aRunningTaskIsCancelledAtItsNextSuspensionPoint() {
        try (Loop loop = new Loop()) {
            Task<Void> worker = loop.spawn(() -> {
                Task.current().cancel();
                events.add("still running after cancel()");
                interrupt();
                events.add("never");
            });
            loop.run();
            assertTrue(worker.isCancelled());
            assertEquals(List.of("still running after cancel()"), events);
        }
    }

    @Test
    void awaitersOfACancelledTaskGetCancelledException() {
        try (Loop loop = new Loop()) {
            Task<Void> victim = loop.spawn(() -> sleep(Duration.ofHours(1)));
            Task<String> awaiter = loop.spawn(() -> {
                try {
                    victim.await();
                    return "returned";
                } catch (CancelledException e) {
                    return "awaiter saw " + e.getClass().getSimpleName();
                }
            });
            loop.callSoon(victim::cancel);
            loop.run();
            assertEquals("awaiter saw CancelledException", awaiter.result());
            assertFalse(awaiter.isCancelled());
        }
    }

    @Test
    void cancellingAFinishedTaskReturnsFalse() {
        try (Loop loop = new Loop()) {
            Task<Integer> done = loop.spawn(() -> 1);
            loop.run();
            assertFalse(done.cancel());
            assertEquals(1, done.result());
        }
    }

    @Test
    void tenThousandCancelledParkedTasksLeaveNothingBehind() {
        int each = 2_500;
        try (Loop loop = new Loop()) {
            Waiter waiter = new Waiter();
            Lock lock = new Lock();
            Queue<String> queue = Queue.bounded(1);
            Event event = new Event();
            Semaphore semaphore = new Semaphore(0);
            Task<Void> holder = loop.spawn("holder", () -> {
                lock.acquire(); // held for good: everyone else parks on it
                queue.put("full"); // the queue is full: putters park
                sleep(Duration.ofHours(1));
            });
            List<Task<?>> parked = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                parked.add(loop.spawn(() -> sleep(Duration.ofHours(1))));
                parked.add(loop.spawn(waiter::await));
                parked.add(loop.spawn(lock::acquire));
                parked.add(loop.spawn(() -> queue.put("more")));
                if (i % 2 == 0) {
                    parked.add(loop.spawn(event::await));
                } else {
                    parked.add(loop.spawn(semaphore::acquire));
                }
            }
            loop.callSoon(() -> loop.callSoon(() -> {
                assertEquals(each + 1, loop.pendingTimers());
                assertEquals(each, lock.waitingTasks());
                assertEquals(each, queue.waitingPutters());
                parked.forEach(Task::cancel);
                holder.cancel();
            }));
            loop.run();
            assertTrue(parked.stream().allMatch(Task::isCancelled));
            assertEquals(0, loop.pendingTimers());
            assertEquals(0, waiter.waitingTasks());
            assertEquals(0, lock.waitingTasks());
            assertEquals(0, queue.waitingPutters());
            assertEquals(0, event.waitingTasks());
            assertEquals(0, semaphore.waitingTasks());
            assertTrue(loop.tasks().isEmpty());
        }
    }

    @Test
    void aShieldedSectionRunsToItsEndAndTheCancellationComesAfter() {
        try (Loop loop = new Loop()) {
            Task<Void> task = loop.spawn(() -> {
                Task.shielded(() -> {
                    sleep(Duration.ofMillis(20));
                    events.add("shielded sleep ended");
                    return null;
                });
                events.add("after the shield, before a suspension point");
                try {
                    interrupt();
                } catch (CancelledException expected) {
                    events.add("cancelled at the first suspension point after the shield");
                    throw expected;
                }
            });
            loop.callSoon(task::cancel);
            loop.run();
            assertTrue(task.isCancelled());
            assertEquals(List.of("shielded sleep ended", "after the shield, before a suspension point",
                    "cancelled at the first suspension point after the shield"), events);
        }
    }

    @Test
    void aTaskThatCatchesItsCancellationGoesOnUncancelled() {
        try (Loop loop = new Loop()) {
            Task<String> stubborn = loop.spawn(() -> {
                try {
                    sleep(Duration.ofHours(1));
                } catch (CancelledException ignored) {
                    events.add("caught");
                }
                interrupt(); // delivered once: this suspension point does not throw again
                return "carried on";
            });
            loop.callSoon(stubborn::cancel);
            loop.run();
            assertEquals("carried on", stubborn.result());
            assertFalse(stubborn.isCancelled());
        }
    }

    @Test
    void cancelWithAReasonDeliversThatReason() {
        try (Loop loop = new Loop()) {
            Task<Void> task = loop.spawn(() -> sleep(Duration.ofHours(1)));
            CancelledException reason = new CancelledException("shutting down");
            loop.callSoon(() -> task.cancel(reason));
            loop.run();
            assertThrows(CancelledException.class, task::result);
            assertTrue(task.exception() == reason);
        }
    }
}
