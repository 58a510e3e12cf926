package boucle.examples;

import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code echo [--host H] [--port P]}: a server that sends every byte back, in order, to any number
 * of clients. The whole server is the {@link #echo} handler, plain sequential code run as one
 * task per connection:
 *
 * <pre>{@code
 * for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
 *     connection.write(bytes);
 * }
 * }</pre>
 */
final class Echo implements Command {
    static final int DEFAULT_PORT = 7000;

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

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        return Servers.run("echo", args, DEFAULT_PORT, this::usage, AsyncServer.builder(Echo::echo), out);
    }

    private void usage(PrintStream out) {
        out.println("usage: echo [--host H] [--port P]");
        out.println("  An echo server: every byte a client sends comes back to it, in order.");
        out.println("  --host H   address to listen on (default 127.0.0.1)");
        out.println("  --port P   port to listen on (default " + DEFAULT_PORT + "; 0 picks a free one)");
        out.println("  Try it: nc localhost " + DEFAULT_PORT + "   (Ctrl-C or SIGTERM stops the server gracefully;");
        out.println("  a second one stops it at once)");
    }
}
