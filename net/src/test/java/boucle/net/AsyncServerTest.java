package boucle.net;

import static boucle.net.BlockingClients.lines;
import static boucle.net.BlockingClients.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Event;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.test.LineClient;
import boucle.test.LogCapture;
import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
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

    @Test
    void aUnixSocketServerRunsTheSameHandlerAndRemovesItsFileAtShutdown(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path directory) throws Exception {
        java.nio.file.Path path = directory.resolve("echo.sock");
        Queue<String> events = new ConcurrentLinkedQueue<>();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)).unixSocket(path));
             java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(path))) { // a blocking client, as nc -U is one
            assertEquals(java.net.UnixDomainSocketAddress.of(path), server.address());
            client.write(java.nio.ByteBuffer.wrap("over a socket file\n".getBytes(UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(java.nio.channels.Channels.newInputStream(client), UTF_8));
            assertEquals("over a socket file", in.readLine());
            client.shutdownOutput();
            assertEquals(null, in.readLine(), "the handler returned at the end of the stream and the server closed");
            assertTrue(java.nio.file.Files.exists(path));
            server.shutdown();
            assertTrue(server.awaitStopped(Duration.ofSeconds(10)));
            assertTrue(!java.nio.file.Files.exists(path), "the socket file is gone after the shutdown");
            assertEquals(List.of("got over a socket file", "end of stream"), List.copyOf(events));
        }
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
            var record = log.await("a handler failed", java.time.Duration.ofSeconds(10));
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
            assertEquals("1", lines(first).readLine()); // "got 1" is recorded before the reply: in order
            send(second, "2\n");
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
        CountDownLatch requestRead = new CountDownLatch(1);
        Event workDone = new Event();
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            String request = connection.readLine(100);
            requestRead.countDown();
            workDone.await(); // still working on it when shutdown begins
            connection.write("reply to " + request + "\n");
        }).shutdownGrace(Duration.ofSeconds(10)));
        try (Socket client = LineClient.openSocket(server.port())) {
            send(client, "question\n");
            assertTrue(requestRead.await(10, TimeUnit.SECONDS));
            server.shutdown();
            assertThrows(ConnectException.class, () -> eventuallyRefused(server.port()));
            server.background().call(() -> {
                workDone.set();
                return null;
            });
            assertEquals("reply to question", lines(client).readLine());
            assertEquals(-1, client.getInputStream().read());
        }
        server.awaitStopped();
    }

    @Test
    void shutdownEndsAParkedReadAtOnceSoIdleClientsCostNoGrace() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        CountDownLatch bothParked = new CountDownLatch(2);
        try (LogCapture log = LogCapture.of("boucle.net")) {
            BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
                bothParked.countDown();
                String first = connection.readLine(100);
                if ("polite".equals(first)) {
                    try {
                        connection.readLine(100);
                    } catch (ServerShuttingDownException stopping) {
                        events.add("polite handler told: " + stopping.getMessage());
                        connection.write("* server shutting down\n"); // writes still work
                    }
                } else {
                    connection.readLine(100); // lets the signal end it: a quiet end, not a failure
                }
            }).shutdownGrace(Duration.ofHours(1))); // waiting for the grace would fail the test
            try (Socket polite = LineClient.openSocket(server.port()); Socket plain = LineClient.openSocket(server.port())) {
                send(polite, "polite\n");
                send(plain, "plain\n");
                assertTrue(bothParked.await(10, TimeUnit.SECONDS));
                for (int i = 0; i < 100_000 && !parkedInRead(server, 2); i++) {
                    Thread.onSpinWait(); // until both handlers are parked in their second read
                }
                assertTrue(parkedInRead(server, 2));
                server.shutdown();
                server.awaitStopped(); // within 20 s, not the hour of grace
                assertEquals("* server shutting down", lines(polite).readLine());
                assertEquals(-1, polite.getInputStream().read());
                assertEquals(-1, plain.getInputStream().read());
            }
            assertEquals(List.of("polite handler told: the server is shutting down"), List.copyOf(events));
            assertEquals(List.of(), log.messages(),
                    "a handler ended by the shutdown signal is no failure: nothing above DEBUG");
        }
    }

    /** Whether {@code count} connection tasks are parked on their socket (in a read), on either backend. */
    private static boolean parkedInRead(BackgroundServer server, int count) throws Exception {
        return server.background().call(() -> server.loop().tasks().stream()
                .filter(task -> task.name().startsWith("connection") && task.state() == boucle.core.Task.State.PARKED
                        && (task.waitingOn() instanceof Registration || task.waitingOn() instanceof UringReceiver))
                .count() == count);
    }

    @Test
    void shutdownFromAnotherThreadIsRefusedBeforeItClosesAnything() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)))) {
            try (Socket before = LineClient.openSocket(server.port())) {
                send(before, "hello\n");
                assertEquals("hello", lines(before).readLine()); // the loop runs
            }
            assertThrows(IllegalStateException.class, () -> server.server().shutdown());
            assertThrows(IllegalStateException.class, () -> server.server().close());
            try (Socket after = LineClient.openSocket(server.port())) {
                send(after, "still listening\n");
                assertEquals("still listening", lines(after).readLine());
            }
        } // close(): the right way, through the loop; serveForever returns
    }

    @Test
    void shutdownThreadsafeStopsTheServerFromAnyThread() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)));
        try (Socket client = LineClient.openSocket(server.port())) {
            send(client, "hi\n");
            assertEquals("hi", lines(client).readLine());
            server.server().shutdownThreadsafe().get(10, TimeUnit.SECONDS); // done once serveForever returned
            assertEquals(-1, client.getInputStream().read(), "the idle client's read ended, its connection closed");
            server.awaitStopped();
            assertTrue(server.server().shutdownThreadsafe().isDone(), "after the end: nothing to do, already done");
        }
        assertEquals(List.of("got hi"), List.copyOf(events));
    }

    @Test
    void shutdownThreadsafeBeforeServingMakesServeForeverReturnAtOnce() throws Exception {
        AsyncServer server = AsyncServer.builder(connection -> { }).bind();
        var stopped = server.shutdownThreadsafe();
        assertTrue(!stopped.isDone());
        try (Loop loop = Net.newLoop()) {
            loop.runTask(server::serveForever);
        }
        assertTrue(stopped.isDone());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close());
    }

    @Test
    void connectionCancelledBeforeItsHandlerRanIsClosedAndLeavesTheCount() throws Exception {
        AsyncServer server = AsyncServer.builder(connection -> connection.write("handler ran\n")).bind();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // complete in the kernel's backlog: one accept step takes all three
                Socket client = new Socket("127.0.0.1", server.port());
                client.setSoTimeout(10_000);
                clients.add(client);
            }
            try (Loop loop = Net.newLoop()) {
                loop.runUntilComplete(loop.spawn(() -> { // returns even if a failed assertion leaves the server up
                    Task<Void> serving = loop.spawn(server::serveForever);
                    List<Task<?>> handlers = List.of();
                    for (int turn = 0; turn < 100 && handlers.size() < 3; turn++) {
                        Boucle.interrupt(); // until the acceptor has spawned the three, which then wait behind us
                        handlers = loop.tasks().stream().filter(task -> task.name().startsWith("connection")).toList();
                    }
                    assertEquals(3, handlers.size());
                    for (Task<?> handler : handlers) {
                        assertEquals(Task.State.NEW, handler.state(), "not started yet");
                        handler.cancel(); // before its first step: its body never runs
                    }
                    while (server.connectionCount() > 0 && loop.turns() < 10_000) {
                        Boucle.interrupt();
                    }
                    assertEquals(0, server.connectionCount(), "each left the count, and gave its slot back");
                    for (Socket client : clients) {
                        assertEquals(-1, client.getInputStream().read(), "closed, without the handler's greeting");
                    }
                    server.shutdown();
                    serving.await(); // returns: nothing left to wait for
                }));
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void shutdownCancelsHandlersStillRunningAfterTheGracePeriod() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        CountDownLatch handlerStarted = new CountDownLatch(1);
        BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            handlerStarted.countDown();
            try {
                connection.readLine(100); // the client never sends
            } catch (ServerShuttingDownException stopping) {
                Boucle.sleep(Duration.ofHours(1)); // a handler that does not take the hint
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

    @Test
    void peerResetsAreLoggedAsACountPerIntervalNotALineEach() throws Exception {
        try (LogCapture log = LogCapture.of("boucle.net")) {
            BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
                while (true) {
                    connection.write("z".repeat(10_000)); // until the peer is gone
                }
            }).logInterval(Duration.ofHours(1)));
            int resets = 20;
            for (int i = 0; i < resets; i++) {
                try (Socket resetter = LineClient.openSocket(server.port())) {
                    resetter.getInputStream().readNBytes(20_000);
                    resetter.setSoLinger(true, 0); // close with a reset
                }
            }
            for (int i = 0; i < 100_000 && server.connectionCount() > 0; i++) {
                Thread.onSpinWait();
            }
            assertEquals(0, server.connectionCount());
            assertEquals(1, log.messages().size(), "one line for the first, the others counted: " + log.messages());
            server.shutdown();
            server.awaitStopped(); // the server's end reports what was counted
            List<String> lines = log.messages();
            assertEquals(2, lines.size(), "" + lines);
            assertTrue(lines.get(0).startsWith("connection ended: connection from /127.0.0.1:"), lines.get(0));
            assertTrue(lines.get(1).startsWith("connection ended " + (resets - 1) + " more times in the last 3600 s: "),
                    lines.get(1));
        }
    }

    @Test
    void aLoggerThatThrowsAnErrorEndsNeitherTheConnectionCleanupNorTheServer() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        // as the JDK's logger does at EMFILE, when its first record opens the time-zone data
        try (var broken = ThrowingLogHandler.install("boucle.net", "simulated: cannot open lib/tzdb.dat (Too many open files)");
             BackgroundServer server = BackgroundServer.start(AsyncServer.builder(lineEcho(events)))) {
            for (int i = 0; i < 3; i++) {
                try (Socket crasher = LineClient.openSocket(server.port())) {
                    send(crasher, "boom\n"); // the handler fails, and logging that fails too
                    assertEquals(-1, crasher.getInputStream().read(), "its connection is closed all the same");
                }
            }
            try (Socket calm = LineClient.openSocket(server.port())) {
                send(calm, "still serving\n");
                assertEquals("still serving", lines(calm).readLine());
                assertEquals(1, server.connectionCount(), "the crashers' connections left the count");
            }
        }
    }

    /** Connects until refused (the shutdown reached the loop thread), for at most 10 s. */
    private static void eventuallyRefused(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                probe.setSoTimeout(1);
            }
        }
    }
    /** The echo handler of the parked-stack test: its frame marks where the application's code is. */
    private static void echoBytes(AsyncSocket connection) throws IOException {
        for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
            connection.write(bytes);
        }
    }

    /**
     * A parked task keeps its stack for as long as it waits, in a heap object (its continuation's
     * stack chunk): for an idle connection, for hours, once per connection. So the frames between
     * the task's entry and the suspension are counted here, not timed: a frame added on this path
     * fails the test and shows where. Above the handler: AsyncSocket.read, Inbound.readSome,
     * SocketStream.receiveSome, Registration.await, Task.park, Coroutine.suspend; below it:
     * Connection.call and Task.Body.run.
     */
    @Test
    void anIdleConnectionParksOnAShallowStack() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(AsyncServerTest::echoBytes).port(0));
             Socket client = new Socket("127.0.0.1", server.port())) {
            send(client, "ping");
            assertEquals("ping", new String(client.getInputStream().readNBytes(4), UTF_8));
            // the reply left just before the handler's next read parked, in the same step: it is parked now
            List<StackTraceElement> stack = server.submit(() -> {
                for (Task<?> task : Loop.current().tasks()) {
                    if (task.name().startsWith("connection")) {
                        assertEquals(Task.State.PARKED, task.state());
                        return List.of(task.stack());
                    }
                }
                throw new AssertionError("no connection task among " + Loop.current().tasks());
            }).get(10, TimeUnit.SECONDS);
            int handler = -1;
            for (int i = 0; i < stack.size() && handler < 0; i++) {
                if (stack.get(i).getMethodName().equals("echoBytes")) {
                    handler = i;
                }
            }
            String frames = "the idle connection's parked stack, innermost first:\n  " + String.join("\n  ",
                    stack.stream().map(StackTraceElement::toString).toList());
            assertTrue(handler >= 0, "no handler frame: " + frames);
            assertEquals("suspend", stack.get(0).getMethodName(), frames);
            assertTrue(handler <= 6, handler + " frames between the handler and the suspension, at most 6 expected: " + frames);
            int below = stack.size() - handler - 1;
            assertTrue(below <= 2, below + " frames under the handler, at most 2 expected: " + frames);
        }
    }
}
