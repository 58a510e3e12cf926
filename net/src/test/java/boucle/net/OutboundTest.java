package boucle.net;

import boucle.test.LineClient;
import boucle.test.LogCapture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Writing through {@link AsyncSocket}: direct writes, queueing, backpressure, flush, failures (the {@link Outbound} half). */
class OutboundTest {

    @Test
    void writerParksPastTheHighWaterMarkUntilThePeerReads() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(8 * 1024, 32 * 1024);
            List<String> events = new ArrayList<>();
            byte[] chunk = new byte[64 * 1024];
            new Random(1).nextBytes(chunk);
            int chunks = 640; // 40 MiB: more than the kernel's buffers hold (autotuned up to tcp_wmem + tcp_rmem), so the queue must fill
            Task<Void> writer = server.loop().spawn(() -> {
                for (int i = 0; i < chunks; i++) {
                    server.write(chunk);
                    assertTrue(server.pendingWriteBytes() <= 32 * 1024 + chunk.length, "queue bounded");
                }
                events.add("writer done");
                server.shutdownOutput();
            });
            while (writer.state() != Task.State.PARKED && !writer.isDone()) {
                Boucle.interrupt(); // let the writer run until it has filled the kernel buffers
            }
            events.add("writer parked: " + (writer.state() == Task.State.PARKED));
            byte[] received = readAll(client);
            writer.await();
            assertEquals(List.of("writer parked: true", "writer done"), events);
            assertEquals(chunks * chunk.length, received.length);
            for (int i = 0; i < chunks; i++) {
                assertArrayEquals(chunk, java.util.Arrays.copyOfRange(received, i * chunk.length, (i + 1) * chunk.length),
                        "chunk " + i + " came back in order and intact");
            }
        });
    }

    @Test
    void manyWritesInOneStepCostOneGatheringWrite() {
        SocketPair.run((client, server) -> {
            for (int i = 0; i < 100; i++) {
                server.write("line " + i + "\n");
            }
            assertEquals(0, server.writeCalls(), "queued, not written, until a flush point");
            for (int i = 0; i < 100; i++) {
                assertEquals("line " + i, client.readLine(100)); // parks: the turn ends, the queue goes out
            }
            assertEquals(1, server.writeCalls(), "one writev for the 100 writes");
        });
    }

    @Test
    void aQueueLongerThanOneWritevHoldsTakesOneWritevPerThousandBuffers() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(1 << 20, 1 << 20);
            for (int i = 0; i < 1500; i++) {
                server.write("line " + i + "\n");
            }
            server.flush();
            assertEquals(2, server.writeCalls(), "1,024 buffers per writev (IOV_MAX), then the other 476");
            for (int i = 0; i < 1500; i++) {
                assertEquals("line " + i, client.readLine(100));
            }
        });
    }

    @Test
    void writesOfManyTasksInOneTurnLeaveTogether() {
        SocketPair.run((client, server) -> {
            List<Task<Void>> writers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String line = "from task " + i + "\n";
                writers.add(server.loop().spawn(() -> { server.tryWrite(line); }));
            }
            for (Task<Void> writer : writers) {
                writer.await();
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("from task " + i, client.readLine(100));
            }
            assertEquals(1, server.writeCalls(), "the 20 tasks ran in one turn; their lines left in one writev");
        });
    }

    @Test
    void aBroadcastToManyPeersCostsAFewWritesPerPeerNotOnePerLine() {
        SocketPair.run((sender, senderSide) -> {
            int members = 20;
            int lines = 100;
            List<AsyncSocket> memberSides = new ArrayList<>();
            List<AsyncSocket> memberClients = new ArrayList<>();
            try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, members)) {
                for (int i = 0; i < members; i++) {
                    Task<AsyncSocket> accepting = Loop.current().spawn(listener::accept);
                    memberClients.add(AsyncSocket.connect("127.0.0.1", listener.port(), java.time.Duration.ofSeconds(5)));
                    memberSides.add(accepting.await());
                }
            }
            try {
                for (int i = 0; i < lines; i++) {
                    sender.write("line " + i + "\n"); // a client that pipelines: the lines come in one read
                }
                for (int i = 0; i < lines; i++) {
                    String line = senderSide.readLine(100) + "\n"; // the budget yields every 16 lines: a turn ends
                    for (AsyncSocket member : memberSides) {
                        assertTrue(member.tryWrite(line));
                    }
                }
                long writes = 0;
                for (int m = 0; m < members; m++) {
                    for (int i = 0; i < lines; i++) {
                        assertEquals("line " + i, memberClients.get(m).readLine(100));
                    }
                    writes += memberSides.get(m).writeCalls();
                }
                double perLinePerMember = (double) writes / (lines * members);
                assertTrue(perLinePerMember <= 0.1, "write calls per line per member: " + perLinePerMember);
            } finally {
                memberSides.forEach(AsyncSocket::close);
                memberClients.forEach(AsyncSocket::close);
            }
        });
    }

    @Test
    void aLonePingPongSendsEachMessageBeforeTheLoopWaits() {
        SocketPair.run((client, server) -> {
            Task<Void> echo = server.loop().spawn(() -> {
                for (String line; (line = server.readLine(100)) != null; ) {
                    server.write(line + "\n"); // leaves as the handler parks for the next line
                }
            });
            for (int i = 0; i < 50; i++) {
                client.write("ping " + i + "\n");
                assertEquals("ping " + i, client.readLine(100));
            }
            client.shutdownOutput();
            echo.await();
            assertEquals(50, server.writeCalls(), "one write per reply: none waited for another");
            assertEquals(50, client.writeCalls());
        });
    }

    @Test
    void aWriterTheKernelKeepsUpWithStillYieldsAfterItsBudget() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(0, 1); // every write passes the high mark: written at once, never queued
            Task<byte[]> reader = client.loop().spawn(() -> readAll(client));
            List<Long> writeTurns = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                server.write(new byte[100]); // the kernel takes each at once: no write ever parks
                writeTurns.add(server.loop().turns());
            }
            server.shutdownOutput();
            assertEquals(200 * 100, reader.await().length);
            assertTrue(InboundTest.maxPerTurn(writeTurns) <= SelectorEventSource.UNITS_PER_STEP,
                    "writes in one turn: " + InboundTest.maxPerTurn(writeTurns));
        });
    }

    @Test
    void writeThenCloseDeliversWhatTheKernelTakes() {
        SocketPair.run((client, server) -> {
            server.write("last words\n");
            server.close(); // no flush: the bytes still queued go out if the kernel takes them at once
            assertEquals("last words", client.readLine(100));
            assertEquals(null, client.readLine(100));
        });
    }

    @Test
    void flushWaitsUntilEveryByteIsWritten() {
        SocketPair.run((client, server) -> {
            byte[] big = new byte[8 * 1024 * 1024];
            new Random(2).nextBytes(big);
            server.setWriteBufferWaterMarks(big.length, big.length); // write() queues it all, never parks
            server.write(big);
            assertTrue(server.pendingWriteBytes() > 0, "8 MiB do not fit in the kernel's buffers at once");
            Task<byte[]> reader = client.loop().spawn(() -> readAll(client));
            server.flush();
            assertEquals(0, server.pendingWriteBytes());
            server.shutdownOutput();
            assertArrayEquals(big, reader.await());
        });
    }

    @Test
    void drainWaitsUntilTheQueueIsBackAtTheLowWaterMark() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(64 * 1024, 8 << 20);
            server.write(new byte[8 << 20]); // under the high mark: queued, no parking
            assertTrue(server.pendingWriteBytes() > 64 * 1024);
            Task<byte[]> reader = client.loop().spawn(() -> readAll(client));
            server.drain();
            assertTrue(server.pendingWriteBytes() <= 64 * 1024, "drained to " + server.pendingWriteBytes());
            server.shutdownOutput();
            assertEquals(8 << 20, reader.await().length);
        });
    }

    @Test
    void tryWriteRefusesWhatWouldPassTheHighWaterMark() {
        SocketPair.run((client, server) -> {
            server.setWriteBufferWaterMarks(1024, 4096);
            int accepted = 0;
            String line = "y".repeat(1000) + "\n";
            while (server.tryWrite(line)) {
                accepted++;
                assertTrue(accepted < 100_000, "tryWrite never refused");
            }
            assertTrue(server.pendingWriteBytes() <= 4096);
            assertFalse(server.tryWrite(line));
        });
    }

    @Test
    void writeToAPeerThatResetFailsWithAnIoError() {
        SocketPair.run((client, server) -> {
            client.close(); // our own close: the server side sees a reset once it writes
            byte[] chunk = new byte[64 * 1024];
            IOException failure = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    server.write(chunk);
                    server.flush();
                }
            });
            assertFalse(failure instanceof SocketClosedException, "the peer's reset, not our close: " + failure);
        });
    }

    @Test
    void writeAfterShutdownOutputIsAClearError() {
        SocketPair.run((client, server) -> {
            server.shutdownOutput();
            SocketClosedException closed = assertThrows(SocketClosedException.class, () -> server.write("late"));
            assertTrue(closed.getMessage().contains("shutdownOutput"), closed.getMessage());
            assertEquals(null, client.read());
            client.write("still open this way\n");
            assertEquals("still open this way", server.readLine(100));
        });
    }

    @Test
    void peerResetWhileTheLoopFlushesEndsTheConnectionAndIsLoggedOnce() throws Exception {
        try (LogCapture log = LogCapture.of("boucle.net"); BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            connection.setWriteBufferWaterMarks(1 << 20, 1 << 30); // queue everything, never park
            connection.write(new byte[16 << 20]);
            connection.readLine(10); // the loop flushes in the background meanwhile
            connection.write("after the reset\n");
        }))) {
            try (Socket client = LineClient.openSocket(server.port())) {
                InputStream in = client.getInputStream();
                in.readNBytes(1024);
                client.setSoLinger(true, 0); // close with a reset while the server still has data queued
            }
            // the loop's background write or the handler's read meets the reset first: either way, once
            assertTrue(log.await("reset", java.time.Duration.ofSeconds(10)).getMessage().contains("connection from"), log.messages().toString());
            assertEquals(1, log.messages().size(), "logged once: " + log.messages());
        }
    }

    private static byte[] readAll(AsyncSocket socket) throws IOException {
        ByteBuf all = Unpooled.buffer();
        try {
            for (ByteBuf some; (some = socket.read()) != null; ) {
                all.writeBytes(some);
                some.release();
            }
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    static String text(ByteBuf buffer) {
        try {
            return buffer.toString(StandardCharsets.UTF_8);
        } finally {
            buffer.release();
        }
    }
}
