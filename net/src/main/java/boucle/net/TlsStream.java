package boucle.net;

import boucle.core.Boucle;
import boucle.core.Loop;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS over any {@link ByteStream} (trio's {@code SSLStream}): plaintext in and out above, records
 * below, the JDK's {@link SSLEngine} in between through a {@link TlsCodec}. Backpressure is the
 * lower stream's: a record is sent with {@link ByteStream#send}, which parks past its high-water mark.
 *
 * <h2>Handshake</h2>
 * {@link #handshake} runs it to the end before any plaintext moves, within the handshake timeout:
 * wrap what the engine wants to send, receive what it wants to read, run its delegated tasks
 * (inline, or on a worker thread with {@link TlsOptions#withDelegatedTasksInThread()}). A peer that
 * closes, stalls or speaks something else fails it with an {@link SSLException} (or a
 * {@link SocketTimeoutException}); the caller closes the connection.
 *
 * <h2>Closing and half-closing</h2>
 * <ul>
 *   <li>{@link #sendEof} sends {@code close_notify}, flushes it and shuts the lower stream's output:
 *       the peer reads the end of the stream. With TLS 1.3 this side may go on reading (half-close);
 *       a TLS 1.2 peer usually answers with its own {@code close_notify} and stops sending.</li>
 *   <li>The peer's {@code close_notify} is the end of the stream ({@code null} from {@link #receiveSome}).</li>
 *   <li>The lower stream ending without {@code close_notify}: between records it is taken as the
 *       end of the stream (as most HTTPS clients and servers do; a peer killed with Ctrl-C does
 *       exactly that), and {@link #endedWithoutCloseNotify()} says so for a protocol whose message
 *       lengths come from the end of the stream; inside a record it is a truncation, an
 *       {@link SSLException}.</li>
 *   <li>{@link #close} sends {@code close_notify} if it can without parking (it usually can: the
 *       record goes straight to the kernel when nothing is queued), then closes the lower stream.</li>
 * </ul>
 *
 * <p>Loop-thread only.
 */
final class TlsStream implements ByteStream {
    /** The most a record adds to its plaintext with the usual ciphers: 5 header, 1 type, 16 tag, padding. */
    private static final int RECORD_OVERHEAD = 64;
    private final ByteStream lower;
    private final TlsCodec codec;
    private final TlsOptions options;
    private final Loop loop;
    private boolean handshakeDone;
    private boolean outputShut;
    private boolean endOfStream;
    private boolean endedWithoutCloseNotify;
    /** Plaintext unwrapped but not taken by a {@link #receiveInto} whose target was too small. */
    private ByteBuf leftover;

    TlsStream(ByteStream lower, SSLEngine engine, TlsOptions options, Loop loop) {
        this.lower = lower;
        this.codec = new TlsCodec(engine, Net.allocator());
        this.options = options;
        this.loop = loop;
    }

    SSLEngine engine() {
        return codec.engine();
    }

    /**
     * Runs the handshake to its end, within the options' handshake timeout and {@code deadline}
     * (whichever comes first). Call once, before anything else, from a task.
     */
    void handshake(long deadline) throws IOException {
        long timeout = loop.now() + options.handshakeTimeout().toNanos();
        long until = deadline == Registration.NO_DEADLINE ? timeout : Math.min(deadline, timeout);
        try {
            codec.engine().beginHandshake();
            for (;;) {
                HandshakeStatus status = codec.handshakeStatus();
                switch (status) {
                    case NEED_TASK -> runDelegatedTasks();
                    case NEED_WRAP -> sendRecords(codec.wrap(null));
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapDuringHandshake(until);
                    case FINISHED, NOT_HANDSHAKING -> {
                        lower.awaitQueuedAtMost(0, until, "finish the TLS handshake");
                        handshakeDone = true;
                        return;
                    }
                }
            }
        } catch (SocketTimeoutException timedOut) {
            SocketTimeoutException clear = new SocketTimeoutException("the TLS handshake did not finish in time"
                    + (until == timeout ? " (handshake timeout " + options.handshakeTimeout().toMillis() + " ms)" : ""));
            clear.initCause(timedOut);
            throw clear;
        } catch (SSLException failed) {
            throw withAlertSent(failed);
        }
    }

    /**
     * After a fatal error the engine has an alert ready that tells the peer why (bad certificate,
     * protocol error...): send it if that can be done without parking, so the peer fails with the
     * reason instead of waiting. Returns {@code failure}, to be thrown.
     */
    private SSLException withAlertSent(SSLException failure) {
        try {
            ByteBuf alert = codec.wrap(null);
            if (alert != null && !outputShut && lower.isOpen()) {
                lower.sendNow(alert);
            } else if (alert != null) {
                alert.release();
            }
        } catch (IOException notSent) {
            failure.addSuppressed(notSent);
        }
        return failure;
    }

    private void unwrapDuringHandshake(long deadline) throws IOException {
        ByteBuf early = codec.unwrap();
        if (early != null) {
            HandshakeStatus now = codec.handshakeStatus();
            if (now != HandshakeStatus.NOT_HANDSHAKING && now != HandshakeStatus.FINISHED) {
                early.release(); // the engine hands out no plaintext mid-handshake: a broken engine
                throw new SSLException("plaintext before the end of the handshake");
            }
            // the peer's first bytes came with its last handshake message: kept for the first read
            leftover = early;
        }
        if (codec.isInboundDone()) {
            throw new SSLHandshakeException("the peer closed the TLS session during the handshake");
        }
        if (codec.needsInput() && codec.handshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            lower.awaitQueuedAtMost(0, deadline, "send the TLS handshake"); // the peer may wait for our message
            ByteBuf network = lower.receiveSome(deadline);
            if (network == null) {
                throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
            }
            codec.feed(network);
        }
    }

    private void runDelegatedTasks() throws IOException {
        if (!options.delegatedTasksInThread()) {
            codec.runDelegatedTasks();
            return;
        }
        try {
            Boucle.runInThread(() -> {
                codec.runDelegatedTasks();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SSLException("a TLS engine task failed: " + e, e);
        }
    }

    private void sendRecords(ByteBuf records) throws IOException {
        if (records != null) {
            if (outputShut) {
                records.release(); // an answer the engine wants to send after our close_notify: nobody reads it
            } else {
                lower.sendNow(records);
            }
        }
    }

    // ---- reading -----------------------------------------------------------------------------

    @Override
    public ByteBuf receiveSome(long deadline) throws IOException {
        requireHandshakeDone();
        try {
            return receivePlaintext(deadline);
        } catch (SSLException failed) {
            throw withAlertSent(failed);
        }
    }

    private ByteBuf receivePlaintext(long deadline) throws IOException {
        if (leftover != null) {
            ByteBuf taken = leftover;
            leftover = null;
            return taken;
        }
        for (;;) {
            if (endOfStream) {
                return null;
            }
            ByteBuf plaintext = codec.unwrap();
            if (plaintext != null) {
                return plaintext;
            }
            switch (codec.handshakeStatus()) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> sendRecords(codec.wrap(null)); // a key update's answer, or close_notify's
                default -> receiveMore(deadline);
            }
        }
    }

    private void receiveMore(long deadline) throws IOException {
        if (codec.isInboundDone()) {
            endOfStream = true;
            return;
        }
        if (!codec.needsInput()) {
            return;
        }
        ByteBuf network = lower.receiveSome(deadline);
        if (network != null) {
            codec.feed(network);
            return;
        }
        endOfStream = true;
        if (codec.hasPartialRecord()) {
            throw new SSLException("truncated TLS record: the connection ended inside a record");
        }
        endedWithoutCloseNotify = true;
    }

    @Override
    public int receiveInto(ByteBuf target, long deadline) throws IOException {
        ByteBuf plaintext = receiveSome(deadline);
        if (plaintext == null) {
            return -1;
        }
        int n = Math.min(target.writableBytes(), plaintext.readableBytes());
        target.writeBytes(plaintext, n);
        if (plaintext.isReadable()) {
            leftover = plaintext;
        } else {
            plaintext.release();
        }
        return n;
    }

    /** Whether the stream ended without the peer's {@code close_notify} (see the class javadoc). */
    boolean endedWithoutCloseNotify() {
        return endedWithoutCloseNotify;
    }

    // ---- writing -----------------------------------------------------------------------------

    @Override
    public void send(ByteBuf data, long deadline) throws IOException {
        ByteBuf records = wrapOwned(data);
        if (records != null) {
            lower.send(records, deadline);
        }
    }

    @Override
    public void sendNow(ByteBuf data) throws IOException {
        ByteBuf records = wrapOwned(data);
        if (records != null) {
            lower.sendNow(records);
        }
    }

    /** Wraps {@code data}, which it takes over whatever happens. */
    private ByteBuf wrapOwned(ByteBuf data) throws IOException {
        try {
            requireHandshakeDone();
            if (outputShut) {
                throw new SocketClosedException("the output was shut down (close_notify sent), nothing more can be written");
            }
        } catch (IOException | RuntimeException refused) {
            data.release();
            throw refused;
        }
        return codec.wrap(data);
    }

    @Override
    public void awaitQueuedAtMost(long limit, long deadline, String what) throws IOException {
        lower.awaitQueuedAtMost(limit, deadline, what);
    }

    @Override
    public long queuedBytes() {
        return lower.queuedBytes();
    }

    /** Room below counts records: the plaintext plus a record's overhead (header, type, tag) per 16 KiB. */
    @Override
    public boolean hasRoomFor(int bytes) {
        return lower.hasRoomFor(bytes + (bytes / 16_384 + 1) * RECORD_OVERHEAD);
    }

    @Override
    public void setWaterMarks(int low, int high) {
        lower.setWaterMarks(low, high);
    }

    @Override
    public int lowWaterMark() {
        return lower.lowWaterMark();
    }

    @Override
    public void sendEof(long deadline) throws IOException {
        if (outputShut) {
            return;
        }
        requireHandshakeDone();
        ByteBuf closeNotify = codec.closeOutbound();
        outputShut = true;
        if (closeNotify != null) {
            lower.send(closeNotify, deadline);
        }
        lower.sendEof(deadline);
    }

    private void requireHandshakeDone() {
        if (!handshakeDone) {
            throw new IllegalStateException("the TLS handshake has not finished: call handshake first");
        }
    }

    // ---- closing -----------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return lower.isOpen();
    }

    @Override
    public void close(String reason) {
        if (leftover != null) {
            leftover.release();
            leftover = null;
        }
        if (!lower.isOpen()) {
            codec.release();
            return;
        }
        try {
            if (!outputShut && handshakeDone) {
                outputShut = true;
                ByteBuf closeNotify = codec.closeOutbound();
                if (closeNotify != null) {
                    lower.sendNow(closeNotify); // best effort: written at once when nothing is queued
                }
            }
        } catch (IOException notSent) {
            // the peer is gone or the engine failed: closing goes on without the courtesy
        } finally {
            lower.close(reason);
            codec.release();
        }
    }

    @Override
    public String toString() {
        return "TLS over " + lower;
    }
}
