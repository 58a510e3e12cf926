package boucle.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * The thread-per-connection anchor: a blocking {@link ServerSocket} whose every connection is
 * served by its own virtual thread, in plain sequential code: read into a buffer, write it back.
 * The buffer is 64 KiB, the largest read Netty's adaptive allocator makes, so a 64 KiB message
 * is not split into more system calls here than in the others.
 *
 * <pre>{@code
 * try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(0)) {
 *     int port = server.port();
 * }
 * }</pre>
 */
final class VirtualThreadEchoServer implements AutoCloseable {
    static final int BUFFER_SIZE = 64 * 1024;

    private final ServerSocket listener;
    private final Thread acceptor;

    private VirtualThreadEchoServer(ServerSocket listener) {
        this.listener = listener;
        this.acceptor = Thread.ofVirtual().name("vt-echo-acceptor").start(this::acceptForever);
    }

    static VirtualThreadEchoServer start(int port) throws IOException {
        return new VirtualThreadEchoServer(
                new ServerSocket(port, NettyEchoServer.BACKLOG, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptForever() {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                Thread.ofVirtual().start(() -> echo(connection));
            } catch (IOException closedOrFailed) {
                if (!listener.isClosed()) {
                    System.err.println("vt-echo: accept failed: " + closedOrFailed);
                }
            }
        }
    }

    private static void echo(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketException peerVanished) {
            // a reset by the peer ends this connection only
        } catch (IOException failure) {
            System.err.println("vt-echo: connection failed: " + failure);
        }
    }
}
