package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The loop waiting in a selector: timers, cross-thread wake-ups, parked socket tasks. */
class SelectorEventSourceTest {

    @Test
    void callSoonThreadsafeWakesALoopBlockedInSelect() throws Exception {
        try (Loop loop = Net.newLoop()) {
            CountDownLatch looping = new CountDownLatch(1);
            loop.callSoon(looping::countDown);
            Thread other = new Thread(() -> {
                try {
                    looping.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                loop.callSoonThreadsafe(loop::stop);
            });
            other.start();
            loop.runForever(); // blocks in select with no timer: only the wake-up can end it
            other.join();
            assertTrue(loop.turns() < 10, "an idle loop does not spin: " + loop.turns() + " turns");
        }
    }

    @Test
    void selectWaitsUntilTheNextTimerWithoutSpinning() {
        try (Loop loop = Net.newLoop()) {
            List<String> events = new ArrayList<>();
            loop.callLater(Duration.ofMillis(30), () -> events.add("timer"));
            loop.run();
            assertEquals(List.of("timer"), events);
            assertTrue(loop.turns() < 10, "waited in select, not in a busy loop: " + loop.turns() + " turns");
        }
    }

    @Test
    void aTaskParkedOnASocketKeepsTheLoopRunning() {
        SocketPair.run((client, server) -> {
            NetSource source = Net.source(Loop.current());
            Task<String> reader = server.loop().spawn(() -> server.readLine(100));
            Boucle.interrupt(); // the reader parks
            assertTrue(source.hasWaiters());
            client.write("late\n");
            assertEquals("late", reader.await());
            assertFalse(source.hasWaiters());
        });
    }

    @Test
    void socketsOnAPlainLoopFailWithAClearMessage() {
        try (Loop loop = new Loop()) {
            IllegalStateException wrongLoop = assertThrows(IllegalStateException.class,
                    () -> loop.runTask(() -> AsyncSocket.connect("127.0.0.1", 1, Duration.ofSeconds(1))));
            assertTrue(wrongLoop.getMessage().contains("Net.newLoop()"), wrongLoop.getMessage());
        }
    }
}
