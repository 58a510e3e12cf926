package boucle.examples;

import boucle.core.Loop;
import boucle.net.AsyncServer;
import boucle.net.Net;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;

/** Runs a server command: binds, says where it listens, serves until the process is stopped. */
final class Servers {
    private Servers() {
    }

    /** Returns the exit status: 0 after a shutdown, 1 if it could not listen. */
    static int serve(String name, ServerOptions options, AsyncServer.Builder builder, PrintStream out)
            throws IOException {
        AsyncServer server;
        try {
            server = builder.host(options.host()).port(options.port()).bind();
        } catch (BindException | java.nio.channels.UnresolvedAddressException e) {
            System.err.println(name + ": cannot listen on " + options.host() + ":" + options.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : "unknown host"));
            return 1;
        }
        out.println(name + " server listening on " + options.host() + ":" + server.port()
                + " (try: nc " + options.host() + " " + server.port() + ")");
        out.flush();
        try (Loop loop = Net.newLoop()) {
            loop.runTask(server::serveForever);
        }
        return 0;
    }
}
