package boucle.net;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * A reliable, ordered byte stream between two peers: the seam under {@link AsyncSocket}, in the
 * shape of trio's {@code Stream}. A socket channel (TCP or Unix) is one implementation; TLS
 * ({@link TlsStream}) wraps any other. Framing ({@code readExactly}, {@code readLine}), timeouts and
 * the choice of when to flush live above it, once for every transport.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Deadlines are on the loop's clock; {@link Registration#NO_DEADLINE} means none. A call past
 *       its deadline throws {@link java.net.SocketTimeoutException} and the stream stays usable.</li>
 *   <li>Buffers move with ownership: {@link #receiveSome} hands one to the caller; {@link #send} and
 *       {@link #sendNow} take theirs over and release them, whatever happens.</li>
 *   <li>At most one task receives and one sends at a time; loop-thread only.</li>
 * </ul>
 */
interface ByteStream {
    /** Parks until some bytes arrive and returns them (the caller owns them); {@code null} at the end of the stream. */
    ByteBuf receiveSome(long deadline) throws IOException;

    /**
     * Parks until some bytes arrive and reads at most {@code target}'s writable bytes into it;
     * returns how many, or -1 at the end of the stream.
     */
    int receiveInto(ByteBuf target, long deadline) throws IOException;

    /** Sends {@code data}, taking it over; parks while more than the high-water mark is queued. */
    void send(ByteBuf data, long deadline) throws IOException;

    /** Sends {@code data}, taking it over, without ever parking: what the peer cannot take yet is queued. */
    void sendNow(ByteBuf data) throws IOException;

    /** Parks until at most {@code limit} bytes sent are still queued (0: all handed to the kernel). */
    void awaitQueuedAtMost(long limit, long deadline, String what) throws IOException;

    /** Bytes sent but not yet handed to the kernel. */
    long queuedBytes();

    /** Whether {@code bytes} more could be sent without passing the high-water mark. */
    boolean hasRoomFor(int bytes);

    /** The send queue's marks, in bytes: a sender parks past {@code high} until it is down to {@code low}. */
    void setWaterMarks(int low, int high);

    int lowWaterMark();

    /** Flushes, then ends this direction: the peer reads the end of the stream; this side may still receive. */
    void sendEof(long deadline) throws IOException;

    boolean isOpen();

    /** Closes at once without parking; tasks parked on the stream wake with a {@link SocketClosedException}. */
    void close(String reason);
}
