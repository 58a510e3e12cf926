package boucle.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.core.Task;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Reading through {@link AsyncSocket}: lines, exact counts, end of stream (the {@link Inbound} half). */
class InboundTest {

    @Test
    void readLineSplitsOnLfAndCrlfAndDropsTheEnds() {
        SocketPair.run((client, server) -> {
            client.write("one\ntwo\r\nthree\n");
            assertEquals("one", server.readLine(100));
            assertEquals("two", server.readLine(100));
            assertEquals("three", server.readLine(100));
        });
    }

    @Test
    void aReaderThatAlwaysFindsDataYieldsToALightPeerAfterItsBudget() {
        SocketPair.runTwo((floodClient, flooded, lightClient, light) -> {
            Loop loop = Loop.current();
            floodClient.write(new byte[64 * 1024]); // in the kernel before the reader starts: every read finds data
            List<Long> floodReads = new ArrayList<>();
            List<String> events = new ArrayList<>();
            Task<Void> flood = loop.spawn(() -> {
                ByteBuf small = Unpooled.directBuffer(64); // a read fills it: the socket may have more, so no wait
                try {
                    for (int got = 0; got < 64 * 1024; small.clear()) {
                        got += flooded.read(small);
                        floodReads.add(loop.turns());
                    }
                } finally {
                    small.release();
                }
                events.add("flood read all");
            });
            Task<Void> pinger = loop.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    lightClient.write("ping\n");
                    assertEquals("ping", light.readLine(10));
                }
                events.add("light done");
            });
            flood.await();
            pinger.await();
            assertEquals(List.of("light done", "flood read all"), events, "the light client was served during the flood");
            assertTrue(maxPerTurn(floodReads) <= SelectorEventSource.UNITS_PER_STEP,
                    "reads of one socket in one turn: " + maxPerTurn(floodReads));
            assertTrue(Net.source(loop).budget().yields() >= floodReads.size() / SelectorEventSource.UNITS_PER_STEP - 1,
                    "the flooded reader yielded at its budget: " + Net.source(loop).budget().yields());
        });
    }

    @Test
    void aHandlerTakingBufferedLinesYieldsAfterItsBudget() {
        SocketPair.run((client, server) -> {
            Loop loop = Loop.current();
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                all.append("line ").append(i).append('\n');
            }
            client.write(all.toString()); // one read brings them all: the rest is served from the buffer
            List<Long> lineTurns = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                assertEquals("line " + i, server.readLine(100));
                lineTurns.add(loop.turns());
            }
            assertTrue(maxPerTurn(lineTurns) <= SelectorEventSource.UNITS_PER_STEP,
                    "lines taken in one turn: " + maxPerTurn(lineTurns));
        });
    }

    /** The largest number of entries with the same turn. */
    static int maxPerTurn(List<Long> turns) {
        Map<Long, Integer> perTurn = new TreeMap<>();
        for (long turn : turns) {
            perTurn.merge(turn, 1, Integer::sum);
        }
        return perTurn.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    @Test
    void readLineWaitsForALineSentInPieces() {
        SocketPair.run((client, server) -> {
            List<String> lines = new ArrayList<>();
            var reader = server.loop().spawn(() -> lines.add(server.readLine(100)));
            for (String piece : new String[] {"hel", "lo wo", "rld", "\r", "\n"}) {
                client.write(piece);
                client.flush();
                boucle.core.Boucle.interrupt();
            }
            reader.await();
            assertEquals(List.of("hello world"), lines);
        });
    }

    @Test
    void streamEndingMidLineIsAnIncompleteLineNotALineThenNull() {
        SocketPair.run((client, server) -> {
            client.write("SET balance 100\nSET balance 10");
            client.shutdownOutput();
            assertEquals("SET balance 100", server.readLine(100));
            IncompleteLineException cut = assertThrows(IncompleteLineException.class, () -> server.readLine(100));
            assertArrayEquals("SET balance 10".getBytes(UTF_8), cut.partialLine());
            assertEquals(14, cut.length());
            assertTrue(cut instanceof EOFException, "an EOFException, as code that reads to the end expects");
            assertNull(server.readLine(100), "the rest was consumed: then the plain end of stream");
            assertTrue(server.isEndOfStream());
        });
    }

    @Test
    void streamEndingRightAfterALineEndIsAPlainEndOfStream() {
        SocketPair.run((client, server) -> {
            client.write("last words\r\n");
            client.shutdownOutput();
            assertEquals("last words", server.readLine(100));
            assertNull(server.readLine(100));
        });
    }

    @Test
    void overLongLineIsAnErrorAndTheNextLineStillReads() {
        SocketPair.run((client, server) -> {
            client.write("x".repeat(5000) + "\nshort\n");
            LineTooLongException tooLong = assertThrows(LineTooLongException.class, () -> server.readLine(100));
            assertTrue(tooLong.getMessage().contains("100"), tooLong.getMessage());
            assertEquals("short", server.readLine(100));
        });
    }

    @Test
    void overLongLineWithItsEndInBufferIsAnErrorToo() {
        SocketPair.run((client, server) -> {
            client.write("123456\r\nok\n");
            client.flush();
            assertThrows(LineTooLongException.class, () -> server.readLine(5));
            assertEquals("ok", server.readLine(5));
        });
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() {
        SocketPair.run((client, server) -> {
            client.write("12345\r\n");
            assertEquals("12345", server.readLine(5));
        });
    }

    @Test
    void invalidUtf8LineIsAnErrorAndTheNextLineStillReads() {
        SocketPair.run((client, server) -> {
            client.write(new byte[] {'a', (byte) 0xC3, (byte) 0x28, '\n'});
            client.write("caf\u00e9\n");
            MalformedLineException bad = assertThrows(MalformedLineException.class, () -> server.readLine(100));
            assertTrue(bad.getMessage().contains("not valid UTF-8"), bad.getMessage());
            assertEquals("caf\u00e9", server.readLine(100));
        });
    }

    @Test
    void readExactlyWaitsUntilAllBytesCame() {
        SocketPair.run((client, server) -> {
            var reader = server.loop().spawn(() -> {
                ByteBuf exact = server.readExactly(6);
                try {
                    return exact.toString(UTF_8);
                } finally {
                    exact.release();
                }
            });
            client.write("abc");
            client.flush();
            boucle.core.Boucle.interrupt();
            client.write("defgh\n");
            assertEquals("abcdef", reader.await());
            assertEquals("gh", server.readLine(10));
        });
    }

    @Test
    void readExactlyAtEndOfStreamIsAnEofError() {
        SocketPair.run((client, server) -> {
            client.write("abc");
            client.shutdownOutput();
            EOFException eof = assertThrows(EOFException.class, () -> server.readExactly(10));
            assertTrue(eof.getMessage().contains("3 of 10"), eof.getMessage());
        });
    }

    @Test
    void readIntoCallersBufferThenMinusOneAtEndOfStream() {
        SocketPair.run((client, server) -> {
            client.write("hello");
            client.shutdownOutput();
            ByteBuf target = Unpooled.buffer(64);
            try {
                int total = 0;
                for (int n; (n = server.read(target)) != -1; ) {
                    total += n;
                }
                assertEquals(5, total);
                assertEquals("hello", target.toString(UTF_8));
            } finally {
                target.release();
            }
        });
    }

    @Test
    void readReturnsPendingBytesLeftByReadLine() {
        SocketPair.run((client, server) -> {
            client.write("line\nrest");
            client.shutdownOutput();
            assertEquals("line", server.readLine(10));
            StringBuilder rest = new StringBuilder();
            for (ByteBuf some; (some = server.read()) != null; ) {
                rest.append(some.toString(UTF_8));
                some.release();
            }
            assertEquals("rest", rest.toString());
        });
    }

    @Test
    void largeReadsAreBinarySafe() {
        SocketPair.run((client, server) -> {
            byte[] sent = new byte[300_000];
            new java.util.Random(7).nextBytes(sent);
            var writer = client.loop().spawn(() -> {
                client.write(sent);
                client.shutdownOutput();
                return null;
            });
            ByteBuf received = Unpooled.buffer();
            try {
                for (ByteBuf some; (some = server.read()) != null; ) {
                    received.writeBytes(some);
                    some.release();
                }
                writer.await();
                assertArrayEquals(sent, ByteBufUtil.getBytes(received));
            } finally {
                received.release();
            }
        });
    }
}
