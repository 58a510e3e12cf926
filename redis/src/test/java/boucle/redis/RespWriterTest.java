package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import boucle.net.Net;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespWriterTest {
    private static byte[] encode(List<?> command) {
        ByteBuf out = RespWriter.encode(Net.allocator(), command);
        try {
            assertEquals(RespWriter.encodedSize(command), out.readableBytes(), "sized exactly before writing");
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    @Test
    void aCommandIsAnArrayOfBulkStrings() {
        assertArrayEquals("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII), encode(List.of("GET", "k")));
    }

    @Test
    void stringsGoAsUtf8WithTheirByteLength() {
        byte[] expected = "*2\r\n$4\r\nECHO\r\n$5\r\né☃\r\n".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, encode(List.of("ECHO", "é☃")));
    }

    @Test
    void bytesGoAsTheyAreEvenCrlfAndZero() {
        byte[] value = {0, '\r', '\n', (byte) 0xff};
        ByteBuf out = RespWriter.encode(Net.allocator(), List.of("SET", "k", value));
        try {
            assertEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n", out.toString(0, 24, StandardCharsets.US_ASCII));
            assertEquals(0, out.getByte(24));
            assertEquals((byte) 0xff, out.getByte(27));
            assertEquals("\r\n", out.toString(28, 2, StandardCharsets.US_ASCII));
            assertEquals(30, out.readableBytes());
        } finally {
            out.release();
        }
    }

    @Test
    void manyArgumentsAndLongLengthsCountTheirDigits() {
        String big = "x".repeat(12_345);
        byte[] encoded = encode(List.of("SET", "key", big));
        assertEquals(4 + 9 + 9 + 8 + big.length() + 2, encoded.length);
    }

    @Test
    void anEmptyCommandOrABadArgumentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RespWriter.encodedSize(List.of()));
        assertThrows(IllegalArgumentException.class, () -> RespWriter.encodedSize(List.of("GET", 42)));
        assertThrows(IllegalArgumentException.class, () -> RespWriter.encodedSize(java.util.Arrays.asList("GET", null)));
    }
}
