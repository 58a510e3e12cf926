package boucle.net;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * A socket channel's bytes (TCP or Unix) as a {@link ByteStream}: reads from {@link Inbound},
 * writes through {@link Outbound} and its backpressure. What a {@link TlsStream} sits on.
 *
 * <p>Loop-thread only.
 */
final class ChannelStream implements ByteStream {
    private final AsyncSocket socket;
    private final Inbound inbound;
    private final Outbound outbound;

    ChannelStream(AsyncSocket socket, Inbound inbound, Outbound outbound) {
        this.socket = socket;
        this.inbound = inbound;
        this.outbound = outbound;
    }

    @Override
    public ByteBuf receiveSome(long deadline) throws IOException {
        return inbound.readSome(deadline);
    }

    @Override
    public void send(ByteBuf data, long deadline) throws IOException {
        outbound.write(data, deadline);
    }

    @Override
    public void sendNow(ByteBuf data) throws IOException {
        outbound.enqueue(data);
    }

    @Override
    public void awaitQueuedAtMost(long limit, long deadline, String what) throws IOException {
        outbound.waitUntilPendingAtMost(limit, deadline, what);
    }

    @Override
    public long queuedBytes() {
        return outbound.pendingBytes();
    }

    @Override
    public void sendEof(long deadline) throws IOException {
        outbound.shutdownOutput(deadline);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close(String reason) {
        socket.close(reason);
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
