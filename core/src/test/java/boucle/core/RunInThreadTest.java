package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.runInThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunInThreadTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void theResultComesBackOnTheLoopThreadWhileOtherTasksRan() {
        try (Loop loop = new Loop()) {
            Thread loopThread = Thread.currentThread();
            CountDownLatch othersRan = new CountDownLatch(1);
            Thread[] worker = new Thread[1];
            loop.spawn(() -> {
                String value = runInThread(() -> {
                    worker[0] = Thread.currentThread();
                    assertTrue(othersRan.await(10, TimeUnit.SECONDS)); // blocks until the loop ran another task
                    return "from the worker";
                });
                assertSame(loopThread, Thread.currentThread());
                events.add(value);
            });
            loop.spawn(() -> {
                events.add("another task ran meanwhile");
                othersRan.countDown();
            });
            loop.run();
            assertNotSame(loopThread, worker[0]);
            assertEquals(List.of("another task ran meanwhile", "from the worker"), events);
        }
    }

    @Test
    void anExceptionOfTheWorkIsRethrownInTheTaskAsItWasThrown() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> {
                try {
                    runInThread(() -> {
                        throw new IOException("no such file");
                    });
                } catch (IOException expected) {
                    events.add("caught " + expected.getMessage());
                }
            });
            assertEquals(List.of("caught no such file"), events);
        }
    }

    @Test
    void theLoopWaitsForACallInFlightInsteadOfEndingOrCallingItsTaskStranded() {
        try (Loop loop = new Loop()) {
            CountDownLatch release = new CountDownLatch(1);
            Task<Integer> task = loop.spawn(() -> runInThread(() -> {
                assertTrue(release.await(10, TimeUnit.SECONDS));
                return 7;
            }));
            loop.callSoon(release::countDown); // the loop has nothing else to do: it must wait, not end
            assertEquals(7, loop.runUntilComplete(task));
        }
    }

    @Test
    void cancellingTheWaitingTaskInterruptsTheWorkAndDropsItsResult() throws Exception {
        try (Loop loop = new Loop()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Thread[] worker = new Thread[1];
            Task<String> task = loop.spawn(() -> {
                try {
                    return runInThread(() -> {
                        worker[0] = Thread.currentThread();
                        started.countDown();
                        try {
                            new CountDownLatch(1).await(); // blocks until interrupted
                        } catch (InterruptedException expected) {
                            interrupted.countDown();
                        }
                        return "dropped";
                    });
                } catch (CancelledException cancelled) {
                    Task.current().park("something else"); // a bare park: any wake-up ends it
                    return "moved on";
                }
            });
            loop.spawn(() -> {
                assertTrue(runInThread(() -> started.await(10, TimeUnit.SECONDS)));
                task.cancel();
                assertTrue(runInThread(() -> interrupted.await(10, TimeUnit.SECONDS)));
                // the worker posts its dropped result before it ends, so before this call's result
                assertTrue(runInThread(() -> worker[0].join(Duration.ofSeconds(10))));
                events.add("calls in flight: " + Loop.current().threadCallsInFlight());
                events.add("task is " + task.state() + " on " + task.waitingOn());
                task.wake();
            });
            loop.run();
            assertEquals("moved on", task.result());
            assertEquals(List.of("calls in flight: 0", "task is PARKED on something else"), events);
        }
    }

    @Test
    void runInThreadOutsideATaskSaysSo() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runInThread(() -> 1));
        assertTrue(thrown.getMessage().contains("outside any Boucle task"), thrown.getMessage());
    }
}
