package boucle.net;

import boucle.core.StepBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The framing of an {@link AsyncSocket}'s input, over any {@link ByteStream} (a socket, TLS over
 * it...): the bytes received but not yet consumed ({@code pending}) by {@code readExactly} and
 * {@code readLine}. Written once for every transport.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code pending} is {@code null} or readable: an idle connection holds no buffer.</li>
 *   <li>Every buffer handed out is owned by the caller; every other one is released here.</li>
 * </ul>
 * Loop-thread only.
 */
final class Inbound {
    static final ByteBufAllocator ALLOCATOR = Net.allocator();

    private final ByteStream stream;
    /** The loop's work budget: a read served from what is buffered is work done without waiting. */
    private final StepBudget budget;
    private ByteBuf pending;
    private boolean endOfStream;
    private boolean skippingLine;
    private CharsetDecoder utf8;

    Inbound(ByteStream stream, StepBudget budget) {
        this.stream = stream;
        this.budget = budget;
    }

    /**
     * Some bytes, in a buffer the caller now owns; {@code null} at the end of the stream. The read
     * an idle connection parks in: {@link #receive} is written out here, one frame less in its
     * parked stack.
     */
    ByteBuf readSome(long deadline) throws IOException {
        if (pending != null) {
            budget.spend();
            ByteBuf taken = pending;
            pending = null;
            return taken;
        }
        if (endOfStream) {
            return null;
        }
        ByteBuf bytes = stream.receiveSome(deadline);
        if (bytes == null) {
            endOfStream = true;
        }
        return bytes;
    }

    /** Bytes from the stream, parking until some come; {@code null} at the end of the stream. */
    private ByteBuf receive(long deadline) throws IOException {
        if (endOfStream) {
            return null;
        }
        ByteBuf bytes = stream.receiveSome(deadline);
        if (bytes == null) {
            endOfStream = true;
        }
        return bytes;
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
        if (endOfStream) {
            return -1;
        }
        int n = stream.receiveInto(target, deadline);
        if (n < 0) {
            endOfStream = true;
        }
        return n;
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

    /** Whether bytes were received and not consumed yet. */
    boolean hasBuffered() {
        return pending != null;
    }

    boolean isEndOfStream() {
        return endOfStream && pending == null;
    }

    /** Releases what is buffered; called once the socket is closed. */
    void release() {
        dropPending();
    }
}
