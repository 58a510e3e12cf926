package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.VirtualClock;
import boucle.test.BoucleTest;
import boucle.test.LineClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class BackgroundServerTest {
    private static final Handler UPPERCASE = connection -> {
        for (String line; (line = connection.readLine(1024)) != null; ) {
            connection.write(line.toUpperCase() + "\n");
        }
    };

    @Test
    void startReturnsListeningAndCloseStopsTheLoop() throws Exception {
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(UPPERCASE));
        try (LineClient client = LineClient.connect(server.port())) {
            assertEquals("HELLO", client.send("hello").readLine());
            assertEquals(1, server.connectionCount());
            assertEquals("127.0.0.1", ((java.net.InetSocketAddress) server.address()).getAddress().getHostAddress());
        }
        server.close();
        assertTrue(server.stopped().isDone());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close());
    }

    @Test
    void shutdownIsGracefulHandlersFinishWithinTheGrace() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            String line = connection.readLine(100);
            Boucle.sleep(Duration.ofMillis(50)); // still working when the shutdown comes
            connection.write("done with " + line + "\n");
            connection.flush();
            events.add("handler finished");
        }).shutdownGrace(Duration.ofSeconds(10))); LineClient client = LineClient.connect(server.port())) {
            client.send("job");
            server.call(s -> null); // the line is on its way; the handler is in its sleep or about to be
            server.shutdown();
            assertEquals("done with job", client.readLine());
            server.awaitStopped();
        }
        assertEquals(List.of("handler finished"), events);
    }

    @Test
    void callRunsOnTheLoopAndRethrowsAFailure() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(UPPERCASE))) {
            assertEquals(server.background().thread().getName(), server.submit(() -> Thread.currentThread().getName()).get());
            IOException failure = assertThrows(IOException.class, () -> server.background().call(() -> {
                throw new IOException("from the loop");
            }));
            assertEquals("from the loop", failure.getMessage());
        }
    }

    @Test
    void aLoopThatDiesClosesItsPortAndReportsTheFailureToWhoeverWaits() throws Exception {
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(UPPERCASE));
        server.background().loop().callSoonThreadsafe(() -> {
            throw new AssertionError("a bug in the loop");
        });
        AssertionError reported = assertThrows(AssertionError.class, server::awaitStopped);
        assertEquals("a bug in the loop", reported.getMessage());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close());
        ExecutionException late = assertThrows(ExecutionException.class, () -> server.submit(() -> 1).get());
        assertTrue(late.getCause().getMessage().contains("has stopped"), late.getCause().getMessage());
        assertThrows(AssertionError.class, server::close);
        assertThrows(CompletionException.class, () -> server.stopped().join());
    }

    @BoucleTest
    void anIdleConnectionIsClosedAfterThirtySecondsOfVirtualTime(VirtualClock clock) throws Exception {
        long realStart = System.nanoTime();
        try (AsyncServer server = AsyncServer.builder(UPPERCASE).idleTimeout(Duration.ofSeconds(30)).bind()) {
            var serving = Boucle.spawn(server::serveForever);
            try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                client.write("hi\n");
                assertEquals("HI", client.readLine(100));
                assertNull(client.readLine(100), "the server closed the silent connection");
                assertEquals(30, clock.elapsed().toSeconds());
            }
            server.shutdown();
            serving.await();
        }
        long realMillis = (System.nanoTime() - realStart) / 1_000_000;
        assertTrue(realMillis < 1_000, "30 s of virtual time took " + realMillis + " ms"); // loose: a shared machine
    }
}
