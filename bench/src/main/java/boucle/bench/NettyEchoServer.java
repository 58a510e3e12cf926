package boucle.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The Netty anchor: Netty's own echo example on the NIO transport, with ONE event-loop thread for
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

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyEchoServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    static NettyEchoServer start(int port) throws InterruptedException {
        return start(port, 1);
    }

    /**
     * The same on {@code workers} event loops (threads), which also accept: one group, as a
     * {@code LoopGroup} of Boucle accepts on its first loop.
     */
    static NettyEchoServer start(int port, int workers) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(workers, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new Echo())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
            return new NettyEchoServer(group, channel);
        } catch (InterruptedException | RuntimeException failure) {
            group.shutdownGracefully();
            throw failure;
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Netty's EchoServerHandler: the received ByteBuf goes back out; the write releases it. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
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
