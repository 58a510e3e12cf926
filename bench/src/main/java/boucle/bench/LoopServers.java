package boucle.bench;

import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.LoopGroup;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The servers of the every-core comparison, each in its own JVM, and the entry points of the two
 * that live in this module:
 * <ul>
 *   <li>{@code boucle-N}: the examples' {@code echo --loops N} (or {@code chat --loops N});</li>
 *   <li>{@code netty-N}: Netty's NIO echo on one group of N event loops ({@link NettyEchoServer});</li>
 *   <li>{@code virtual-threads}: a virtual thread per connection on the JDK's default scheduler
 *       (one carrier per core), not the one-carrier setting of the single-loop comparison;</li>
 *   <li>{@code reuseport-N}: N loops each with its own {@code SO_REUSEPORT} listener, against which
 *       {@code GroupServer}'s one acceptor is measured ({@link #reusePortEcho}).</li>
 * </ul>
 * Same heap and GC flags as every server of the bench ({@link Settings#SERVER_JVM_FLAGS}).
 */
final class LoopServers {
    private LoopServers() {
    }

    /** {@link Settings#SERVER_JVM_FLAGS} without the one-carrier setting: every server may use every core here. */
    static List<String> jvmFlags() {
        return Settings.SERVER_JVM_FLAGS.stream().filter(flag -> !flag.startsWith("-Djdk.virtualThreadScheduler")).toList();
    }

    static ServerProcess start(Settings settings, String name) throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.addAll(jvmFlags());
        command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"); // the jar's manifest says it only with -jar
        String[] parts = name.split("-");
        String loops = parts[parts.length - 1];
        String bench = settings.benchJar().toString();
        if (name.startsWith("boucle-chat-")) {
            command.addAll(List.of("-jar", settings.examplesJar().toString(), "chat", "--loops", loops));
        } else if (name.startsWith("boucle-")) {
            command.addAll(List.of("-jar", settings.examplesJar().toString(), "echo", "--loops", loops));
        } else if (name.startsWith("netty-")) {
            command.addAll(List.of("-cp", bench, LoopServers.class.getName(), "netty", loops));
        } else if (name.startsWith("reuseport-")) {
            command.addAll(List.of("-cp", bench, LoopServers.class.getName(), "reuseport", loops));
        } else if (name.equals("virtual-threads")) {
            command.addAll(List.of("-cp", bench, Main.class.getName(), "vt-echo"));
        } else {
            throw new IllegalArgumentException("no server named '" + name + "'");
        }
        command.addAll(List.of("--port", Integer.toString(port)));
        Files.createDirectories(settings.work());
        return ServerProcess.start(name, port, command, settings.work().resolve(name + ".log"));
    }

    /** {@code LoopServers netty|reuseport N --port P}: serves until killed. */
    public static void main(String[] args) throws Exception {
        int loops = Integer.parseInt(args[1]);
        int port = Integer.parseInt(args[3]);
        switch (args[0]) {
            case "netty" -> {
                try (NettyEchoServer server = NettyEchoServer.start(port, loops)) {
                    System.out.println("netty-" + loops + " listening on 127.0.0.1:" + server.port());
                    new CountDownLatch(1).await();
                }
            }
            case "reuseport" -> reusePortEcho(loops, port);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** N loops, each serving its own {@code SO_REUSEPORT} listener on one port: the kernel spreads the connections. */
    static void reusePortEcho(int loops, int port) throws Exception {
        try (LoopGroup group = LoopGroup.start(loops, "reuseport")) {
            for (int i = 0; i < loops; i++) {
                AsyncServer server = AsyncServer.builder(LoopServers::echo).port(port).reusePort(true).bind();
                group.submit(i, () -> {
                    server.serveForever();
                    return null;
                });
            }
            System.out.println("reuseport-" + loops + " listening on 127.0.0.1:" + port);
            new CountDownLatch(1).await();
        }
    }

    /** The examples' echo handler, the same three lines. */
    private static void echo(AsyncSocket connection) throws IOException {
        for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
            connection.write(bytes);
        }
    }
}
