package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.net.Net;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RespReaderTest {
    private final RespReader reader = new RespReader(Net.allocator(), 64L * 1024 * 1024);

    @AfterEach
    void release() {
        reader.release();
    }

    private static ByteBuf bytes(byte[] data) {
        ByteBuf buf = Net.allocator().directBuffer(Math.max(1, data.length));
        buf.writeBytes(data);
        return buf;
    }

    private static ByteBuf text(String resp) {
        return bytes(resp.getBytes(StandardCharsets.UTF_8));
    }

    /** Every value {@code resp} holds, fed all at once. */
    private List<RedisValue> readAll(String resp) throws RedisProtocolException {
        reader.feed(text(resp));
        List<RedisValue> values = new ArrayList<>();
        for (RedisValue value; (value = reader.next()) != null; ) {
            values.add(value);
        }
        return values;
    }

    private static RedisValue.Bulk bulk(String text) {
        return new RedisValue.Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyRespTwoTypeIsRead() throws RedisProtocolException {
        List<RedisValue> values = readAll("+OK\r\n-ERR no such key\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
                + "*3\r\n$3\r\nfoo\r\n:1\r\n*2\r\n+a\r\n$-1\r\n");
        assertEquals(List.of(
                new RedisValue.Simple("OK"),
                new RedisValue.Error("ERR no such key"),
                new RedisValue.Int(42),
                new RedisValue.Int(-7),
                bulk("hello"),
                bulk(""),
                RedisValue.Null.INSTANCE,
                RedisValue.Null.INSTANCE,
                new RedisValue.Array(List.of()),
                new RedisValue.Array(List.of(bulk("foo"), new RedisValue.Int(1),
                        new RedisValue.Array(List.of(new RedisValue.Simple("a"), RedisValue.Null.INSTANCE))))),
                values);
        assertEquals(0, reader.bufferedBytes(), "a reader with nothing pending keeps no buffer");
    }

    @Test
    void framesSplitAtEveryByteGiveTheSameValues() throws RedisProtocolException {
        String resp = "*2\r\n$6\r\nfoo\r\nb\r\n*1\r\n:123456789\r\n+done\r\n-ERR x\r\n";
        List<RedisValue> whole = readAll(resp);
        reader.release();
        List<RedisValue> piecewise = new ArrayList<>();
        for (byte b : resp.getBytes(StandardCharsets.UTF_8)) {
            reader.feed(bytes(new byte[] {b}));
            for (RedisValue value; (value = reader.next()) != null; ) {
                piecewise.add(value);
            }
        }
        assertEquals(3, whole.size());
        assertArrayEquals("foo\r\nb".getBytes(StandardCharsets.UTF_8), whole.get(0).asList().get(0).asBytes(),
                "a bulk may hold CRLF: its length, not a line end, says where it stops");
        assertEquals(whole, piecewise);
    }

    @Test
    void aHugeBulkInSmallPiecesIsCopiedOnceAndNotKeptInTheBuffer() throws RedisProtocolException {
        byte[] value = new byte[8 * 1024 * 1024 + 3];
        new Random(42).nextBytes(value);
        reader.feed(text("$" + value.length + "\r\n"));
        int maxBuffered = 0;
        for (int at = 0; at < value.length; at += 65_536) {
            byte[] piece = java.util.Arrays.copyOfRange(value, at, Math.min(value.length, at + 65_536));
            reader.feed(bytes(piece));
            assertNull(reader.next());
            maxBuffered = Math.max(maxBuffered, reader.bufferedBytes());
        }
        reader.feed(text("\r\n:1\r\n"));
        RedisValue bulk = reader.next();
        assertArrayEquals(value, bulk.asBytes());
        assertEquals(new RedisValue.Int(1), reader.next());
        assertEquals(0, maxBuffered, "the bulk's bytes go to its array as they come, not to the reader's buffer");
    }

    @Test
    void aBulkLengthThatLiesCostsOnlyTheBytesThatCame() throws RedisProtocolException {
        RespReader trusting = new RespReader(Net.allocator(), 1L << 30);
        try {
            trusting.feed(text("$500000000\r\nabc"));
            assertNull(trusting.next(), "500 MB announced, 3 bytes came: nothing allocated for the rest");
            assertEquals(0, trusting.bufferedBytes());
        } finally {
            trusting.release();
        }
    }

    @Test
    void aBulkOverTheLimitIsRefused() {
        RespReader small = new RespReader(Net.allocator(), 10);
        try {
            small.feed(text("$11\r\nhello world\r\n"));
            RedisProtocolException e = assertThrows(RedisProtocolException.class, small::next);
            assertTrue(e.getMessage().contains("over the limit of 10"), e.getMessage());
        } finally {
            small.release();
        }
    }

    @Test
    void garbageIsAProtocolErrorAndSpendsTheReader() {
        for (String garbage : List.of("HTTP/1.1 200 OK\r\n", "+OK\n", "$abc\r\n", "$-2\r\n", ":12a\r\n", ":\r\n",
                "*-5\r\n", "$3\r\nabcXY", ":99999999999999999999\r\n", "%1\r\n", "\r\n")) {
            RespReader fresh = new RespReader(Net.allocator(), 1024);
            try {
                fresh.feed(text(garbage));
                assertThrows(RedisProtocolException.class, fresh::next, garbage);
                assertThrows(RedisProtocolException.class, fresh::next, "a spent reader stays spent");
            } finally {
                fresh.release();
            }
        }
    }

    @Test
    void aLineWithoutEndPastTheLimitIsRefusedBeforeItGrowsMore() {
        reader.feed(text("+" + "x".repeat(RespReader.MAX_LINE + 1)));
        RedisProtocolException e = assertThrows(RedisProtocolException.class, reader::next);
        assertTrue(e.getMessage().contains("without CRLF"), e.getMessage());
    }

    @Test
    void arraysNestedTooDeepAreRefused() {
        reader.feed(text("*1\r\n".repeat(RespReader.MAX_DEPTH + 1) + ":1\r\n"));
        assertThrows(RedisProtocolException.class, reader::next);
    }

    @Test
    void arraysNestedWithinTheLimitAreRead() throws RedisProtocolException {
        RedisValue value = readAll("*1\r\n".repeat(RespReader.MAX_DEPTH) + ":1\r\n").get(0);
        for (int depth = 0; depth < RespReader.MAX_DEPTH; depth++) {
            value = value.asList().get(0);
        }
        assertEquals(1, value.asLong());
    }

    @Test
    void anIncompleteValueWaitsWithoutLosingWhatCame() throws RedisProtocolException {
        reader.feed(text("*3\r\n:1\r\n$5\r\nhel"));
        assertNull(reader.next());
        reader.feed(text("lo\r\n+x"));
        assertNull(reader.next());
        reader.feed(text("yz\r\n"));
        assertEquals(new RedisValue.Array(List.of(new RedisValue.Int(1), bulk("hello"), new RedisValue.Simple("xyz"))),
                reader.next());
    }
}
