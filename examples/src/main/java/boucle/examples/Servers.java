package boucle.examples;

import boucle.core.Loop;
import boucle.net.AsyncServer;
import boucle.net.Net;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.util.function.Consumer;

/**
 * Runs a server command: binds, says where it listens, serves until SIGINT or SIGTERM, which run
 * the graceful shutdown ({@link StopSignals}); the command then returns 0.
 */
final class Servers {
    private Servers() {
    }

    /**
     * Runs a server command line: {@code --help} prints the usage, bad options print it to stderr
     * (status 2), otherwise {@link #serve}.
     */
    static int run(String name, String[] args, int defaultPort, Consumer<PrintStream> usage,
            AsyncServer.Builder builder, PrintStream out) throws IOException {
        if (ServerOptions.wantsHelp(args)) {
            usage.accept(out);
            return 0;
        }
        ServerOptions options;
        try {
            options = ServerOptions.parse(args, defaultPort);
        } catch (IllegalArgumentException bad) {
            System.err.println(name + ": " + bad.getMessage());
            usage.accept(System.err);
            return 2;
        }
        return serve(name, options, builder, out);
    }

    /** Returns the exit status: 0 after a (graceful) shutdown, 1 if it could not listen. */
    private static int serve(String name, ServerOptions options, AsyncServer.Builder builder, PrintStream out)
            throws IOException {
        AsyncServer server;
        try {
            server = builder.host(options.host()).port(options.port()).bind();
        } catch (BindException | java.nio.channels.UnresolvedAddressException e) {
            System.err.println(name + ": cannot listen on " + options.host() + ":" + options.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : "unknown host"));
            return 1;
        }
        StopSignals.install(name, server);
        out.println(name + " server listening on " + options.host() + ":" + server.port()
                + " (try: nc " + options.host() + " " + server.port() + ")");
        out.flush();
        try (Loop loop = Net.newLoop()) {
            Net.runWithBufferRecycling(() -> loop.runTask(server::serveForever));
        }
        return 0;
    }
}
