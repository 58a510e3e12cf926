package boucle.examples;

import boucle.core.Loop;
import boucle.net.AsyncDatagramSocket;
import boucle.net.AsyncServer;
import boucle.net.GroupServer;
import boucle.net.LoopGroup;
import boucle.net.Net;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.SocketException;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a server command: starts {@code --loops} loops ({@link LoopGroup}), binds, says where it
 * listens, serves on every loop ({@link GroupServer}) until SIGINT or SIGTERM, which run the
 * graceful shutdown ({@link StopSignals}); the command then returns 0. TCP, TLS and Unix sockets
 * all spread over the loops (each connection's TLS handshake runs on the loop that serves it);
 * {@code --udp} serves one socket on one loop.
 */
final class Servers {
    private Servers() {
    }

    /** What a command does with a bound UDP socket: serve it until the process is stopped. */
    @FunctionalInterface
    interface DatagramService {
        void serve(AsyncDatagramSocket socket) throws IOException;
    }

    /**
     * Runs a server command line: {@code --help} prints the usage, bad options print it to stderr
     * (status 2), otherwise {@link #serve}. {@code server} makes the server's options for the
     * group of loops that will run it (a chat room spans the group's loops).
     */
    static int run(String name, String[] args, int defaultPort, Consumer<PrintStream> usage,
            Function<LoopGroup, AsyncServer.Builder> server, PrintStream out) throws IOException {
        return run(name, args, new Ports(defaultPort, defaultPort), Set.of(), usage,
                (group, options) -> server.apply(group), null, out);
    }

    /**
     * Makes a command's server for the group of loops that will run it, once the group has
     * started: a chat room spans the group's loops, and may first link them to other servers.
     * Called on the thread that runs the command, not on a loop.
     */
    @FunctionalInterface
    interface ServerMaker {
        AsyncServer.Builder make(LoopGroup group, ServerOptions options) throws CannotServeException;
    }

    /** The server cannot start, for a reason its message tells the user (a broker that does not answer...). */
    static final class CannotServeException extends Exception {
        CannotServeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A command's default ports: plain, and with {@code --tls}. */
    record Ports(int plain, int tls) {
    }

    /**
     * The same, accepting the transport options in {@code transports} ({@link ServerOptions#UDP},
     * {@link ServerOptions#TLS}, {@link ServerOptions#UNIX}, and the chat's {@link ServerOptions#REDIS});
     * {@code datagrams} serves {@code --udp}.
     */
    static int run(String name, String[] args, Ports ports, Set<String> transports, Consumer<PrintStream> usage,
            ServerMaker server, DatagramService datagrams, PrintStream out)
            throws IOException {
        if (ServerOptions.wantsHelp(args)) {
            usage.accept(out);
            return 0;
        }
        ServerOptions options;
        try {
            options = ServerOptions.parse(args, ports.plain(), ports.tls(), transports);
        } catch (IllegalArgumentException bad) {
            System.err.println(name + ": " + bad.getMessage());
            usage.accept(System.err);
            return 2;
        }
        if (options.udp()) {
            return serveDatagrams(name, options, datagrams, out);
        }
        boucle.net.TlsOptions tls = null;
        if (options.tls()) {
            try {
                tls = Tls.serverOptions(name, options, out);
            } catch (IOException | java.security.GeneralSecurityException e) {
                System.err.println(name + ": cannot set up TLS: " + e.getMessage());
                return 1;
            }
        }
        return serve(name, options, server, tls, out);
    }

    /** Returns the exit status: 0 after a (graceful) shutdown, 1 if it could not listen or failed. */
    private static int serve(String name, ServerOptions options, ServerMaker serverOf,
            boucle.net.TlsOptions tls, PrintStream out) throws IOException {
        String where = options.unixSocket() != null ? "unix:" + options.unixSocket() : options.host() + ":" + options.port();
        // the loops' threads recycle buffers as Netty's own threads do
        LoopGroup started;
        try {
            started = LoopGroup.start(options.loops(), name + "-loop", options.backend());
        } catch (IllegalStateException unavailable) { // io_uring asked for and not usable here: one clear line
            System.err.println(name + ": " + unavailable.getMessage());
            return 1;
        }
        try (LoopGroup group = started) {
            AsyncServer.Builder builder;
            try {
                builder = serverOf.make(group, options);
            } catch (CannotServeException cannot) {
                System.err.println(name + ": " + cannot.getMessage());
                return 1; // closing the group ends its loops, and the tasks the maker left there
            }
            builder.host(options.host()).port(options.port());
            if (tls != null) {
                builder.tls(tls);
            }
            if (options.unixSocket() != null) {
                builder.unixSocket(options.unixSocket());
            }
            GroupServer server;
            try {
                server = GroupServer.start(group, builder);
            } catch (BindException | java.nio.channels.UnresolvedAddressException
                    | java.nio.file.FileAlreadyExistsException e) {
                System.err.println(name + ": cannot listen on " + where + ": "
                        + (e.getMessage() != null ? e.getMessage() : "unknown host"));
                return 1; // closing the group ends its idle loops
            }
            StopSignals.install(name, group);
            out.println(name + " server listening on " + listeningOn(options, server.port(), group.backend()));
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

    /** The usage lines of the TLS options, shared by the commands that have them. */
    static void tlsUsage(PrintStream out, int tlsPort) {
        out.println("  --tls            serve TLS 1.3/1.2 (the JDK's SSLEngine); without --keystore, a self-signed");
        out.println("                   certificate is made at start and its SHA-256 fingerprint printed");
        out.println("  --keystore FILE  the server's key and certificate, a PKCS12 file (with --tls); its password");
        out.println("                   with --storepass P, or BOUCLE_STOREPASS in the environment");
        out.println("  Connect to --tls with:  openssl s_client -connect 127.0.0.1:" + tlsPort + " -quiet");
        out.println("                     or:  socat - OPENSSL:127.0.0.1:" + tlsPort + ",verify=0");
        out.println("                   (verify=0 / no -verify: a self-signed certificate is trusted by nobody;");
        out.println("                   compare its fingerprint with the one printed at start)");
    }

    /** Where it listens, and how to try it: {@code 127.0.0.1:7443 with 2 loops (TLS; try: openssl s_client ...)}. */
    private static String listeningOn(ServerOptions options, int port, boucle.net.Backend backend) {
        String loops = " with " + options.loops() + (options.loops() == 1 ? " loop" : " loops") + " on "
                + backend.optionName();
        if (options.unixSocket() != null) {
            String path = options.unixSocket().toString();
            return "unix:" + path + loops + (options.tls()
                    ? " (TLS; try: openssl s_client -unix " + path + " -quiet)"
                    : " (try: nc -U " + path + ")");
        }
        String address = options.host() + ":" + port;
        return address + loops + (options.tls()
                ? " (TLS; try: openssl s_client -connect " + address + " -quiet)"
                : " (try: nc " + options.host() + " " + port + ")");
    }

    /** Returns the exit status: 1 if it could not bind; otherwise it serves until the process is stopped. */
    private static int serveDatagrams(String name, ServerOptions options, DatagramService service, PrintStream out)
            throws IOException {
        AsyncDatagramSocket socket;
        try {
            socket = AsyncDatagramSocket.bind(options.host(), options.port());
        } catch (SocketException | java.nio.channels.UnresolvedAddressException e) {
            System.err.println(name + ": cannot bind UDP " + options.host() + ":" + options.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : "unknown host"));
            return 1;
        }
        int port = socket.localAddress().getPort();
        out.println(name + " server listening on " + options.host() + ":" + port + " with 1 loop on "
                + options.backend().optionName() + " (UDP; try: nc -u "
                + options.host() + " " + port + ")");
        out.flush();
        Loop made;
        try {
            made = Net.newLoop(options.backend());
        } catch (IllegalStateException unavailable) {
            socket.close();
            System.err.println(name + ": " + unavailable.getMessage());
            return 1;
        }
        try (Loop loop = made; socket) {
            Net.runWithBufferRecycling(() -> loop.runTask(() -> service.serve(socket)));
        }
        return 0;
    }
}
