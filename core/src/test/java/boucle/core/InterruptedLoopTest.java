package boucle.core;

import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An interrupt of the loop's thread ends the run: tasks cancelled, finally blocks run, a clear exception, no spin. */
class InterruptedLoopTest {
    private final List<String> events = new ArrayList<>();

    @AfterEach
    void clearTheFlag() {
        Thread.interrupted(); // the test thread is reused: leave it as we found it
    }

    @Test
    void anInterruptOfAnIdleLoopEndsTheRunAfterTheTasksFinallyBlocks() {
        Thread loopThread = Thread.currentThread();
        try (Loop loop = new Loop()) {
            Task<Void> parked = loop.spawn("parked", () -> {
                try {
                    new Event().await();
                } finally {
                    events.add("finally ran");
                }
            });
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                awaitParked(loopThread);
                loopThread.interrupt();
            }));
            LoopInterruptedException thrown = assertThrows(LoopInterruptedException.class, loop::runForever);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is set again");
            assertTrue(thrown.getMessage().contains("Boucle.interrupt()"), thrown.getMessage());
            assertTrue(parked.isCancelled());
            assertEquals(List.of("finally ran"), events);
            assertTrue(loop.turns() < 10, "turns: " + loop.turns());
            assertFalse(loop.isRunning());
        }
    }

    @Test
    void anInterruptEndsTheRunWithAnEventSourceThatReturnsAtOnceWhenInterrupted() {
        Thread loopThread = Thread.currentThread();
        // a selector returns from select at once, forever, while the flag is set: the loop must not rely on the source
        EventSource selectorLike = new EventSource() {
            @Override
            public void poll(long timeoutNanos) {
                if (timeoutNanos > 0) {
                    LockSupport.parkNanos(this, Math.min(timeoutNanos, Duration.ofSeconds(30).toNanos()));
                }
            }

            @Override
            public void wakeup() {
                LockSupport.unpark(loopThread);
            }

            @Override
            public boolean hasWaiters() {
                return true; // as a selector with a registered socket: an idle loop waits, it does not end
            }

            @Override
            public void close() {
            }
        };
        try (Loop loop = new Loop(selectorLike)) {
            Task<Void> parked = loop.spawn("reader", () -> {
                try {
                    new Event().await();
                } finally {
                    events.add("reader cleaned up");
                }
            });
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                awaitParked(loopThread);
                loopThread.interrupt();
            }));
            assertThrows(LoopInterruptedException.class, loop::runForever);
            assertTrue(parked.isCancelled());
            assertEquals(List.of("reader cleaned up"), events);
            assertTrue(loop.turns() < 10, "turns: " + loop.turns());
        }
    }

    @Test
    void finallyBlocksThatWaitStillRunToTheirEnd() {
        VirtualClock time = VirtualClock.autojump();
        try (Loop loop = new Loop(time)) {
            loop.spawn(() -> {
                try {
                    sleep(Duration.ofHours(1));
                } finally {
                    Task.shielded(() -> {
                        sleep(Duration.ofSeconds(1)); // a graceful goodbye that takes a while
                        return events.add("goodbye sent");
                    });
                }
            });
            loop.callSoon(() -> Thread.currentThread().interrupt());
            assertThrows(LoopInterruptedException.class, loop::run);
            assertEquals(List.of("goodbye sent"), events);
        }
    }

    @Test
    void aLoopStartedOnAnInterruptedThreadCancelsItsTasksBeforeTheyRunAndEnds() {
        try (Loop loop = new Loop()) {
            Task<Boolean> task = loop.spawn(() -> events.add("body ran"));
            task.whenDone(() -> events.add("ended, cancelled " + task.isCancelled()));
            Thread.currentThread().interrupt();
            assertThrows(LoopInterruptedException.class, loop::run);
            assertEquals(List.of("ended, cancelled true"), events);
            assertTrue(Thread.interrupted());
        }
    }

    @Test
    void aSecondInterruptAbandonsTheCleanUp() {
        VirtualClock time = VirtualClock.autojump();
        Loop loop = new Loop(time);
        loop.spawn("slow to clean", () -> {
            try {
                sleep(Duration.ofHours(1));
            } finally {
                events.add("cleaning up");
                Thread.currentThread().interrupt(); // a second interrupt while the clean-up waits
                Task.shielded(() -> {
                    sleep(Duration.ofHours(1));
                    return events.add("never");
                });
            }
        });
        loop.callSoon(() -> Thread.currentThread().interrupt());
        LoopInterruptedException thrown = assertThrows(LoopInterruptedException.class, loop::run);
        assertTrue(thrown.getMessage().contains("abandoned"), thrown.getMessage());
        assertEquals(List.of("cleaning up"), events);
        assertEquals(1, loop.tasks().size());
        Thread.interrupted();
        loop.close(); // the clean-up can still be finished later
        assertTrue(loop.tasks().isEmpty());
    }

    @Test
    void aTaskThatCallsBoucleInterruptIsNotAffected() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> {
                for (int i = 0; i < 3; i++) {
                    Boucle.interrupt();
                }
                events.add("done");
            });
            assertEquals(List.of("done"), events);
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    /** Waits until the loop's thread is parked in its wait for events. */
    private static void awaitParked(Thread loopThread) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (loopThread.getState() != Thread.State.WAITING && loopThread.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
