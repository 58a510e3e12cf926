package boucle.bench;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/**
 * The TLS anchor: {@link NettyEchoServer}'s echo behind Netty's {@code SslHandler} on the JDK's own
 * TLS provider (the same {@code SSLEngine} Boucle uses), TLS 1.3 and 1.2, one event-loop thread,
 * pooled buffers. The key comes from the same PKCS12 file Boucle's server is given.
 */
final class NettyTlsEchoServer implements AutoCloseable {
    private final NettyAnchor anchor;

    private NettyTlsEchoServer(NettyAnchor anchor) {
        this.anchor = anchor;
    }

    static NettyTlsEchoServer start(int port, Path keyStore, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SslContext tls = SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2").build();
        return new NettyTlsEchoServer(NettyAnchor.bind(1, port, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel child) {
                // the plaintext SslHandler decoded goes back through it, as in the plain anchor
                child.pipeline().addLast(tls.newHandler(child.alloc()), new NettyEchoServer.Echo());
            }
        }));
    }

    int port() {
        return anchor.port();
    }

    @Override
    public void close() {
        anchor.close(2);
    }
}
