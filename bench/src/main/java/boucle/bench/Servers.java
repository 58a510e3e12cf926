package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo servers compared: Boucle's real {@code echo} command from the examples jar, and the two
 * anchors of this module. Each runs in its own JVM with {@link Settings#SERVER_JVM_FLAGS}.
 */
final class Servers {
    static final String BOUCLE = "boucle";
    static final String NETTY = "netty-nio";
    static final String VIRTUAL_THREADS = "virtual-threads";

    private Servers() {
    }

    /** The servers to measure: the anchors always, Boucle's echo once the examples jar has it. */
    static List<String> available(Settings settings) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        if (boucleHasEcho(settings)) {
            names.add(BOUCLE);
        } else {
            System.err.println("bench: " + settings.examplesJar() + " has no 'echo' command yet:"
                    + " only the anchors are measured");
        }
        names.add(NETTY);
        names.add(VIRTUAL_THREADS);
        return names;
    }

    static ServerProcess start(Settings settings, String name) throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.addAll(Settings.SERVER_JVM_FLAGS);
        switch (name) {
            case BOUCLE -> command.addAll(List.of("-jar", settings.examplesJar().toString(), "echo"));
            case NETTY -> command.addAll(List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "netty-echo"));
            case VIRTUAL_THREADS -> command.addAll(List.of("-cp", settings.benchJar().toString(), Main.class.getName(), "vt-echo"));
            default -> throw new IllegalArgumentException("no server named '" + name + "'");
        }
        command.addAll(List.of("--port", Integer.toString(port)));
        Files.createDirectories(settings.work());
        return ServerProcess.start(name, port, command, settings.work().resolve(name + ".log"));
    }

    private static boolean boucleHasEcho(Settings settings) throws IOException, InterruptedException {
        if (!Files.exists(settings.examplesJar())) {
            return false;
        }
        Process help = new ProcessBuilder(settings.java().toString(), "-jar", settings.examplesJar().toString(), "help")
                .redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        help.waitFor();
        return usage.lines().anyMatch(line -> line.trim().startsWith("echo "));
    }
}
