package boucle.examples;

import boucle.net.AsyncServer;
import boucle.net.GroupServer;
import boucle.net.LoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a server command: starts {@code --loops} loops ({@link LoopGroup}), binds, says where it
 * listens, serves on every loop ({@link GroupServer}) until SIGINT or SIGTERM, which run the
 * graceful shutdown ({@link StopSignals}); the command then returns 0.
 */
final class Servers {
    private Servers() {
    }

    /**
     * Runs a server command line: {@code --help} prints the usage, bad options print it to stderr
     * (status 2), otherwise {@link #serve}.
     */
    static int run(String name, String[] args, int defaultPort, Consumer<PrintStream> usage,
            Function<LoopGroup, AsyncServer.Builder> server, PrintStream out) throws IOException {
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
        return serve(name, options, server, out);
    }

    /** Returns the exit status: 0 after a (graceful) shutdown, 1 if it could not listen or failed. */
    private static int serve(String name, ServerOptions options, Function<LoopGroup, AsyncServer.Builder> serverOf,
            PrintStream out) throws IOException {
        try (LoopGroup group = LoopGroup.start(options.loops(), name + "-loop")) {
            GroupServer server;
            try {
                server = GroupServer.start(group, serverOf.apply(group).host(options.host()).port(options.port()));
            } catch (BindException | java.nio.channels.UnresolvedAddressException e) {
                System.err.println(name + ": cannot listen on " + options.host() + ":" + options.port() + ": "
                        + (e.getMessage() != null ? e.getMessage() : "unknown host"));
                return 1; // closing the group ends its idle loops
            }
            StopSignals.install(name, group);
            out.println(name + " server listening on " + options.host() + ":" + server.port() + " with "
                    + options.loops() + (options.loops() == 1 ? " loop" : " loops")
                    + " (try: nc " + options.host() + " " + server.port() + ")");
            out.flush();
            try {
                server.whenStopped().join(); // until a signal shuts the group down
            } catch (java.util.concurrent.CompletionException failed) {
                System.err.println(name + ": the server failed: " + failed.getCause());
                return 1; // closing the group ends the loops
            }
        } // close(): the loops end once their servers drained
        return 0;
    }
}
