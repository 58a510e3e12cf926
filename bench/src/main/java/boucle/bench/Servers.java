package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers compared: Boucle's real {@code echo} and {@code chat} commands from the examples jar
 * (and, when {@link Settings#beforeJar} is given, the same commands of another build, say main's),
 * and the anchors of this module. Each runs in its own JVM with {@link Settings#SERVER_JVM_FLAGS}.
 */
final class Servers {
    /** Boucle's echo on the NIO backend (as every Boucle figure before the io_uring backend). */
    static final String BOUCLE = "boucle";
    /** Boucle's echo on the io_uring backend, where the examples jar has it and the kernel allows it. */
    static final String BOUCLE_URING = "boucle-io_uring";
    /** The same Boucle server from {@link Settings#beforeJar}: the build before the change. */
    static final String BOUCLE_BEFORE = "boucle-before";
    static final String NETTY = "netty-nio";
    static final String VIRTUAL_THREADS = "virtual-threads";
    /** The chat anchor, {@link NettyChatServer}. */
    static final String NETTY_CHAT = "netty-chat";

    private Servers() {
    }

    /** The servers to measure: the anchors always, Boucle's echo once the examples jar has it. */
    static List<String> available(Settings settings) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        if (boucleHasEcho(settings)) {
            names.add(BOUCLE);
            if (hasIoUring(settings)) {
                names.add(BOUCLE_URING);
            }
        } else {
            System.err.println("bench: " + settings.examplesJar() + " has no 'echo' command yet:"
                    + " only the anchors are measured");
        }
        names.add(NETTY);
        names.add(VIRTUAL_THREADS);
        return names;
    }

    /** The echo servers of the hardening scenarios: {@link #available}, plus the build before if given. */
    static List<String> echoWithBefore(Settings settings) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>(available(settings));
        if (settings.beforeJar() != null && names.contains(BOUCLE)) {
            names.add(names.indexOf(BOUCLE) + 1, BOUCLE_BEFORE);
        }
        return names;
    }

    /** The chat servers: Boucle's {@code chat} (this build, the build before if given) and the Netty anchor. */
    static List<String> chat(Settings settings) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        if (hasCommand(settings.examplesJar(), "chat", settings)) {
            names.add(BOUCLE);
            if (settings.beforeJar() != null) {
                names.add(BOUCLE_BEFORE);
            }
        } else {
            System.err.println("bench: " + settings.examplesJar() + " has no 'chat' command: only the anchor is measured");
        }
        names.add(NETTY_CHAT);
        return names;
    }

    /** Starts the echo server {@code name}. */
    static ServerProcess start(Settings settings, String name) throws IOException {
        return switch (name) {
            // one loop: the anchors run on one thread (Netty) or one carrier (virtual threads); the
            // every-core comparison is the 'loops' part
            case BOUCLE -> launch(settings, name, boucleEcho(settings, "nio"));
            case BOUCLE_URING -> launch(settings, name, boucleEcho(settings, "io_uring"));
            // the same one loop as this build's: a before/after ratio compares builds, not loop counts
            case BOUCLE_BEFORE -> launch(settings, name, List.of("-jar", before(settings).toString(), "echo", "--loops", "1"));
            case NETTY -> launch(settings, name, List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "netty-echo"));
            case VIRTUAL_THREADS -> launch(settings, name, List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "vt-echo"));
            default -> throw new IllegalArgumentException("no echo server named '" + name + "'");
        };
    }

    /** Starts the chat server {@code name}. */
    static ServerProcess startChat(Settings settings, String name) throws IOException {
        return switch (name) {
            case BOUCLE -> launch(settings, name + "-chat",
                    List.of("-jar", settings.examplesJar().toString(), "chat", "--loops", "1"));
            case BOUCLE_BEFORE -> launch(settings, name + "-chat",
                    List.of("-jar", before(settings).toString(), "chat", "--loops", "1"));
            case NETTY_CHAT -> launch(settings, name, List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "netty-chat"));
            default -> throw new IllegalArgumentException("no chat server named '" + name + "'");
        };
    }

    /** Starts this build's chat on one loop, sharing its room through the Redis at {@code redisUri}. */
    static ServerProcess startLinkedChat(Settings settings, String name, String redisUri) throws IOException {
        return launch(settings, name, List.of("-jar", settings.examplesJar().toString(), "chat", "--loops", "1",
                "--redis", redisUri));
    }

    /** Starts {@code redis-server} on a free loopback port, without persistence, its files in the work directory. */
    static ServerProcess startRedis(Settings settings) throws IOException {
        int port = ServerProcess.freePort();
        Files.createDirectories(settings.work());
        return ServerProcess.start("redis", port, List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", settings.work().toString()),
                settings.work().resolve("redis.log"));
    }

    /** Boucle's echo on one loop, on {@code backend} if the jar knows backends (older builds are NIO only). */
    private static List<String> boucleEcho(Settings settings, String backend) throws IOException {
        List<String> program = new ArrayList<>(List.of("-jar", settings.examplesJar().toString(), "echo", "--loops", "1"));
        try {
            if (hasBackendOption(settings.examplesJar(), settings)) {
                program.addAll(List.of("--backend", backend));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the examples jar for its options", e);
        }
        return program;
    }

    /** Whether the jar's echo takes {@code --backend} and io_uring serves here (the probe, run in this JVM, says). */
    private static boolean hasIoUring(Settings settings) throws IOException, InterruptedException {
        if (!hasBackendOption(settings.examplesJar(), settings)) {
            return false;
        }
        boucle.net.uring.IoUringSupport support = boucle.net.uring.IoUring.probe();
        if (!support.available()) {
            System.err.println("bench: Boucle on io_uring is not measured: " + support.reason());
        }
        return support.available();
    }

    private static boolean hasBackendOption(Path jar, Settings settings) throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            return false;
        }
        Process help = new ProcessBuilder(settings.java().toString(), "-jar", jar.toString(), "echo", "--help")
                .redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        help.waitFor();
        return usage.contains("--backend");
    }

    private static ServerProcess launch(Settings settings, String name, List<String> program) throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.addAll(Settings.SERVER_JVM_FLAGS);
        command.addAll(program);
        command.addAll(List.of("--port", Integer.toString(port)));
        Files.createDirectories(settings.work());
        return ServerProcess.start(name, port, command, settings.work().resolve(name + ".log"));
    }

    private static Path before(Settings settings) {
        if (settings.beforeJar() == null) {
            throw new IllegalStateException("no build to compare with: give --before-jar JAR");
        }
        return settings.beforeJar();
    }

    private static boolean boucleHasEcho(Settings settings) throws IOException, InterruptedException {
        return hasCommand(settings.examplesJar(), "echo", settings);
    }

    private static boolean hasCommand(Path jar, String command, Settings settings) throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            return false;
        }
        Process help = new ProcessBuilder(settings.java().toString(), "-jar", jar.toString(), "help")
                .redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        help.waitFor();
        return usage.lines().anyMatch(line -> line.trim().startsWith(command + " "));
    }
}
