package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Event;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class BackgroundLoopTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void closeCancelsTheBodyWhoseFinallyRunsOnTheLoopThread() throws Exception {
        BackgroundLoop background = BackgroundLoop.start("worker", () -> {
            try {
                new Event().await();
            } finally {
                events.add("finally on " + Thread.currentThread().getName());
            }
        });
        assertEquals(3, background.call(() -> 1 + 2));
        background.close();
        assertEquals(List.of("finally on worker"), events);
        assertTrue(background.isStopped());
    }

    @Test
    void aBodyThatFailsIsReportedToWhoeverWaitsWithItsCause() throws Exception {
        BackgroundLoop background = BackgroundLoop.start("failing", () -> {
            Boucle.sleep(Duration.ofMillis(1));
            throw new IOException("disk on fire");
        });
        IllegalStateException failure = assertThrows(IllegalStateException.class, background::awaitStopped);
        assertInstanceOf(IOException.class, failure.getCause().getCause()); // the task's checked failure, wrapped
        ExecutionException late = assertThrows(ExecutionException.class, () -> background.submit(() -> 1).get());
        assertTrue(late.getCause().getMessage().contains("has stopped"), late.getCause().getMessage());
    }

    @Test
    void blockingCallsFromTheLoopsOwnThreadAreRefused() throws Exception {
        try (BackgroundLoop background = BackgroundLoop.start("self", () -> new Event().await())) {
            String refusal = background.call(() -> {
                try {
                    background.call(() -> 1);
                    return "not refused";
                } catch (IllegalStateException expected) {
                    return expected.getMessage();
                }
            });
            assertTrue(refusal.contains("would wait for its own loop"), refusal);
        }
    }
}
