package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class TaskTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void awaitingATaskParksTheAwaiterUntilItIsDone() {
        try (Loop loop = new Loop()) {
            Task<String> slow = loop.spawn("slow", () -> {
                for (int i = 0; i < 3; i++) {
                    events.add("slow " + i);
                    interrupt();
                }
                return "done";
            });
            Task<Void> awaiter = loop.spawn("awaiter", () -> {
                events.add("awaiting");
                events.add("got " + slow.await());
            });
            loop.runUntilComplete(awaiter);
            assertEquals(List.of("slow 0", "awaiting", "slow 1", "slow 2", "got done"), events);
        }
    }

    @Test
    void aParkedAwaiterIsInNoQueue() {
        try (Loop loop = new Loop()) {
            Waiter gate = new Waiter();
            Task<Void> blocker = loop.spawn(gate::await);
            Task<Void> awaiter = loop.spawn(blocker::await);
            loop.spawn(() -> {
                interrupt();
                assertEquals(Task.State.PARKED, awaiter.state());
                assertSame(blocker, awaiter.waitingOn());
                gate.set();
            });
            loop.run();
            assertTrue(awaiter.isDone());
        }
    }

    @Test
    void aFailureReachesTheAwaiterAsItWasThrown() {
        try (Loop loop = new Loop()) {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<Object> failing = loop.spawn(() -> {
                interrupt();
                throw boom;
            });
            Task<Void> awaiter = loop.spawn(() -> {
                IllegalStateException caught = assertThrows(IllegalStateException.class, failing::await);
                assertSame(boom, caught);
                events.add("caught");
            });
            loop.runUntilComplete(awaiter);
            assertEquals(List.of("caught"), events);
        }
    }

    @Test
    void aCheckedFailureReachesTheAwaiterWrapped() {
        try (Loop loop = new Loop()) {
            Task<Throwable> awaiter = loop.spawn(() -> {
                Task<Object> failing = Loop.current().spawn(() -> {
                    throw new IOException("disk on fire");
                });
                return assertThrows(TaskFailedException.class, failing::await);
            });
            Throwable wrapped = loop.runUntilComplete(awaiter);
            assertTrue(wrapped.getCause() instanceof IOException);
            assertEquals("disk on fire", wrapped.getCause().getMessage());
        }
    }

    @Test
    @Tag(NoUnobservedFailures.EXPECTED)
    void aFailureNobodyAwaitedIsLoggedOnceAndTheLoopGoesOn() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            loop.spawn("doomed", () -> {
                throw new IllegalArgumentException("nobody listens");
            });
            Task<String> other = loop.spawn(() -> {
                interrupt();
                return "still running";
            });
            assertEquals("still running", loop.runUntilComplete(other));
            loop.run();
            // only the warnings: on a loaded machine the watchdog may add an INFO about a descheduled thread
            var warnings = log.records.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING).toList();
            assertEquals(1, warnings.size(), log.messages().toString());
            assertTrue(warnings.get(0).getMessage().contains("doomed"));
            assertEquals("nobody listens", warnings.get(0).getThrown().getMessage());
        }
    }

    @Test
    void anAwaitedFailureIsNotLogged() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            Task<Object> failing = loop.spawn(() -> {
                throw new IllegalArgumentException("seen");
            });
            assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(failing));
            assertEquals(List.of(), log.messages());
        }
    }

    @Test
    void resultOfAnUnfinishedTaskIsAnError() {
        try (Loop loop = new Loop()) {
            Task<Integer> task = loop.spawn(() -> 1);
            IllegalStateException thrown = assertThrows(IllegalStateException.class, task::result);
            assertTrue(thrown.getMessage().contains("has not finished"), thrown.getMessage());
            loop.run();
            assertEquals(1, task.result());
        }
    }

    @Test
    void cancellingAParkedTaskRunsItsFinallyAndEndsItCancelled() {
        try (Loop loop = new Loop()) {
            Waiter never = new Waiter();
            Task<Void> parked = loop.spawn(() -> {
                try {
                    never.await();
                } finally {
                    events.add("finally");
                }
            });
            loop.spawn(() -> {
                interrupt();
                assertTrue(parked.cancel());
            });
            loop.run();
            assertTrue(parked.isCancelled());
            assertEquals(List.of("finally"), events);
            assertEquals(0, never.waitingTasks());
            assertFalse(parked.cancel());
        }
    }

    @Test
    void aTaskCancelledBeforeItsFirstStepNeverRuns() {
        try (Loop loop = new Loop()) {
            Task<Void> task = loop.spawn(() -> {
                events.add("ran");
            });
            task.cancel();
            loop.run();
            assertTrue(task.isCancelled());
            assertEquals(List.of(), events);
        }
    }

    @Test
    void aTaskCannotAwaitItself() {
        try (Loop loop = new Loop()) {
            Task<?>[] self = new Task<?>[1];
            self[0] = loop.spawn(() -> self[0].await());
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(self[0]));
            assertTrue(thrown.getMessage().contains("cannot await itself"));
        }
    }

    @Test
    void namesDefaultToASequenceNumber() {
        try (Loop loop = new Loop()) {
            assertEquals("named", loop.spawn("named", () -> 1).name());
            assertTrue(loop.spawn(() -> 1).name().startsWith("task-"));
            loop.run();
        }
    }

    @Test
    void theStackOfAParkedTaskShowsWhereItWaits() {
        try (Loop loop = new Loop()) {
            Waiter gate = new Waiter();
            Task<Void> parked = loop.spawn(gate::await);
            loop.spawn(() -> {
                interrupt();
                String stack = java.util.Arrays.toString(parked.stack());
                events.add(stack.contains("Waiter.await") ? "seen in Waiter.await" : stack);
                gate.set();
            });
            loop.run();
            assertEquals(List.of("seen in Waiter.await"), events);
        }
    }

    @Test
    void whenDoneRunsRightAfterTheTaskEndsWhateverTheOutcome() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            Task<String> returns = loop.spawn("returns", () -> "value");
            Task<Void> fails = loop.spawn("fails", () -> {
                throw new IllegalStateException("boom");
            });
            Task<Void> parked = loop.spawn("parked", () -> new Waiter().await());
            returns.whenDone(() -> events.add("returns ended: " + returns.result()));
            fails.whenDone(() -> events.add("fails ended: " + fails.exception().getMessage()));
            parked.whenDone(() -> events.add("parked ended, cancelled " + parked.isCancelled()));
            loop.spawn(() -> {
                interrupt();
                events.add("cancelling");
                parked.cancel();
            });
            loop.run();
            assertEquals(List.of("returns ended: value", "fails ended: boom", "cancelling",
                    "parked ended, cancelled true"), events);
            assertEquals(List.of(), log.messages()); // a failure a listener read is observed, not logged
        }
    }

    @Test
    void whenDoneRunsForATaskCancelledBeforeItsBodyEverRan() {
        try (Loop loop = new Loop()) {
            Task<Void> task = loop.spawn(() -> {
                events.add("body ran");
            });
            task.whenDone(() -> events.add("listener ran, cancelled " + task.isCancelled()));
            task.cancel();
            loop.run();
            assertEquals(List.of("listener ran, cancelled true"), events);
        }
    }

    @Test
    void whenDoneOnAFinishedTaskRunsAtOnce() {
        try (Loop loop = new Loop()) {
            Task<Integer> task = loop.spawn(() -> 7);
            loop.run();
            task.whenDone(() -> events.add("ran at once"));
            events.add("after whenDone");
            assertEquals(List.of("ran at once", "after whenDone"), events);
        }
    }

    @Test
    void whenDoneListenersRunInOrderBeforeAwaitersWake() {
        try (Loop loop = new Loop()) {
            Task<Void> task = loop.spawn(() -> interrupt());
            task.whenDone(() -> events.add("first listener"));
            task.whenDone(() -> events.add("second listener"));
            loop.spawn(() -> {
                task.await();
                events.add("awaiter woke");
            });
            loop.run();
            assertEquals(List.of("first listener", "second listener", "awaiter woke"), events);
        }
    }

    @Test
    void aThrowingWhenDoneListenerIsLoggedOnceAtErrorAndTheOthersStillRun() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            Task<Void> task = loop.spawn("watched", () -> interrupt());
            task.whenDone(() -> {
                throw new IllegalStateException("listener bug");
            });
            task.whenDone(() -> events.add("second listener ran"));
            loop.spawn(() -> events.add("loop went on"));
            loop.run();
            assertEquals(List.of("loop went on", "second listener ran"), events);
            assertEquals(1, log.records.size());
            assertEquals(java.util.logging.Level.SEVERE, log.records.get(0).getLevel());
            assertTrue(log.records.get(0).getMessage().contains("'watched'"));
            assertEquals("listener bug", log.records.get(0).getThrown().getMessage());
        }
    }

    @Test
    void aWhenDoneListenerCannotPark() {
        try (LogCapture log = new LogCapture(); Loop loop = new Loop()) {
            Waiter never = new Waiter();
            Task<Void> task = loop.spawn(() -> interrupt());
            task.whenDone(never::await);
            task.whenDone(() -> events.add("next listener ran"));
            loop.run();
            assertEquals(List.of("next listener ran"), events);
            assertEquals(1, log.records.size());
            assertTrue(log.records.get(0).getThrown() instanceof IllegalStateException);
            assertEquals(0, never.waitingTasks());
        }
    }
}
