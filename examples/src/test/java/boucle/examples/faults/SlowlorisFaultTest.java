package boucle.examples.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.examples.ChatClient;
import boucle.examples.ExampleHandlers;
import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris against the chat server with an idle timeout. The documented behaviour
 * ({@link AsyncServer.Builder#idleTimeout}): a connection is idle when its peer sent nothing for
 * the timeout. So:
 * <ul>
 *   <li>a client that sends nothing, or half a line and then nothing, is closed at the timeout,
 *       and its half line goes nowhere;</li>
 *   <li>a trickler, which sends a few bytes every so often, is <em>not</em> idle and stays: what
 *       bounds it is the line limit (the server holds at most one line of it, about
 *       {@code MAX_LINE} bytes, then refuses the line and drops what it held), and what it may
 *       not do is slow the others down;</li>
 *   <li>once the trickle stops, the idle timeout closes it.</li>
 * </ul>
 */
@Tag("fault")
class SlowlorisFaultTest {
    // long enough that a client whose keep-alive thread is starved on a loaded 2-core machine is not idle
    private static final long IDLE_MILLIS = 1_000;

    private static BackgroundServer chatWithIdleTimeout() throws Exception {
        return BackgroundServer.start(AsyncServer.builder(ExampleHandlers.chat()).idleTimeout(Duration.ofMillis(IDLE_MILLIS)));
    }

    /** Sends {@code /who} four times per idle period, as a client that is there would send something. */
    private static ScheduledFuture<?> keepAlive(ScheduledExecutorService pace, ChatClient client) {
        return pace.scheduleAtFixedRate(() -> {
            try {
                client.send("/who");
            } catch (java.io.IOException closed) {
                throw new java.io.UncheckedIOException(closed);
            }
        }, 0, IDLE_MILLIS / 4, TimeUnit.MILLISECONDS);
    }

    @Test
    @Timeout(30)
    void aSilentClientAndAStalledHalfLineAreClosedAtTheIdleTimeout() throws Exception {
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(1);
        try (BackgroundServer server = chatWithIdleTimeout(); ChatClient alice = new ChatClient(server.port())) {
            keepAlive(pace, alice);
            alice.next();
            long start = System.nanoTime();
            try (ChatClient silent = new ChatClient(server.port()); ChatClient stalled = new ChatClient(server.port())) {
                stalled.sendRaw("half a li".getBytes(UTF_8));
                assertTrue(silent.awaitEnd(5_000), "the silent client was not closed");
                assertTrue(stalled.awaitEnd(5_000), "the client stalled mid-line was not closed");
                long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(closedAfter >= IDLE_MILLIS, "closed after " + closedAfter + " ms, before the timeout");
            }
            alice.expect("* guest-2 left");
            alice.expect("* guest-3 left");
            assertFalse(alice.hasEnded(), "alice, who sends, was closed as idle");
            assertTrue(alice.unread().stream().noneMatch(line -> line.contains("half a li")), "the half line went out");
            FaultClients.eventually("only alice is left", 10, () -> server.connectionCount() == 1);
        } finally {
            pace.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    void tricklersStayButAreBoundedByTheLineLimitAndCostTheOthersNothing() throws Exception {
        int tricklers = 20;
        int lines = 150;
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        try (BackgroundServer server = chatWithIdleTimeout(); ChatClient alice = new ChatClient(server.port());
             ChatClient bob = new ChatClient(server.port())) {
            keepAlive(pace, alice); // until her lines begin: setting up the tricklers takes a while
            keepAlive(pace, bob); // bob only listens: without a word now and then he would be idle
            alice.expect("* guest-2 joined");
            List<ChatClient> slow = new ArrayList<>();
            List<ScheduledFuture<?>> trickles = new ArrayList<>();
            byte[] drop = "a".repeat(30).getBytes(UTF_8);
            for (int i = 0; i < tricklers; i++) {
                ChatClient trickler = new ChatClient(server.port());
                slow.add(trickler);
                // 30 bytes every 40 ms, never a newline: 1,001 bytes after ~1.3 s, past one idle period
                trickles.add(pace.scheduleAtFixedRate(() -> {
                    try {
                        trickler.sendRaw(drop);
                    } catch (java.io.IOException closed) {
                        throw new java.io.UncheckedIOException(closed);
                    }
                }, i, 40, TimeUnit.MILLISECONDS));
            }
            // meanwhile alice talks to bob, one line every 10 ms: every line arrives, in order
            for (int n = 0; n < lines; n++) {
                alice.send("line " + n);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // her pace
            }
            for (int n = 0; n < lines; n++) {
                String line = bob.next();
                while (line.startsWith("* ")) { // the tricklers' joins, bob's answers to /who
                    line = bob.next();
                }
                assertEquals("guest-1: line " + n, line);
            }
            for (ChatClient trickler : slow) {
                trickler.expect("! line too long (the limit is " + ExampleHandlers.chatMaxLine() + " bytes); it was not sent");
                assertFalse(trickler.hasEnded(), "a trickler was closed while it trickled: it is not idle");
            }
            trickles.forEach(trickle -> trickle.cancel(false));
            for (ChatClient trickler : slow) { // the trickle stopped: now they are idle
                assertTrue(trickler.awaitEnd(5_000), "a trickler that stopped was not closed at the idle timeout");
                trickler.close();
            }
            assertTrue(alice.unread().stream().noneMatch(line -> line.contains("aaa")), "a trickle went out");
            FaultClients.eventually("only alice and bob are left", 10, () -> server.connectionCount() == 2);
        } finally {
            pace.shutdownNow();
        }
    }
}
