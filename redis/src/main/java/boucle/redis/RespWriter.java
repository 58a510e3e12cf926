package boucle.redis;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/**
 * Encodes a command as RESP2 sends it: an array of bulk strings,
 * {@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}. Arguments are {@link String}s (sent as UTF-8) or
 * {@code byte[]}s (sent as they are: binary-safe).
 *
 * <p>One direct buffer per command, sized exactly before it is written, so encoding makes no
 * intermediate copy; the caller owns it. Any thread (it keeps no state).
 */
final class RespWriter {
    private RespWriter() {
    }

    /** The command's bytes in a new buffer from {@code allocator}, sized exactly. */
    static ByteBuf encode(ByteBufAllocator allocator, List<?> arguments) {
        ByteBuf out = allocator.directBuffer(encodedSize(arguments));
        try {
            encodeInto(out, arguments);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** How many bytes {@link #encode} makes of {@code arguments}; refuses an empty command or a bad argument. */
    static int encodedSize(List<?> arguments) {
        if (arguments.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its name");
        }
        long size = 1 + digits(arguments.size()) + 2;
        for (Object argument : arguments) {
            int length = length(argument);
            size += 1 + digits(length) + 2 + length + 2;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a command of " + size + " bytes is too long to send");
        }
        return (int) size;
    }

    /** Appends the command's bytes to {@code out}. */
    static void encodeInto(ByteBuf out, List<?> arguments) {
        out.writeByte('*');
        writeNumber(out, arguments.size());
        for (Object argument : arguments) {
            out.writeByte('$');
            writeNumber(out, length(argument));
            if (argument instanceof byte[] bytes) {
                out.writeBytes(bytes);
            } else {
                ByteBufUtil.writeUtf8(out, (CharSequence) argument);
            }
            out.writeByte('\r').writeByte('\n');
        }
    }

    private static int length(Object argument) {
        return switch (argument) {
            case byte[] bytes -> bytes.length;
            case String text -> ByteBufUtil.utf8Bytes(text);
            case null -> throw new IllegalArgumentException("a command argument is null");
            default -> throw new IllegalArgumentException("a command argument must be a String or a byte[], not a "
                    + argument.getClass().getName());
        };
    }

    private static void writeNumber(ByteBuf out, int value) {
        out.writeCharSequence(Integer.toString(value), java.nio.charset.StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
    }

    private static int digits(int value) {
        int digits = 1;
        while (value >= 10) {
            value /= 10;
            digits++;
        }
        return digits;
    }
}
