package boucle.net;

import boucle.core.StepBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The reading half of an {@link AsyncSocket}: bytes from the channel into pooled direct buffers,
 * and the bytes received but not yet consumed ({@code pending}) by {@code readExactly} and
 * {@code readLine}.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code pending} is {@code null} or readable: an idle connection holds no buffer. A buffer
 *       is allocated only once readiness says data is there, and released if the read finds none.</li>
 *   <li>{@code mayHaveMore} is false after a read that did not fill its buffer: the socket is then
 *       most likely drained, so the next read waits for readiness first instead of paying a
 *       {@code read} syscall that returns 0 (Netty stops reading on such a read too).</li>
 *   <li>Every buffer handed out is owned by the caller; every other one is released here.</li>
 * </ul>
 * Loop-thread only.
 */
final class Inbound {
    static final ByteBufAllocator ALLOCATOR = Net.allocator();

    private final SocketChannel channel;
    private final Registration registration;
    /** Run before each read system call: the socket's queued output is flushed then. */
    private final Runnable beforeReading;
    private final StepBudget budget;
    private final ReadSizer sizer = new ReadSizer();
    private ByteBuf pending;
    private boolean endOfStream;
    private boolean mayHaveMore = true;
    private boolean skippingLine;
    private long lastReadAt;
    private CharsetDecoder utf8;

    Inbound(SocketChannel channel, Registration registration, Runnable beforeReading) {
        this.channel = channel;
        this.registration = registration;
        this.beforeReading = beforeReading;
        this.budget = registration.source().budget();
        this.lastReadAt = registration.loop().now();
    }

    /** Some bytes, in a buffer the caller now owns; {@code null} at the end of the stream. */
    ByteBuf readSome(long deadline) throws IOException {
        if (pending != null) {
            budget.spend();
            ByteBuf taken = pending;
            pending = null;
            return taken;
        }
        return receive(deadline);
    }

    /** Bytes from the channel, parking until some come; {@code null} at the end of the stream. */
    private ByteBuf receive(long deadline) throws IOException {
        while (awaitReadable(deadline)) {
            int size = sizer.nextSize();
            ByteBuf buffer = ALLOCATOR.directBuffer(size);
            boolean handedOver = false;
            try {
                if (readOnce(buffer, size) > 0) {
                    handedOver = true;
                    return buffer;
                }
            } finally {
                if (!handedOver) {
                    buffer.release();
                }
            }
        }
        return null;
    }

    /** Reads into the caller's buffer, at most its writable bytes; -1 at the end of the stream. */
    int readInto(ByteBuf target, long deadline) throws IOException {
        int room = target.writableBytes();
        if (room == 0) {
            throw new IllegalArgumentException("the target buffer has no room to read into: " + target);
        }
        if (pending != null) {
            budget.spend();
            int n = Math.min(room, pending.readableBytes());
            target.writeBytes(pending, n);
            releasePendingIfEmpty();
            return n;
        }
        while (awaitReadable(deadline)) {
            int n = readOnce(target, room);
            if (n > 0) {
                return n;
            }
        }
        return -1;
    }

    /** Exactly {@code n} bytes, in a buffer the caller owns; an {@link EOFException} if they never come. */
    ByteBuf readExactly(int n, long deadline) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("cannot read " + n + " bytes");
        }
        if (available() >= n) {
            budget.spend(); // served from what is buffered: work done without waiting
        }
        while (available() < n) {
            ByteBuf more = receive(deadline);
            if (more == null) {
                throw new EOFException("the stream ended after " + available() + " of " + n + " bytes");
            }
            append(more);
        }
        if (available() == n && n > 0) {
            ByteBuf all = pending;
            pending = null;
            return all;
        }
        ByteBuf exact = ALLOCATOR.directBuffer(n);
        if (n > 0) {
            exact.writeBytes(pending, n);
            releasePendingIfEmpty();
        }
        return exact;
    }

    /**
     * The next line without its LF or CRLF, decoded as strict UTF-8; {@code null} at the end of
     * the stream; an {@link IncompleteLineException} (the rest consumed) if the stream ends after
     * bytes with no line end. Never buffers more than about
     * {@code maxLength} bytes plus one read.
     */
    String readLine(int maxLength, long deadline) throws IOException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("a line cannot be at most " + maxLength + " bytes");
        }
        if (pending != null) {
            budget.spend(); // a line taken from what is buffered is work done without waiting
        }
        for (;;) {
            String line = lineFromPending(maxLength);
            if (line != null) {
                return line;
            }
            ByteBuf more = receive(deadline);
            if (more == null) { // end of stream: an unterminated rest is a line cut short, not a line
                skippingLine = false;
                if (pending == null) {
                    return null;
                }
                byte[] partial = ByteBufUtil.getBytes(pending);
                dropPending();
                throw new IncompleteLineException(partial);
            }
            append(more);
        }
    }

    /** The next whole line among the pending bytes, or {@code null} while its end has not come. */
    private String lineFromPending(int maxLength) throws IOException {
        if (pending != null && skippingLine) {
            skipRestOfLine();
        }
        if (pending == null || skippingLine) {
            return null;
        }
        int lf = pending.indexOf(pending.readerIndex(), pending.writerIndex(), (byte) '\n');
        if (lf >= 0) {
            return takeLine(lf, lf + 1, maxLength);
        }
        if (pending.readableBytes() > maxLength + 1) { // +1: a CR may end it
            dropPending();
            skippingLine = true; // the rest of this line is dropped as it comes
            throw new LineTooLongException(maxLength);
        }
        return null;
    }

    /** Decodes the line that ends at {@code end} (exclusive, before its LF) and consumes up to {@code next}. */
    private String takeLine(int end, int next, int maxLength) throws IOException {
        int start = pending.readerIndex();
        if (end > start && next > end && pending.getByte(end - 1) == '\r') {
            end--;
        }
        int length = end - start;
        try {
            if (length > maxLength) {
                throw new LineTooLongException(maxLength);
            }
            return decoder().decode(pending.nioBuffer(start, length)).toString();
        } catch (CharacterCodingException malformed) {
            throw new MalformedLineException(length);
        } finally {
            pending.readerIndex(next);
            releasePendingIfEmpty();
        }
    }

    private void skipRestOfLine() {
        int lf = pending.indexOf(pending.readerIndex(), pending.writerIndex(), (byte) '\n');
        if (lf < 0) {
            dropPending();
        } else {
            skippingLine = false;
            pending.readerIndex(lf + 1);
            releasePendingIfEmpty();
        }
    }

    private CharsetDecoder decoder() {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        return utf8;
    }

    /** Parks until the channel is likely readable; {@code false} once the stream has ended. */
    private boolean awaitReadable(long deadline) throws IOException {
        registration.requireOpen();
        if (endOfStream) {
            return false;
        }
        // what this socket's task wrote goes out before each read system call: the peer can answer
        // meanwhile (a 64 KiB echo would otherwise find the socket drained and park once per message)
        beforeReading.run();
        if (mayHaveMore) {
            budget.spend(); // a read without waiting: past the step's budget, yield first
            registration.requireOpen(); // the yield let other tasks run: one may have closed the socket
            return !endOfStream;
        }
        registration.await(SelectionKey.OP_READ, deadline, "read");
        mayHaveMore = true;
        budget.spend(); // the first unit of the new step: never yields
        return true;
    }

    /** One non-blocking read of at most {@code max} bytes into {@code target}; returns what it got. */
    private int readOnce(ByteBuf target, int max) throws IOException {
        int n = target.writeBytes(channel, max);
        if (n < 0) {
            endOfStream = true;
        } else if (n == 0) {
            mayHaveMore = false;
        } else {
            sizer.record(n);
            mayHaveMore = n == max;
            lastReadAt = registration.loop().now();
        }
        return n;
    }

    /** Adds {@code more} (which this takes ownership of) after the pending bytes. */
    private void append(ByteBuf more) {
        if (pending == null) {
            pending = more;
            return;
        }
        try {
            if (pending.writableBytes() < more.readableBytes() && pending.readerIndex() > 0) {
                pending.discardReadBytes();
            }
            pending.writeBytes(more);
        } finally {
            more.release();
        }
    }

    private int available() {
        return pending == null ? 0 : pending.readableBytes();
    }

    private void releasePendingIfEmpty() {
        if (pending != null && !pending.isReadable()) {
            dropPending();
        }
    }

    private void dropPending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    boolean isEndOfStream() {
        return endOfStream && pending == null;
    }

    /** When the last byte arrived, on the loop's clock: what an idle timeout looks at. */
    long lastReadAt() {
        return lastReadAt;
    }

    /** Releases what is buffered; called once the socket is closed. */
    void release() {
        dropPending();
    }
}
