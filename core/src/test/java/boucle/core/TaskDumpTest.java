package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskDumpTest {
    private static void waitForTheGoSignal(Event go) {
        go.await();
    }

    @Test
    void theDumpListsEveryTaskWithItsStateWhatItWaitsOnAndItsStack() {
        try (Loop loop = new Loop()) {
            Event go = new Event();
            loop.spawn("waiter", () -> waitForTheGoSignal(go));
            loop.spawn("sleeper", () -> sleep(Duration.ofHours(1)));
            String[] dump = new String[1];
            loop.spawn("dumper", () -> {
                interrupt();
                dump[0] = Loop.current().dumpTasks();
                Loop.current().tasks().forEach(Task::cancel);
            });
            loop.run();
            String text = dump[0];
            assertTrue(text.startsWith("3 task(s) on loop running on thread '"), text);
            assertTrue(text.contains("\"waiter\" PARKED waiting on Event[clear, 1 waiting]\n"), text);
            assertTrue(text.contains("at boucle.core.TaskDumpTest.waitForTheGoSignal(TaskDumpTest.java:"), text);
            assertTrue(text.contains("\"sleeper\" PARKED waiting on "), text);
            assertTrue(text.contains("at boucle.core.Boucle.sleepUntil("), text);
            assertTrue(text.contains("\"dumper\" RUNNING\n"), text);
            assertTrue(!text.contains("Task$Body") && !text.contains("Continuation"),
                    "the loop's own frames are left out: " + text);
        }
    }

    @Test
    void aRunningServerCanBeDumpedFromAnotherThread() throws Exception {
        try (Loop loop = new Loop()) {
            Event stop = new Event();
            loop.spawn("connection-1", stop::await);
            CompletableFuture<String> fromOutside = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                loop.dumpTasksThreadsafe().whenComplete((text, failure) -> {
                    if (failure != null) {
                        fromOutside.completeExceptionally(failure);
                    } else {
                        fromOutside.complete(text);
                    }
                    loop.callSoonThreadsafe(() -> {
                        stop.set();
                        loop.stop();
                    });
                });
            }));
            loop.runForever();
            String text = fromOutside.get(10, TimeUnit.SECONDS);
            assertTrue(text.contains("\"connection-1\" PARKED waiting on Event"), text);
            loop.run();
            assertEquals(0, loop.tasks().size());
        }
    }

    @Test
    void dumpingFromAnotherThreadWithoutTheThreadsafeCallIsRefused() throws Exception {
        try (Loop loop = new Loop()) {
            CompletableFuture<Throwable> fromOutside = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                try {
                    loop.dumpTasks();
                    fromOutside.complete(null);
                } catch (IllegalStateException expected) {
                    fromOutside.complete(expected);
                }
                loop.callSoonThreadsafe(loop::stop);
            }));
            loop.runForever();
            Throwable thrown = fromOutside.get(10, TimeUnit.SECONDS);
            assertTrue(thrown != null && thrown.getMessage().contains("only callSoonThreadsafe"), String.valueOf(thrown));
        }
    }
}
