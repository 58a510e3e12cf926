package boucle.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link GroupServer} over the other transports: a handed-off channel becomes a socket on its
 * loop as an accepted one does, so TLS (each handshake on the loop that serves the connection) and
 * Unix domain sockets spread over the loops too.
 */
class GroupServerTransportsTest {
    private static final int LOOPS = 2;

    /** Answers each line with the name of the loop thread serving the connection, then the line. */
    private static final Handler WHO_SERVES = connection -> {
        for (String line; (line = connection.readLine(100)) != null; ) {
            connection.write(Thread.currentThread().getName() + " " + line + "\n");
        }
    };

    @Test
    void tlsConnectionsSpreadOverTheLoopsEachHandshakingWhereItIsServed() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        try (LoopGroup group = LoopGroup.start(LOOPS, "tls")) {
            GroupServer server = GroupServer.start(group,
                    AsyncServer.builder(WHO_SERVES).tls(certificate.serverOptions()));
            Set<String> loops = new HashSet<>();
            for (int i = 0; i < 2 * LOOPS; i++) {
                try (SSLSocket client = (SSLSocket) certificate.trustingContext().getSocketFactory()
                        .createSocket("127.0.0.1", server.port())) {
                    client.setSoTimeout(20_000);
                    client.getOutputStream().write(("hello " + i + "\n").getBytes(UTF_8));
                    client.getOutputStream().flush();
                    String reply = readLine(client.getInputStream());
                    String[] parts = reply.split(" ", 2);
                    assertEquals("hello " + i, parts[1]);
                    loops.add(parts[0]);
                }
            }
            assertEquals(Set.of("tls-0", "tls-1"), loops, "each loop served some TLS connections");
            group.shutdownGracefully();
            server.whenStopped().join();
        }
    }

    @Test
    void unixSocketConnectionsSpreadOverTheLoopsAndTheFileGoesAtTheEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group.sock");
        try (LoopGroup group = LoopGroup.start(LOOPS, "unix")) {
            GroupServer server = GroupServer.start(group, AsyncServer.builder(WHO_SERVES).unixSocket(file));
            assertEquals(-1, server.port(), "a Unix socket has no port");
            assertEquals(UnixDomainSocketAddress.of(file), server.localAddress());
            Set<String> loops = new HashSet<>();
            for (int i = 0; i < 2 * LOOPS; i++) {
                try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    client.connect(UnixDomainSocketAddress.of(file));
                    client.write(ByteBuffer.wrap(("hi " + i + "\n").getBytes(UTF_8)));
                    String reply = readLine(client);
                    String[] parts = reply.split(" ", 2);
                    assertEquals("hi " + i, parts[1]);
                    loops.add(parts[0]);
                }
            }
            assertEquals(Set.of("unix-0", "unix-1"), loops, "each loop served some connections");
            group.shutdownGracefully();
            server.whenStopped().join();
        }
        assertFalse(Files.exists(file), "the socket file is removed at shutdown");
    }

    @Test
    void reusePortOnAUnixSocketIsRefusedClearly(@TempDir Path dir) throws Exception {
        try (LoopGroup group = LoopGroup.start(1, "refused")) {
            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                    () -> GroupServer.start(group, AsyncServer.builder(WHO_SERVES)
                            .unixSocket(dir.resolve("x.sock")).reusePort(true)));
            assertTrue(refused.getMessage().contains("Unix socket"), refused.getMessage());
        }
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) {
                throw new IOException("the server closed after '" + line + "'");
            }
            line.append((char) b);
        }
        return line.toString();
    }

    private static String readLine(SocketChannel channel) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder line = new StringBuilder();
        while (true) {
            one.clear();
            if (channel.read(one) == -1) {
                throw new IOException("the server closed after '" + line + "'");
            }
            byte b = one.get(0);
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
    }
}
