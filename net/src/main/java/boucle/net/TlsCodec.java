package boucle.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One TLS connection's {@link SSLEngine}, fed and drained with {@link ByteBuf}s: network bytes in,
 * plaintext out ({@link #unwrap()}); plaintext in, TLS records out ({@link #wrap}). It does no I/O
 * and never parks: {@link TlsStream} decides when to read, write or run the engine's tasks, from
 * {@link #handshakeStatus()}, {@link #needsInput()} and {@link #isInboundDone()}.
 *
 * <h2>How the engine's answers are handled</h2>
 * <ul>
 *   <li><b>BUFFER_UNDERFLOW</b> (unwrap): the input ends inside a record. The partial record stays
 *       in {@code incoming}, {@link #needsInput()} turns true, and the next {@link #feed} appends to
 *       it: a record split across any number of reads is decoded once whole.</li>
 *   <li><b>BUFFER_OVERFLOW</b> (unwrap): the plaintext buffer is too small for the next record.
 *       With plaintext already in it, that is returned and the record waits for the next call;
 *       with none, the buffer grows to the session's application buffer size and the call retries.
 *       The buffer starts at the size of the input it decodes, which bounds the plaintext.</li>
 *   <li><b>BUFFER_OVERFLOW</b> (wrap): the record buffer grows by one packet size and wrapping goes
 *       on, so one call turns any amount of plaintext into records.</li>
 *   <li><b>CLOSED</b>: on unwrap, the peer's {@code close_notify} arrived ({@link #isInboundDone()});
 *       on wrap, this side's {@code close_notify} has been produced.</li>
 *   <li><b>NEED_TASK / NEED_WRAP</b> during unwrap (handshake messages, a TLS 1.3 key update or
 *       session ticket): unwrapping stops and returns what it has; the stream runs the tasks or
 *       wraps the engine's answer, then unwraps again.</li>
 * </ul>
 *
 * <h2>Buffers</h2>
 * The engine only ever sees heap buffers: the JDK's engine encrypts and decrypts in place in the
 * buffers it is given, and on direct ones it runs 3 to 10 times slower (measured here: 64 KiB
 * messages wrapped and unwrapped at 3.6 to 30 MB/s with direct buffers, 67 to 83 MB/s with heap
 * ones, same run). Netty's {@code SslHandler} wraps into heap buffers too, but unwraps from the
 * direct buffer it read into: profiled under the same 64-byte echo, its {@code SSLEngine.unwrap}
 * took about twice the samples per message that copying first and unwrapping from the heap took
 * here (bench/results/tls-analysis.md). So network bytes are copied into a heap buffer as they are fed, plaintext is handed out in heap buffers, and records are made in a
 * heap buffer of a packet's size, then copied into a direct buffer of exactly their size for the
 * socket (a memory copy is cheap next to the cipher, and a queue of small records then costs what
 * they weigh). {@code incoming} is {@code null} whenever it is empty: an idle connection holds no
 * buffer here.
 *
 * <p>Loop-thread only.
 */
final class TlsCodec {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int SMALLEST_PLAINTEXT_BUFFER = 256;

    private final SSLEngine engine;
    private final ByteBufAllocator allocator;
    /** Network bytes fed and not unwrapped yet: at most part of a record after an underflow; {@code null} if none. */
    private ByteBuf incoming;
    private boolean needsInput = true;
    private boolean inboundDone;

    TlsCodec(SSLEngine engine, ByteBufAllocator allocator) {
        this.engine = engine;
        this.allocator = allocator;
    }

    SSLEngine engine() {
        return engine;
    }

    HandshakeStatus handshakeStatus() {
        return engine.getHandshakeStatus();
    }

    /** Whether the last unwrap stopped for want of network bytes (a partial record or none). */
    boolean needsInput() {
        return needsInput;
    }

    /** Whether the peer's {@code close_notify} has been read: no plaintext will come any more. */
    boolean isInboundDone() {
        return inboundDone;
    }

    /**
     * Whether network bytes are waiting. After an unwrap that stopped for input, they are part of
     * a record; after one that stopped for a task or a wrap, they may be whole records still.
     */
    boolean hasPartialRecord() {
        return incoming != null;
    }

    /** How many network bytes are waiting to be unwrapped. */
    int bufferedBytes() {
        return incoming == null ? 0 : incoming.readableBytes();
    }

    /** Adds network bytes after those not unwrapped yet; takes ownership of {@code network}. */
    void feed(ByteBuf network) {
        needsInput = false;
        if (incoming == null && network.hasArray()) {
            incoming = network;
            return;
        }
        try {
            if (!network.isReadable()) {
                return;
            }
            if (incoming == null) {
                incoming = allocator.heapBuffer(network.readableBytes());
            } else if (incoming.writableBytes() < network.readableBytes() && incoming.readerIndex() > 0) {
                incoming.discardReadBytes();
            }
            incoming.writeBytes(network); // into the heap: see "Buffers" above
        } finally {
            network.release();
        }
    }

    /**
     * Unwraps the records fed so far: returns their plaintext (the caller owns it), or {@code null}
     * if none came, because more input is needed ({@link #needsInput()}), the engine needs a task
     * run or a message wrapped ({@link #handshakeStatus()}), or the peer closed ({@link #isInboundDone()}).
     */
    ByteBuf unwrap() throws SSLException {
        ByteBuf plaintext = null;
        try {
            for (;;) {
                if (incoming == null || inboundDone) {
                    needsInput = !inboundDone;
                    break;
                }
                if (plaintext == null && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
                    plaintext = allocator.heapBuffer(Math.max(SMALLEST_PLAINTEXT_BUFFER, incoming.readableBytes()));
                }
                ByteBuffer source = readable(incoming);
                ByteBuffer target = plaintext == null ? EMPTY : writable(plaintext);
                SSLEngineResult result = engine.unwrap(source, target);
                consumeIncoming(result.bytesConsumed());
                if (plaintext != null) {
                    plaintext.writerIndex(plaintext.writerIndex() + result.bytesProduced());
                }
                SSLEngineResult.Status status = result.getStatus();
                if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    needsInput = true;
                    break;
                }
                if (status == SSLEngineResult.Status.CLOSED) {
                    inboundDone = true;
                    break;
                }
                if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (plaintext != null && plaintext.isReadable()) {
                        break; // hand out what we have; the next record waits for the next call
                    }
                    plaintext = grown(plaintext, engine.getSession().getApplicationBufferSize());
                    continue;
                }
                HandshakeStatus handshake = result.getHandshakeStatus();
                if (handshake == HandshakeStatus.NEED_TASK || handshake == HandshakeStatus.NEED_WRAP) {
                    break;
                }
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                    needsInput = true; // nothing moved: wait for more bytes rather than spin
                    break;
                }
            }
            if (plaintext != null && plaintext.isReadable()) {
                ByteBuf handedOut = plaintext;
                plaintext = null;
                return handedOut;
            }
            return null;
        } finally {
            if (plaintext != null) {
                plaintext.release();
            }
        }
    }

    private ByteBuf grown(ByteBuf plaintext, int size) {
        if (plaintext != null) {
            plaintext.release();
        }
        return allocator.heapBuffer(size);
    }

    private void consumeIncoming(int consumed) {
        incoming.skipBytes(consumed);
        if (!incoming.isReadable()) {
            incoming.release();
            incoming = null;
        }
    }

    /**
     * Wraps {@code plaintext} (taken over; {@code null} to wrap only what the engine wants to send,
     * a handshake message or {@code close_notify}) into TLS records, returned in a buffer the
     * caller owns; {@code null} if the engine produced nothing.
     */
    ByteBuf wrap(ByteBuf plaintext) throws SSLException {
        ByteBuf records = null;
        try {
            ByteBuffer source = plaintext == null || !plaintext.isReadable() ? EMPTY : readable(plaintext);
            int packetSize = engine.getSession().getPacketBufferSize();
            records = allocator.heapBuffer(packetSize + source.remaining());
            for (;;) {
                ByteBuffer target = writable(records);
                SSLEngineResult result = engine.wrap(source, target);
                records.writerIndex(records.writerIndex() + result.bytesProduced());
                SSLEngineResult.Status status = result.getStatus();
                if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    records.ensureWritable(engine.getSession().getPacketBufferSize());
                    continue;
                }
                if (status == SSLEngineResult.Status.CLOSED) {
                    break;
                }
                boolean moreToWrap = result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
                if (!source.hasRemaining() && !moreToWrap) {
                    break;
                }
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                    if (source.hasRemaining()) {
                        // the engine wants to read before it writes again: a renegotiation in TLS 1.2
                        throw new SSLException("the peer started a renegotiation, which is not supported");
                    }
                    break;
                }
            }
            if (!records.isReadable()) {
                return null;
            }
            return direct(records);
        } finally {
            if (plaintext != null) {
                plaintext.release();
            }
            if (records != null) {
                records.release();
            }
        }
    }

    /**
     * The readable bytes of {@code buffer} as a {@link ByteBuffer} for the engine, which moves its
     * position as it consumes them. {@code internalNioBuffer} reuses one view per pooled buffer
     * where {@code nioBuffer} makes a new one each time: two to four fewer objects per message (the
     * views are only used during the engine call, and source and target are never the same buffer).
     */
    private static ByteBuffer readable(ByteBuf buffer) {
        return view(buffer, buffer.readerIndex(), buffer.readableBytes());
    }

    /** The writable room of {@code buffer} as a {@link ByteBuffer} for the engine to fill (see {@link #readable}). */
    private static ByteBuffer writable(ByteBuf buffer) {
        return view(buffer, buffer.writerIndex(), buffer.writableBytes());
    }

    private static ByteBuffer view(ByteBuf buffer, int index, int length) {
        return buffer.nioBufferCount() == 1 ? buffer.internalNioBuffer(index, length) : buffer.nioBuffer(index, length);
    }

    /** The records in a direct buffer of their size, ready for the socket; {@code records} stays the caller's. */
    private ByteBuf direct(ByteBuf records) {
        ByteBuf copy = allocator.directBuffer(records.readableBytes());
        copy.writeBytes(records);
        return copy;
    }

    /** Starts this side's close: the engine will wrap a {@code close_notify}, returned here (or {@code null}). */
    ByteBuf closeOutbound() throws SSLException {
        engine.closeOutbound();
        return wrap(null);
    }

    /** Runs the engine's delegated tasks (certificate checks, key exchange) on this thread. */
    void runDelegatedTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /** Releases the buffered network bytes; called once the connection is closed. */
    void release() {
        if (incoming != null) {
            incoming.release();
            incoming = null;
        }
    }
}
