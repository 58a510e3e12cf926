package boucle.redis;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the bytes Redis sends into {@link RedisValue}s (RESP2), as they arrive: {@link #feed}
 * whatever a read returned, then take the values {@link #next()} can complete.
 *
 * <h2>Incremental, never quadratic</h2>
 * A frame may arrive in any number of pieces. Nothing consumed is parsed twice: an array under
 * construction waits on a stack with the items it has, and a bulk string's bytes are copied
 * into its array as they come, so the buffer kept between reads holds at most one unfinished
 * line. A bulk's array grows by doubling up to its declared length rather than being allocated
 * at the declared length, so a length that lies costs only the bytes that really came.
 *
 * <h2>Hostile bytes</h2>
 * A wrong type byte, a malformed or negative length, a line without its CRLF, a line longer
 * than 64 KiB, a bulk longer than the limit, arrays nested deeper than 64: each is a
 * {@link RedisProtocolException}, after which the reader is spent (the link is dropped). RESP3
 * types are refused the same way: the client never asks for RESP3 ({@code HELLO 3}).
 *
 * <p>Ownership: {@link #feed} takes the buffer over; {@link #release()} frees what is kept.
 * Loop-thread only (one connection's reader).
 */
final class RespReader {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_DEPTH = 64;
    static final int MAX_ARRAY = 1 << 27;
    /** What a bulk's array starts at, when it is longer; it doubles as bytes come. */
    private static final int FIRST_BULK_CHUNK = 64 * 1024;

    private final ByteBufAllocator allocator;
    private final long maxBulkBytes;
    /** Bytes received and not consumed yet, or {@code null}: an idle reader keeps no buffer. */
    private ByteBuf pending;
    /** The bulk string being received, or {@code null}; {@link #bulkLength} bytes are due, {@link #bulkFilled} came. */
    private byte[] bulk;
    private int bulkLength;
    private int bulkFilled;
    /** Arrays under construction, innermost first. */
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private boolean broken;

    /** An array waiting for {@code expected - items.size()} more items. */
    private static final class Frame {
        final int expected;
        final List<RedisValue> items;

        Frame(int expected) {
            this.expected = expected;
            this.items = new ArrayList<>(Math.min(expected, 1024));
        }
    }

    /** Marks "an array was opened", which is not a value yet. */
    private static final RedisValue OPENED = new RedisValue.Simple("(array opened)");

    RespReader(ByteBufAllocator allocator, long maxBulkBytes) {
        this.allocator = allocator;
        this.maxBulkBytes = maxBulkBytes;
    }

    /** Adds bytes that came from Redis; takes ownership of {@code data}. */
    void feed(ByteBuf data) {
        if (broken || !data.isReadable()) {
            data.release();
            return;
        }
        if (pending == null) {
            pending = data;
            return;
        }
        try {
            if (pending.refCnt() == 1 && pending.writableBytes() >= data.readableBytes()) {
                pending.writeBytes(data);
            } else {
                ByteBuf merged = allocator.directBuffer(pending.readableBytes() + data.readableBytes());
                merged.writeBytes(pending).writeBytes(data);
                pending.release();
                pending = merged;
            }
        } finally {
            data.release();
        }
    }

    /**
     * The next complete value, or {@code null} when more bytes are needed.
     *
     * @throws RedisProtocolException if the bytes are not RESP2; the reader is spent then
     */
    RedisValue next() throws RedisProtocolException {
        if (broken) {
            throw new RedisProtocolException("the reader met bytes that are not RESP before");
        }
        try {
            RedisValue value = nextOrNull();
            if (pending != null && !pending.isReadable()) {
                pending.release();
                pending = null;
            }
            return value;
        } catch (RedisProtocolException e) {
            broken = true;
            release();
            throw e;
        }
    }

    private RedisValue nextOrNull() throws RedisProtocolException {
        while (true) {
            RedisValue value = bulk != null ? continueBulk() : parseOne();
            if (value == null) {
                return null;
            }
            if (value == OPENED) {
                continue;
            }
            // attach to the arrays under construction; each one completed is an item of the one outside it
            while (true) {
                Frame frame = frames.peek();
                if (frame == null) {
                    return value;
                }
                frame.items.add(value);
                if (frame.items.size() < frame.expected) {
                    break;
                }
                frames.pop();
                value = new RedisValue.Array(frame.items);
            }
        }
    }

    /** Parses one line's worth (a scalar, or the header of a bulk or array); {@code null} if the line is incomplete. */
    private RedisValue parseOne() throws RedisProtocolException {
        if (pending == null || !pending.isReadable()) {
            return null;
        }
        int start = pending.readerIndex();
        int lf = pending.forEachByte(start, pending.readableBytes(), ByteProcessor.FIND_LF);
        if (lf < 0) {
            if (pending.readableBytes() > MAX_LINE) {
                throw new RedisProtocolException("a line of more than " + MAX_LINE + " bytes without CRLF");
            }
            return null;
        }
        if (lf - start > MAX_LINE) {
            throw new RedisProtocolException("a line of " + (lf - start) + " bytes (more than " + MAX_LINE + ")");
        }
        if (lf == start || pending.getByte(lf - 1) != '\r') {
            throw new RedisProtocolException("a line ended by LF without CR: " + preview(start, lf));
        }
        byte type = pending.getByte(start);
        int textStart = start + 1;
        int textLength = lf - 1 - textStart;
        switch (type) {
            case '+' -> {
                String text = text(textStart, textLength);
                pending.readerIndex(lf + 1);
                return new RedisValue.Simple(text);
            }
            case '-' -> {
                String text = text(textStart, textLength);
                pending.readerIndex(lf + 1);
                return new RedisValue.Error(text);
            }
            case ':' -> {
                long number = number(textStart, textLength, start, lf);
                pending.readerIndex(lf + 1);
                return new RedisValue.Int(number);
            }
            case '$' -> {
                long length = number(textStart, textLength, start, lf);
                RedisValue absent = checkBulkLength(length, start, lf);
                pending.readerIndex(lf + 1);
                if (absent != null) {
                    return absent;
                }
                bulkLength = (int) length;
                bulkFilled = 0;
                bulk = new byte[Math.min(bulkLength, FIRST_BULK_CHUNK)];
                return continueBulk(); // null until its bytes have all come: then we wait for more
            }
            case '*' -> {
                long length = number(textStart, textLength, start, lf);
                RedisValue array = arrayHeader(length, start, lf);
                pending.readerIndex(lf + 1);
                return array;
            }
            default -> throw new RedisProtocolException("byte 0x" + Integer.toHexString(type & 0xff)
                    + " where a RESP2 type (+ - : $ *) was expected: " + preview(start, lf));
        }
    }

    /** {@link RedisValue.Null} for -1, {@code null} for a length to read, or the length's fault. */
    private RedisValue checkBulkLength(long length, int start, int lf) throws RedisProtocolException {
        if (length == -1) {
            return RedisValue.Null.INSTANCE;
        }
        if (length < 0) {
            throw new RedisProtocolException("a negative bulk length: " + preview(start, lf));
        }
        if (length > maxBulkBytes || length > Integer.MAX_VALUE - 8) {
            throw new RedisProtocolException("a bulk string of " + length + " bytes, over the limit of "
                    + Math.min(maxBulkBytes, Integer.MAX_VALUE - 8) + " (RedisOptions.maxBulkBytes)");
        }
        return null;
    }

    /** A null or empty array, or {@link #OPENED} once a frame waits for the items. */
    private RedisValue arrayHeader(long length, int start, int lf) throws RedisProtocolException {
        if (length == -1) {
            return RedisValue.Null.INSTANCE;
        }
        if (length < 0 || length > MAX_ARRAY) {
            throw new RedisProtocolException("an array length of " + length + ": " + preview(start, lf));
        }
        if (length == 0) {
            return new RedisValue.Array(List.of());
        }
        if (frames.size() == MAX_DEPTH) {
            throw new RedisProtocolException("arrays nested deeper than " + MAX_DEPTH);
        }
        frames.push(new Frame((int) length));
        return OPENED;
    }

    /** Copies what has come of the current bulk; the value once it and its CRLF are all here, else {@code null}. */
    private RedisValue continueBulk() throws RedisProtocolException {
        if (pending == null) {
            return null;
        }
        int wanted = bulkLength - bulkFilled;
        int take = Math.min(wanted, pending.readableBytes());
        if (take > 0) {
            if (bulkFilled + take > bulk.length) {
                bulk = Arrays.copyOf(bulk, (int) Math.min(bulkLength, Math.max(2L * bulk.length, bulkFilled + take)));
            }
            pending.readBytes(bulk, bulkFilled, take);
            bulkFilled += take;
        }
        if (bulkFilled < bulkLength || pending.readableBytes() < 2) {
            return null;
        }
        int at = pending.readerIndex();
        if (pending.getByte(at) != '\r' || pending.getByte(at + 1) != '\n') {
            throw new RedisProtocolException("a bulk string of " + bulkLength + " bytes not followed by CRLF");
        }
        pending.readerIndex(at + 2);
        RedisValue value = new RedisValue.Bulk(bulk);
        bulk = null;
        return value;
    }

    private String text(int from, int length) {
        return pending.toString(from, length, StandardCharsets.UTF_8);
    }

    /** A decimal long, strictly: an optional minus, then 1 to 19 digits. */
    private long number(int from, int length, int start, int lf) throws RedisProtocolException {
        boolean negative = length > 0 && pending.getByte(from) == '-';
        int digitsFrom = negative ? from + 1 : from;
        int digits = length - (negative ? 1 : 0);
        if (digits < 1 || digits > 19) {
            throw new RedisProtocolException("not a number: " + preview(start, lf));
        }
        long value = 0;
        for (int i = digitsFrom; i < digitsFrom + digits; i++) {
            byte b = pending.getByte(i);
            if (b < '0' || b > '9') {
                throw new RedisProtocolException("not a number: " + preview(start, lf));
            }
            value = value * 10 + (b - '0');
            if (value < 0) {
                throw new RedisProtocolException("a number past 64 bits: " + preview(start, lf));
            }
        }
        return negative ? -value : value;
    }

    /** The start of a bad line, printable, for the exception's message. */
    private String preview(int start, int end) {
        int length = Math.min(end - start, 60);
        StringBuilder text = new StringBuilder("'");
        for (int i = start; i < start + length; i++) {
            int b = pending.getByte(i) & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
        }
        return text.append(end - start > length ? "...'" : "'").toString();
    }

    /** Bytes kept between reads: an unfinished line, never a whole bulk. For tests. */
    int bufferedBytes() {
        return pending == null ? 0 : pending.readableBytes();
    }

    /** Frees the kept buffer; the reader must not be used after. */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        bulk = null;
        frames.clear();
    }
}
