package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MisuseTest {
    private static void assertSaysOutsideATask(Executable call) {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, call);
        assertTrue(thrown.getMessage().contains("outside any Boucle task"), thrown.getMessage());
    }

    @Test
    void suspendingCallsOutsideATaskSaySo() {
        assertSaysOutsideATask(Boucle::interrupt);
        assertSaysOutsideATask(() -> Boucle.sleep(Duration.ofMillis(1)));
        assertSaysOutsideATask(() -> new Waiter().await());
    }

    @Test
    void anObjectBoundToARunningLoopRefusesOtherThreadsButNotItsOwnNorAnyWhileTheLoopIsIdle() throws Exception {
        try (Loop loop = new Loop()) {
            loop.requireThisThread("idle"); // not running: whoever holds the object may use it
            String refused = loop.runTask(() -> {
                loop.requireThisThread("on its own thread");
                CompletableFuture<String> fromElsewhere = CompletableFuture.supplyAsync(() -> {
                    try {
                        loop.requireThisThread("the socket");
                        return "accepted";
                    } catch (IllegalStateException expected) {
                        return expected.getMessage();
                    }
                });
                while (!fromElsewhere.isDone()) {
                    Boucle.sleep(Duration.ofMillis(1));
                }
                return fromElsewhere.get();
            });
            assertTrue(refused.startsWith("the socket belongs to a loop that runs on another thread"), refused);
            assertTrue(refused.contains("callSoonThreadsafe"), refused);
        }
    }

    @Test
    void suspendingInACallbackSaysSo() {
        try (Loop loop = new Loop()) {
            Throwable[] seen = new Throwable[1];
            loop.callSoon(() -> seen[0] = assertThrows(IllegalStateException.class, Boucle::interrupt));
            loop.run();
            assertTrue(seen[0].getMessage().contains("outside any Boucle task"));
        }
    }

    @Test
    void awaitingATaskOutsideATaskSaysSo() {
        try (Loop loop = new Loop()) {
            Task<Integer> task = loop.spawn(() -> 1);
            assertSaysOutsideATask(task::await);
            loop.run();
        }
    }

    @Test
    void runningALoopFromInsideATaskIsRefused() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Boucle.runTask(() -> Boucle.runTask(() -> 1)));
        assertTrue(thrown.getMessage().contains("await it instead"), thrown.getMessage());
    }

    @Test
    void aLoopRefusesToStartInsideASynchronizedBlock() {
        Object monitor = new Object();
        try (Loop loop = new Loop()) {
            loop.spawn(Boucle::interrupt);
            IllegalStateException thrown;
            synchronized (monitor) {
                thrown = assertThrows(IllegalStateException.class, loop::run);
            }
            assertTrue(thrown.getMessage().contains("holds a monitor"), thrown.getMessage());
            loop.run(); // outside the block the same loop runs fine
        }
    }

    @Test
    void callingTheLoopFromAnotherThreadWhileItRunsIsRefused() throws Exception {
        try (Loop loop = new Loop()) {
            CompletableFuture<Throwable> fromOtherThread = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                try {
                    loop.callSoon(() -> { });
                    fromOtherThread.complete(null);
                } catch (IllegalStateException expected) {
                    fromOtherThread.complete(expected);
                }
                loop.callSoonThreadsafe(loop::stop);
            }));
            loop.runForever();
            Throwable thrown = fromOtherThread.get(10, TimeUnit.SECONDS);
            assertTrue(thrown != null && thrown.getMessage().contains("only callSoonThreadsafe"), String.valueOf(thrown));
        }
    }

    @Test
    void aClosedLoopRefusesNewWork() {
        Loop loop = new Loop();
        loop.close();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.spawn(() -> 1));
        assertEquals("this loop is closed", thrown.getMessage());
        assertThrows(IllegalStateException.class, loop::run);
    }

    @Test
    void aTaskOfAnotherLoopCannotBeRunUntilCompleteHere() {
        try (Loop one = new Loop(); Loop other = new Loop()) {
            Task<Integer> task = one.spawn(() -> 1);
            assertThrows(IllegalArgumentException.class, () -> other.runUntilComplete(task));
            one.run();
        }
    }
}
