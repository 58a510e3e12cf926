package boucle.examples;

import boucle.net.AsyncDatagramSocket;
import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.Datagram;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code echo [--host H] [--port P] [--loops N] [--backend B] [--udp | --tls [--keystore FILE] | --unix PATH]}: a
 * server that sends every byte back, in order, to any number of clients, over TCP, TLS or a Unix
 * domain socket, its connections spread over {@code --loops} loops; with {@code --udp}, every
 * datagram back to its sender, on one loop. The whole server is the {@link #echo} handler, plain
 * sequential code run as one task per connection, the same over every transport:
 *
 * <pre>{@code
 * for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
 *     connection.write(bytes);
 * }
 * }</pre>
 */
final class Echo implements Command {
    static final int DEFAULT_PORT = 7000;
    static final int DEFAULT_TLS_PORT = 7443;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String summary() {
        return "echo server: sends every byte back (port " + DEFAULT_PORT + "; try: nc localhost " + DEFAULT_PORT + ")";
    }

    /**
     * Echoes until the client ends its stream. {@code read} hands over a buffer that
     * {@code write} takes back (and releases once sent): no copy, no release here. Bytes are not
     * lines, so an unfinished last line is echoed as it came. When the server shuts down, the
     * {@code read} waiting for the client throws a {@code ServerShuttingDownException}, which is
     * left to end the handler: the server flushes and closes the connection quietly.
     */
    static void echo(AsyncSocket connection) throws IOException {
        for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
            connection.write(bytes);
        }
    }

    /**
     * Sends every datagram back to its sender, for ever. The received buffer goes straight back
     * out: {@code send} takes it over. A datagram longer than the socket's maximum comes back
     * truncated, as UDP servers do.
     */
    static void echoDatagrams(AsyncDatagramSocket socket) throws IOException {
        for (;;) {
            Datagram datagram = socket.receive();
            socket.send(datagram.content(), datagram.sender());
        }
    }

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        return Servers.run("echo", args, new Servers.Ports(DEFAULT_PORT, DEFAULT_TLS_PORT), ServerOptions.TRANSPORTS,
                this::usage, (group, options) -> AsyncServer.builder(Echo::echo), Echo::echoDatagrams, out);
    }

    private void usage(PrintStream out) {
        out.println("usage: echo [--host H] [--port P] [--loops N] [--backend auto|io_uring|nio]"
                + " [--udp | --tls [--keystore FILE] | --unix PATH]");
        out.println("  An echo server: every byte a client sends comes back to it, in order.");
        out.println("  --host H         address to listen on (default 127.0.0.1)");
        out.println("  --port P         port to listen on (default " + DEFAULT_PORT + ", " + DEFAULT_TLS_PORT
                + " with --tls; 0 picks a free one)");
        out.println("  --loops N        event loops, one thread each, connections spread over them (default: all "
                + ServerOptions.defaultLoops() + " cores; --udp serves on one)");
        out.println(ServerOptions.backendUsage(19));
        out.println("  --udp            echo UDP datagrams instead: each one goes back to its sender");
        out.println("  --unix PATH      listen on a Unix domain socket file instead of a TCP port (a stale file");
        out.println("                   is replaced, a live one refused; removed at shutdown)");
        Servers.tlsUsage(out, DEFAULT_TLS_PORT);
        out.println("  Try it: nc localhost " + DEFAULT_PORT + "   (Ctrl-C or SIGTERM stops the server gracefully;");
        out.println("  a second one stops it at once)");
        out.println("          nc -u 127.0.0.1 " + DEFAULT_PORT + "   (with --udp)");
        out.println("          nc -U PATH   (with --unix PATH)");
    }
}
