package boucle.bench;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The Netty anchor: Netty's own echo example on the NIO transport (or, for the io_uring comparison,
 * Netty's io_uring transport: {@link #start(NettyAnchor.Transport, int, int)}), with ONE event-loop thread for
 * both accepting and serving (the same one-thread budget as Boucle), pooled direct buffers,
 * autoread, and each received buffer written back as is, flushed once per read burst.
 *
 * <pre>{@code
 * try (NettyEchoServer server = NettyEchoServer.start(0)) {
 *     int port = server.port();
 * }
 * }</pre>
 */
final class NettyEchoServer implements AutoCloseable {
    /** Same listen backlog for every server of the benchmark, so no SYN is ever dropped. */
    static final int BACKLOG = 4096;

    private final NettyAnchor anchor;

    private NettyEchoServer(NettyAnchor anchor) {
        this.anchor = anchor;
    }

    static NettyEchoServer start(int port) throws InterruptedException {
        return start(port, 1);
    }

    /**
     * The same on {@code workers} event loops (threads), which also accept: one group, as a
     * {@code LoopGroup} of Boucle accepts on its first loop.
     */
    static NettyEchoServer start(int port, int workers) throws InterruptedException {
        return start(NettyAnchor.Transport.NIO, port, workers);
    }

    /** The same echo on {@code transport}: the io_uring anchor differs from the NIO one in nothing else. */
    static NettyEchoServer start(NettyAnchor.Transport transport, int port, int workers) throws InterruptedException {
        return new NettyEchoServer(NettyAnchor.bind(transport, workers, port, new Echo(), bootstrap -> { }));
    }

    int port() {
        return anchor.port();
    }

    @Override
    public void close() {
        anchor.close(2);
    }

    /** Netty's EchoServerHandler: the received ByteBuf goes back out; the write releases it. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            context.write(message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            context.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close(); // a peer that vanished ends its own connection only
        }
    }
}
