package boucle.net;

import static boucle.net.BlockingClients.lines;
import static boucle.net.BlockingClients.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Event;
import boucle.test.LogCapture;
import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link GroupServer} on a {@link LoopGroup}, against blocking clients on loopback. */
class GroupServerTest {
    private static final int LOOPS = 4;

    /** Echoes bytes, and records which loop thread served each connection. */
    private static Handler echo(Set<String> servedBy) {
        return connection -> {
            servedBy.add(Thread.currentThread().getName());
            for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
                connection.write(bytes);
            }
        };
    }

    private static Socket connect(GroupServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** One client: sends its own 1 KiB pattern, reads it back, compares every byte. */
    private static boolean echoesExactly(GroupServer server, int id) throws IOException {
        byte[] sent = new byte[1024];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (id * 31 + i * 7);
        }
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(sent);
            byte[] back = new byte[sent.length];
            new DataInputStream(socket.getInputStream()).readFully(back);
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "nothing more than was sent");
            assertArrayEquals(sent, back, "client " + id);
            return true;
        }
    }

    @Test
    void aThousandConnectionsOverFourLoopsEchoEveryByteAndEveryLoopServesSome() throws Exception {
        Set<String> servedBy = ConcurrentHashMap.newKeySet();
        try (LoopGroup group = LoopGroup.start(LOOPS, "echo-loop");
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(echo(servedBy)));
            List<Future<Boolean>> results = new ArrayList<>();
            for (int id = 0; id < 1_000; id++) {
                int client = id;
                results.add(clients.submit(() -> echoesExactly(server, client)));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(60, TimeUnit.SECONDS));
            }
            assertEquals(Set.of("echo-loop-0", "echo-loop-1", "echo-loop-2", "echo-loop-3"), servedBy);
            long[] perLoop = server.acceptedPerLoop();
            assertEquals(1_000, perLoop[0] + perLoop[1] + perLoop[2] + perLoop[3]);
            for (long count : perLoop) {
                assertEquals(250, count, "round robin: " + java.util.Arrays.toString(perLoop));
            }
        }
    }

    @Test
    void aHandlerThatThrowsOrAClientThatResetsDisturbsNoOtherLoop() throws Exception {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        Handler lines = connection -> {
            for (String line; (line = connection.readLine(100)) != null; ) {
                if (line.equals("boom")) {
                    throw new IllegalStateException("the handler blew up on purpose");
                }
                connection.write(Thread.currentThread().getName() + " " + line + "\n");
            }
            events.add("end of stream");
        };
        try (LogCapture log = LogCapture.of("boucle.net"); LoopGroup group = LoopGroup.start(LOOPS, "iso")) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(lines));
            List<Socket> calm = new ArrayList<>();
            for (int i = 0; i < LOOPS; i++) { // round robin: one calm client per loop
                calm.add(connect(server));
            }
            Socket crasher = connect(server); // on loop 0
            Socket resetter = connect(server); // on loop 1
            send(crasher, "boom\n");
            assertEquals(-1, crasher.getInputStream().read(), "the crashing handler's connection is closed");
            log.await("a handler failed", Duration.ofSeconds(10));
            resetter.setSoLinger(true, 0);
            resetter.close(); // RST
            for (int i = 0; i < LOOPS; i++) {
                send(calm.get(i), "still here\n");
                assertEquals("iso-" + i + " still here", lines(calm.get(i)).readLine());
            }
            for (Socket socket : calm) {
                socket.close();
            }
            crasher.close();
        }
    }

    @Test
    void maxConnectionsHoldsForTheWholeServerNotPerLoop() throws Exception {
        Handler greet = connection -> {
            connection.write("hello\n");
            connection.flush();
            connection.readLine(100); // until the client leaves
        };
        try (LoopGroup group = LoopGroup.start(2, "limited")) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(greet).maxConnections(2));
            Socket first = connect(server);
            Socket second = connect(server);
            assertEquals("hello", lines(first).readLine());
            assertEquals("hello", lines(second).readLine()); // one on each loop: the limit is reached
            try (Socket third = connect(server)) { // completes in the kernel's backlog
                third.setSoTimeout(300);
                assertThrows(java.net.SocketTimeoutException.class, () -> third.getInputStream().read(),
                        "the third waits: 2 connections over both loops");
                third.setSoTimeout(20_000);
                first.close();
                assertEquals("hello", lines(third).readLine(), "served once the first left");
                assertEquals(3, server.acceptedPerLoop()[0] + server.acceptedPerLoop()[1]);
            } finally {
                second.close();
            }
        }
    }

    private static void assertThrows(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable body,
            String message) {
        org.junit.jupiter.api.Assertions.assertThrows(type, body, message);
    }

    @Test
    void aGroupShutdownDrainsEveryLoopWithinOneGraceAndEndsEveryThread() throws Exception {
        Handler handler = connection -> {
            String line = connection.readLine(100);
            if ("stubborn".equals(line)) {
                connection.write("working\n");
                connection.flush();
                new Event().await(); // never set: only the cancel after the grace ends it
            }
            try {
                connection.readLine(100);
            } catch (ServerShuttingDownException stopping) {
                connection.write("bye\n");
            }
        };
        Duration grace = Duration.ofMillis(500);
        LoopGroup group = LoopGroup.start(LOOPS, "drain");
        GroupServer server = GroupServer.start(group, AsyncServer.builder(handler).shutdownGrace(grace));
        List<Socket> polite = new ArrayList<>();
        List<Socket> stubborn = new ArrayList<>();
        for (int i = 0; i < LOOPS; i++) {
            Socket socket = connect(server);
            send(socket, "polite\n");
            polite.add(socket);
        }
        for (int i = 0; i < LOOPS; i++) {
            Socket socket = connect(server);
            send(socket, "stubborn\n");
            assertEquals("working", lines(socket).readLine());
            stubborn.add(socket);
        }
        long start = System.nanoTime();
        group.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 10_000, "bounded by one grace period, not one per loop: " + tookMillis + " ms");
        for (Socket socket : polite) {
            BufferedReader in = lines(socket);
            assertEquals("bye", in.readLine());
            assertNull(in.readLine());
            socket.close();
        }
        for (Socket socket : stubborn) {
            assertEquals(-1, socket.getInputStream().read(), "cancelled after the grace, its connection closed");
            socket.close();
        }
        assertTrue(group.isTerminated());
        assertTrue(server.whenStopped().isDone());
        assertFalse(server.whenStopped().isCompletedExceptionally());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            assertFalse(thread.getName().startsWith("drain-"), "thread " + thread.getName() + " still alive");
        }
    }

    @Test
    void theIdleTimeoutClosesIdleConnectionsOnEveryLoopWhileBusyOnesStay() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "idle")) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(echo(ConcurrentHashMap.newKeySet()))
                    .idleTimeout(Duration.ofMillis(300)));
            try (Socket idleOnLoop0 = connect(server); Socket idleOnLoop1 = connect(server); // round robin
                 Socket busyOnLoop0 = connect(server)) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean bothClosed = false;
                while (!bothClosed && System.nanoTime() < until) { // the busy one talks while the others idle
                    send(busyOnLoop0, "x");
                    assertEquals('x', busyOnLoop0.getInputStream().read());
                    idleOnLoop0.setSoTimeout(50);
                    idleOnLoop1.setSoTimeout(50);
                    bothClosed = closedByServer(idleOnLoop0) && closedByServer(idleOnLoop1);
                }
                assertTrue(bothClosed, "the idle connections of both loops were closed");
                send(busyOnLoop0, "still");
                assertEquals('s', busyOnLoop0.getInputStream().read());
            }
        }
    }

    /** Whether the server closed it: end of stream within the socket's timeout; false if it is still open. */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    @Test
    void theDumpOfAGroupCoversEveryLoop() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "dumped")) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(echo(ConcurrentHashMap.newKeySet())));
            try (Socket a = connect(server); Socket b = connect(server)) {
                send(a, "x");
                assertEquals('x', a.getInputStream().read());
                send(b, "y");
                assertEquals('y', b.getInputStream().read());
                String dump = group.dumpTasksThreadsafe().get(10, TimeUnit.SECONDS);
                assertTrue(dump.contains("== loop 0 (thread dumped-0) =="), dump);
                assertTrue(dump.contains("== loop 1 (thread dumped-1) =="), dump);
                int second = dump.indexOf("== loop 1");
                assertTrue(dump.substring(0, second).contains("connection /127.0.0.1"), dump);
                assertTrue(dump.substring(second).contains("connection /127.0.0.1"), dump);
            }
        }
    }

    @Test
    void aGroupThatServesNothingClosesAtOnce() {
        LoopGroup group = LoopGroup.start(3);
        assertEquals(3, group.size());
        group.close();
        assertTrue(group.isTerminated());
    }
}
