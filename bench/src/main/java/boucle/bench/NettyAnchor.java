package boucle.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the Netty anchors share: a server on the loopback with {@code threads} event loops (which
 * also accept) on the NIO transport or Netty's io_uring one, the benchmark's listen backlog, pooled
 * buffers and TCP_NODELAY for every child; each anchor adds only its handler and any child options
 * of its own.
 */
final class NettyAnchor {
    /** Netty's two transports on Linux that the bench compares: the JDK selector, and io_uring through JNI. */
    enum Transport {
        NIO, IO_URING;

        /** {@code nio} or {@code io_uring}, as on the command line. */
        static Transport named(String name) {
            return switch (name) {
                case "nio" -> NIO;
                case "io_uring" -> IO_URING;
                default -> throw new IllegalArgumentException("no Netty transport '" + name + "': nio or io_uring");
            };
        }

        IoHandlerFactory handlers() {
            if (this == IO_URING) {
                // says why (kernel, sysctl, seccomp, missing native library) instead of failing later
                IoUring.ensureAvailability();
                return IoUringIoHandler.newFactory();
            }
            return NioIoHandler.newFactory();
        }

        Class<? extends ServerChannel> serverChannel() {
            return this == IO_URING ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
        }
    }

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyAnchor(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds on NIO; {@code customise} may add child options. On failure the group is shut down. */
    static NettyAnchor bind(int threads, int port, ChannelHandler childHandler,
            Consumer<ServerBootstrap> customise) throws InterruptedException {
        return bind(Transport.NIO, threads, port, childHandler, customise);
    }

    /** Binds on {@code transport}; {@code customise} may add child options. On failure the group is shut down. */
    static NettyAnchor bind(Transport transport, int threads, int port, ChannelHandler childHandler,
            Consumer<ServerBootstrap> customise) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.handlers());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, NettyEchoServer.BACKLOG)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(childHandler);
            customise.accept(bootstrap);
            Channel channel = bootstrap
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
            return new NettyAnchor(group, channel);
        } catch (InterruptedException | RuntimeException failure) {
            group.shutdownGracefully();
            throw failure;
        }
    }

    static NettyAnchor bind(int threads, int port, ChannelHandler childHandler) throws InterruptedException {
        return bind(threads, port, childHandler, bootstrap -> { });
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the server channel, then shuts the loops down with no quiet period, waiting up to the timeout. */
    void close(int timeoutSeconds) {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, timeoutSeconds, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
