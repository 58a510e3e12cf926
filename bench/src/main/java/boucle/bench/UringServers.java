package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The five echo servers of the io_uring comparison, each in its own process, each on one thread:
 * <ul>
 *   <li>{@value #BOUCLE_URING}: the examples' {@code echo --loops 1 --backend io_uring} (the option
 *       where the build's echo has it, and the system property {@code boucle.backend} always);</li>
 *   <li>{@value #BOUCLE_NIO}: the same with {@code nio} (a build with neither is NIO);</li>
 *   <li>{@value #NETTY_URING} and {@value #NETTY_NIO}: {@link NettyEchoServer} on Netty's io_uring
 *       (JNI) and NIO transports, one event loop, nothing else different;</li>
 *   <li>{@value #C_EPOLL}: {@code bench/src/main/c/epoll_echo.c}, the floor.</li>
 * </ul>
 * Every JVM gets {@link Settings#SERVER_JVM_FLAGS} and native access. A server said to be on
 * io_uring must hold a ring once it listens, and one said to be on NIO or epoll must not: a
 * fallback that would compare NIO with NIO fails the run instead.
 */
final class UringServers {
    static final String BOUCLE_URING = "boucle-io_uring";
    static final String BOUCLE_NIO = "boucle-nio";
    static final String NETTY_URING = "netty-io_uring";
    static final String NETTY_NIO = "netty-nio";
    static final String C_EPOLL = "c-epoll";
    /** The order of the tables and of each round. */
    static final List<String> ALL = List.of(BOUCLE_URING, BOUCLE_NIO, NETTY_URING, NETTY_NIO, C_EPOLL);

    private final Settings settings;
    private final boolean boucleHasBackend;

    private UringServers(Settings settings, boolean boucleHasBackend) {
        this.settings = settings;
        this.boucleHasBackend = boucleHasBackend;
    }

    /** Asks the examples jar once whether its {@code echo} takes {@code --backend}. */
    static UringServers of(Settings settings) throws IOException, InterruptedException {
        if (!Files.exists(settings.examplesJar())) {
            throw new IOException("no examples jar at " + settings.examplesJar() + ": build it (./boucle bench does)");
        }
        Process help = new ProcessBuilder(settings.java().toString(), "-jar", settings.examplesJar().toString(),
                "echo", "--help").redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        help.waitFor();
        return new UringServers(settings, usage.contains("--backend"));
    }

    /** Whether the build's {@code echo} takes {@code --backend}. */
    boolean boucleHasBackend() {
        return boucleHasBackend;
    }

    /** Starts {@code name}, ready to serve, its transport checked. */
    ServerProcess start(String name) throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        if (name.equals(C_EPOLL)) {
            command.add(epollEcho().toString());
        } else {
            command.add(settings.java().toString());
            command.addAll(Settings.SERVER_JVM_FLAGS);
            command.add("--enable-native-access=ALL-UNNAMED"); // Boucle's FFM ring, Netty's JNI library
            if (name.startsWith("boucle-")) { // what Net.newLoop() takes when the command line says nothing
                command.add("-Dboucle.backend=" + (name.equals(BOUCLE_URING) ? "io_uring" : "nio"));
            }
            command.addAll(switch (name) {
                case BOUCLE_URING -> boucle("io_uring");
                case BOUCLE_NIO -> boucle("nio");
                case NETTY_URING -> netty("io_uring");
                case NETTY_NIO -> netty("nio");
                default -> throw new IllegalArgumentException("no server named '" + name + "' in the io_uring comparison");
            });
        }
        command.addAll(List.of("--port", Integer.toString(port)));
        Files.createDirectories(settings.work());
        ServerProcess server = ServerProcess.start(name, port, command, settings.work().resolve(name + ".log"));
        try {
            checkTransport(server);
        } catch (IOException | RuntimeException wrong) {
            server.close();
            throw wrong;
        }
        return server;
    }

    private List<String> boucle(String backend) {
        List<String> program = new ArrayList<>(List.of("-jar", settings.examplesJar().toString(), "echo", "--loops", "1"));
        if (boucleHasBackend) {
            program.addAll(List.of("--backend", backend));
        }
        return program;
    }

    private List<String> netty(String transport) {
        return List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "netty-echo", "--transport", transport);
    }

    private Path epollEcho() {
        Path binary = settings.root().resolve("bench/target/epoll-echo");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no C epoll server at " + binary
                    + ": build it with 'gcc -O2 -o bench/target/epoll-echo bench/src/main/c/epoll_echo.c' (./boucle bench does)");
        }
        return binary;
    }

    private static void checkTransport(ServerProcess server) throws IOException {
        boolean wantsRing = server.name().endsWith("io_uring");
        int rings = ProcessStats.ioUringDescriptors(server.pid());
        if (wantsRing && rings == 0) {
            throw new IOException(server.name() + " holds no io_uring instance once listening: it did not take"
                    + " io_uring; see " + server.log());
        }
        if (!wantsRing && rings > 0) {
            throw new IOException(server.name() + " holds " + rings + " io_uring instance(s) though it should run"
                    + " on NIO or epoll; see " + server.log());
        }
    }
}
