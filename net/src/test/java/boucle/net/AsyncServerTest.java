package boucle.net;

import boucle.test.LineClient;
import boucle.test.LogCapture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** {@link AsyncServer} and its {@link Connection}s, against blocking clients on loopback. */
class AsyncServerTest {
    /** Echoes lines; "boom" throws, "slow" parks until the test opens the gate. */
    private static Handler lineEcho(Queue<String> events) {
        return connection -> {
            for (String line; (line = connection.readLine(1000)) != null; ) {
                events.add("got " + line);
                if (line.equals("boom")) {
                    throw new IllegalStateException("the handler blew up on purpose");
                }
                connection.write(line + "\n");
            }
            events.add("end of stream");
        };
    }

    private static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(UTF_8));
        out.flush();
    }

    @Test
    void boundToPortZeroTellsTheChosenPort() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> { }).port(0))) {
            assertTrue(server.port() > 0);
        }
    }

    @Test
    void handlerThatThrowsClosesOnlyItsConnectionAndIsLoggedOnce() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        try (LogCapture log = LogCapture.of("boucle.net"); BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)));
             Socket calm = LineClient.openSocket(server.port()); Socket crasher = LineClient.openSocket(server.port())) {
            send(calm, "before\n");
            assertEquals("before", lines(calm).readLine());
            send(crasher, "boom\n");
            assertEquals(-1, crasher.getInputStream().read(), "the crashing handler's connection is closed");
            var record = log.await("the handler failed", java.time.Duration.ofSeconds(10));
            assertEquals(Level.WARNING, record.getLevel());
            assertTrue(record.getThrown().getMessage().contains("on purpose"));
            send(calm, "after\n");
            assertEquals("after", lines(calm).readLine(), "the other connection goes on");
            assertEquals(1, log.messages().size(), "logged once: " + log.messages());
        }
    }

    @Test
    void peerThatResetsClosesOnlyItsConnection() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            while (true) {
                connection.write("z".repeat(10_000)); // until the peer is gone
            }
        }))) {
            try (Socket resetter = LineClient.openSocket(server.port())) {
                resetter.getInputStream().readNBytes(50_000);
                resetter.setSoLinger(true, 0);
            }
            try (Socket other = LineClient.openSocket(server.port())) {
                assertEquals(50_000, other.getInputStream().readNBytes(50_000).length, "the server still serves");
            }
        }
    }

    @Test
    void idleTimeoutClosesASilentClientButNotABusyOne() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        try (LogCapture log = LogCapture.of("boucle.net"); BackgroundServer server = BackgroundServer.start(
                AsyncServer.builder(lineEcho(events)).idleTimeout(Duration.ofMillis(1000)));
             Socket silent = LineClient.openSocket(server.port()); Socket busy = LineClient.openSocket(server.port())) {
            BufferedReader busyLines = lines(busy);
            CountDownLatch silentClosed = new CountDownLatch(1);
            Thread watcher = new Thread(() -> {
                try {
                    if (silent.getInputStream().read() == -1) {
                        silentClosed.countDown();
                    }
                } catch (IOException ignored) {
                    // a reset counts as not closed cleanly: the latch stays up and the test fails
                }
            });
            watcher.start();
            int exchanges = 0;
            while (silentClosed.getCount() > 0 && exchanges < 10_000) {
                send(busy, "ping\n"); // a busy client: never idle for a second, even on a busy machine
                assertEquals("ping", busyLines.readLine());
                exchanges++;
                silentClosed.await(20, TimeUnit.MILLISECONDS);
            }
            assertTrue(silentClosed.await(10, TimeUnit.SECONDS), "the silent client was closed");
            send(busy, "still here\n");
            assertEquals("still here", busyLines.readLine());
            assertTrue(log.await("idle timeout", java.time.Duration.ofSeconds(10)).getMessage().contains("nothing received for 1000 ms"));
        }
    }

    @Test
    void maxConnectionsHoldsTheNextClientUntilASlotFrees() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)).maxConnections(2))) {
            Socket first = LineClient.openSocket(server.port());
            Socket second = LineClient.openSocket(server.port());
            send(first, "1\n");
            send(second, "2\n");
            assertEquals("1", lines(first).readLine());
            assertEquals("2", lines(second).readLine());
            try (Socket third = LineClient.openSocket(server.port())) { // completes in the kernel's backlog
                send(third, "3\n");
                assertEquals(2, server.connectionCount(), "the third waits in the backlog");
                assertTrue(!events.contains("got 3"));
                first.close();
                assertEquals("3", lines(third).readLine(), "served once the first left");
                assertEquals(List.of("got 1", "got 2", "end of stream", "got 3"), List.copyOf(events));
            } finally {
                second.close();
            }
        }
    }

    @Test
    void shutdownLetsAnInFlightExchangeFinish() throws Exception {
        CountDownLatch handlerStarted = new CountDownLatch(1);
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            handlerStarted.countDown();
            String request = connection.readLine(100); // still in flight when shutdown begins
            connection.write("reply to " + request + "\n");
        }).shutdownGrace(Duration.ofSeconds(10)));
        try (Socket client = LineClient.openSocket(server.port())) {
            assertTrue(handlerStarted.await(10, TimeUnit.SECONDS));
            server.shutdown();
            assertThrows(ConnectException.class, () -> eventuallyRefused(server.port()));
            send(client, "question\n");
            assertEquals("reply to question", lines(client).readLine());
            assertEquals(-1, client.getInputStream().read());
        }
        server.awaitStopped();
    }

    @Test
    void shutdownCancelsHandlersStillRunningAfterTheGracePeriod() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        CountDownLatch handlerStarted = new CountDownLatch(1);
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            handlerStarted.countDown();
            try {
                connection.readLine(100); // the client never sends
            } finally {
                events.add("handler's finally ran");
            }
        }).shutdownGrace(Duration.ofMillis(100)));
        try (Socket client = LineClient.openSocket(server.port())) {
            assertTrue(handlerStarted.await(10, TimeUnit.SECONDS));
            server.shutdown();
            server.awaitStopped();
            assertEquals(-1, client.getInputStream().read());
            assertEquals(List.of("handler's finally ran"), List.copyOf(events));
        }
    }

    @Test
    void handlerOutputIsFlushedBeforeTheServerCloses() throws Exception {
        byte[] big = new byte[4 << 20];
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            connection.setWriteBufferWaterMarks(big.length, big.length); // queued, the handler returns at once
            ByteBuf data = io.netty.buffer.Unpooled.wrappedBuffer(big);
            connection.write(data);
        })); Socket client = LineClient.openSocket(server.port())) {
            assertEquals(big.length, client.getInputStream().readAllBytes().length);
        }
    }

    /** Connects until refused: the listener closes on the loop thread soon after shutdown(). */
    /** Connects until refused (the shutdown reached the loop thread), for at most 10 s. */
    private static void eventuallyRefused(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                probe.setSoTimeout(1);
            }
        }
    }
}
