package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Timeouts on a clock that jumps straight to the next timer: instant, and exact to the nanosecond. */
class TimeoutTest {
    private final List<String> events = new ArrayList<>();
    private final VirtualClock time = VirtualClock.autojump();
    private final long start = time.nanoTime();

    @Test
    void aBodyThatOutlastsItsTimeoutIsCancelledAndTheCallThrows() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            TaskTimeoutException thrown = assertThrows(TaskTimeoutException.class, () -> loop.runTask(() ->
                    Timeouts.withTimeout(Duration.ofSeconds(1), () -> {
                        try {
                            sleep(Duration.ofSeconds(5));
                            events.add("slept to the end");
                        } finally {
                            events.add("body's finally at " + time.elapsed().toMillis() + " ms");
                        }
                    })));
            assertEquals(List.of("body's finally at 1000 ms"), events);
            assertInstanceOf(CancelledException.class, thrown.getCause());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void aBodyThatFinishesInTimeReturnsItsResultAndLeavesNoTimer() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String result = loop.runTask(() -> {
                String value = Timeouts.withTimeout(Duration.ofSeconds(1), () -> {
                    sleep(Duration.ofMillis(999));
                    return "in time";
                });
                events.add("timers left: " + Loop.current().pendingTimers());
                return value;
            });
            assertEquals("in time", result);
            assertEquals(List.of("timers left: 0"), events);
        }
    }

    @Test
    void withTimeoutOrEmptyReturnsEmptyInsteadOfThrowing() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Optional<String> late = loop.runTask(() -> Timeouts.withTimeoutOrEmpty(Duration.ofMillis(10), () -> {
                sleep(Duration.ofMillis(20));
                return "late";
            }));
            Optional<String> early = loop.runTask(() -> Timeouts.withTimeoutOrEmpty(Duration.ofMillis(10), () -> "early"));
            assertEquals(Optional.empty(), late);
            assertEquals(Optional.of("early"), early);
        }
    }

    @Test
    void anInnerTimeoutCanShortenTheOuterOne() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String outcome = loop.runTask(() -> Timeouts.withTimeout(Duration.ofSeconds(10), () -> {
                try {
                    Timeouts.withTimeout(Duration.ofSeconds(1), () -> sleep(Duration.ofSeconds(5)));
                    return "inner returned";
                } catch (TaskTimeoutException inner) {
                    return "inner timed out at " + time.elapsed().toMillis() + " ms";
                }
            }));
            assertEquals("inner timed out at 1000 ms", outcome);
        }
    }

    @Test
    void anInnerTimeoutCannotExtendTheOuterOne() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Task<Object> task = loop.spawn(() -> Timeouts.withTimeout(Duration.ofSeconds(1), () -> {
                try {
                    return Timeouts.withTimeout(Duration.ofSeconds(10), () -> {
                        events.add("deadline seen inside: +" + (Timeouts.currentDeadline() - start) / 1_000_000 + " ms");
                        sleep(Duration.ofSeconds(5));
                        return "inner returned";
                    });
                } catch (TaskTimeoutException inner) {
                    events.add("the inner call must not time out");
                    throw inner;
                } finally {
                    events.add("inner left at " + time.elapsed().toMillis() + " ms");
                }
            }));
            assertThrows(TaskTimeoutException.class, () -> loop.runUntilComplete(task));
            assertEquals(List.of("deadline seen inside: +1000 ms", "inner left at 1000 ms"), events);
        }
    }

    @Test
    void whenTheOuterTimeoutFiresInsideTheInnerTheOuterCallTimesOut() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String outcome = loop.runTask(() -> {
                try {
                    Timeouts.withTimeout(Duration.ofSeconds(1), () -> {
                        Optional<Object> inner = Timeouts.withTimeoutOrEmpty(Duration.ofSeconds(2), () -> {
                            sleep(Duration.ofSeconds(5));
                            return "never";
                        });
                        events.add("inner returned " + inner);
                    });
                    return "outer returned";
                } catch (TaskTimeoutException outer) {
                    return "outer timed out at " + time.elapsed().toMillis() + " ms";
                }
            });
            assertEquals("outer timed out at 1000 ms", outcome);
            assertEquals(List.of(), events);
        }
    }

    @Test
    void whenBothDeadlinesPassInOneTurnTheOuterCallTimesOut() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String outcome = loop.runTask(() -> {
                try {
                    return Timeouts.withTimeout(Duration.ofMillis(2), () -> {
                        try {
                            return Timeouts.withTimeout(Duration.ofMillis(1), () -> {
                                Loop.current().callSoon(() -> time.advance(Duration.ofMillis(10)));
                                sleep(Duration.ofSeconds(1)); // both timers are due when the loop next looks
                                return "inner body returned";
                            });
                        } catch (TaskTimeoutException inner) {
                            return "inner timed out";
                        }
                    });
                } catch (TaskTimeoutException outer) {
                    return "outer timed out";
                }
            });
            assertEquals("outer timed out", outcome);
        }
    }

    @Test
    void aTimedOutBodyIsCancelledAgainAtEverySuspensionPointUntilTheCallReturns() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            assertThrows(TaskTimeoutException.class, () -> loop.runTask(() ->
                    Timeouts.withTimeout(Duration.ofMillis(10), () -> {
                        try {
                            sleep(Duration.ofSeconds(1));
                        } catch (CancelledException first) {
                            events.add("first");
                        }
                        try {
                            interrupt();
                        } catch (CancelledException again) {
                            events.add("again");
                        }
                        Task.shielded(() -> {
                            sleep(Duration.ofMillis(5));
                            events.add("shielded cleanup may suspend");
                            return null;
                        });
                        sleep(Duration.ofSeconds(1));
                        events.add("never");
                    })));
            assertEquals(List.of("first", "again", "shielded cleanup may suspend"), events);
        }
    }

    @Test
    void aBodyThatNeverSuspendsAfterItsDeadlineReturnsNormally() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String result = loop.runTask(() -> Timeouts.withTimeout(Duration.ofMillis(10), () -> {
                time.advance(Duration.ofSeconds(1)); // long work that never gives the hand back
                return "finished anyway";
            }));
            assertEquals("finished anyway", result);
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void anExplicitCancelPassesThroughATimeoutUnchanged() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            Task<Object> task = loop.spawn(() -> Timeouts.withTimeout(Duration.ofSeconds(10), () -> {
                sleep(Duration.ofSeconds(20));
                return "never";
            }));
            loop.callSoon(task::cancel);
            assertThrows(CancelledException.class, () -> loop.runUntilComplete(task));
            assertTrue(task.isCancelled());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void nothingKeepsRunningAfterATimeoutAroundATaskGroupReturns() {
        try (Loop loop = new Loop(time, new ParkingEventSource())) {
            String outcome = loop.runTask(() -> {
                try {
                    Timeouts.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(group -> {
                        for (int i = 0; i < 3; i++) {
                            int child = i;
                            group.spawn(() -> {
                                try {
                                    sleep(Duration.ofHours(1));
                                } finally {
                                    events.add("child " + child + " ended at " + time.elapsed().toMillis() + " ms");
                                }
                            });
                        }
                        return null;
                    }));
                    return "returned";
                } catch (TaskTimeoutException expected) {
                    return "timed out with " + (Loop.current().tasks().size() - 1) + " other task(s) alive";
                }
            });
            assertEquals("timed out with 0 other task(s) alive", outcome);
            assertEquals(List.of("child 0 ended at 1000 ms", "child 1 ended at 1000 ms", "child 2 ended at 1000 ms"),
                    events);
        }
    }

    @Test
    void aTimeoutOnRealTimeCutsALongSleepShort() {
        try (Loop loop = new Loop()) {
            Optional<String> outcome = loop.runTask(() -> Timeouts.withTimeoutOrEmpty(Duration.ofMillis(20), () -> {
                sleep(Duration.ofHours(1));
                return "never";
            }));
            assertEquals(Optional.empty(), outcome);
        }
    }
}
