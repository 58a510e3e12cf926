package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The loop's thread rule: only callSoonThreadsafe may be called from another thread while a loop runs. */
class ThreadOwnershipTest {
    @Test
    void everyLoopAndTaskMethodCalledFromAnotherThreadWhileTheLoopRunsNamesCallSoonThreadsafe() throws Exception {
        try (Loop loop = new Loop()) {
            Event never = new Event();
            Task<Void> parked = loop.spawn("parked", never::await);
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("spawn", () -> loop.spawn(() -> 1));
            calls.put("callSoon", () -> loop.callSoon(() -> { }));
            calls.put("callLater", () -> loop.callLater(Duration.ofMillis(1), () -> { }));
            calls.put("stop", loop::stop);
            calls.put("run", loop::run);
            calls.put("close", loop::close);
            calls.put("tasks", loop::tasks);
            calls.put("dumpTasks", loop::dumpTasks);
            calls.put("task.cancel", parked::cancel);
            calls.put("task.wake", parked::wake);
            CompletableFuture<Map<String, String>> outcomes = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                Map<String, String> seen = new LinkedHashMap<>();
                calls.forEach((name, call) -> seen.put(name, outcome(call)));
                outcomes.complete(seen);
                loop.callSoonThreadsafe(() -> {
                    parked.cancel();
                    loop.stop();
                });
            }));
            loop.runForever();
            Map<String, String> seen = outcomes.get(10, TimeUnit.SECONDS);
            seen.forEach((name, outcome) -> assertTrue(outcome.contains("only callSoonThreadsafe may be called"),
                    name + ": " + outcome));
            assertEquals(calls.keySet(), seen.keySet());
            loop.run();
            assertTrue(parked.isCancelled());
        }
    }

    private static String outcome(Executable call) {
        try {
            call.execute();
            return "no error";
        } catch (IllegalStateException expected) {
            return expected.getMessage();
        } catch (Throwable other) {
            return "unexpected " + other;
        }
    }
}
