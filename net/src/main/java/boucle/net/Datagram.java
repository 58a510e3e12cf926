package boucle.net;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One datagram received by an {@link AsyncDatagramSocket}: its bytes, who sent it, and whether it
 * was cut to fit.
 *
 * <p>The receiver owns {@link #content()}: it releases it, or hands it to
 * {@link AsyncDatagramSocket#send(ByteBuf, InetSocketAddress)}, which takes it over (so an echo
 * is {@code socket.send(datagram.content(), datagram.sender())}, with no copy and no release).
 *
 * @param content the bytes received (at most the socket's maximum datagram size)
 * @param sender the address the datagram came from
 * @param truncated whether the datagram was longer than the socket's maximum datagram size, so
 *     that {@code content} holds only its first bytes and the rest is lost; how much longer it was
 *     cannot be known (the kernel drops the excess)
 */
public record Datagram(ByteBuf content, InetSocketAddress sender, boolean truncated) {
    public Datagram {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(sender, "sender");
    }

    /** The number of bytes received (after truncation, if any). */
    public int length() {
        return content.readableBytes();
    }
}
