package boucle.examples.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An example server ({@code echo} or {@code chat} of {@link boucle.examples.Main}) in a JVM of its
 * own, for the faults where a process is the point: a descriptor limit, a signal, an exit status,
 * CPU time, or a server measured apart from the test's own JVM (its collector, its leak detector at
 * PARANOID). Its output lines are kept to assert on; {@link #close()} kills it if it still runs.
 *
 * <p>The server runs from the test's class path (the modules' classes and Netty), not from the
 * shaded jar, which Maven builds only after the tests.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final int port;

    private ServerProcess(Process process) throws IOException, InterruptedException {
        this.process = process;
        follow(process.getInputStream(), out, "server-stdout");
        follow(process.getErrorStream(), err, "server-stderr");
        this.port = awaitPort();
    }

    /** Starts {@code java ... boucle.examples.Main command --port 0} and waits until it listens. */
    static ServerProcess start(String command) throws IOException, InterruptedException {
        return start(command, 0);
    }

    /**
     * The same under {@code ulimit -n openFiles} (0: the inherited limit). The shell {@code exec}s
     * java, so the process, its pid and its signals are the server's own.
     */
    static ServerProcess start(String command, int openFiles) throws IOException, InterruptedException {
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", serverClassPath(),
                "boucle.examples.Main", command, "--port", "0"));
        List<String> full = new ArrayList<>();
        if (openFiles > 0) { // bash -c SCRIPT NAME ARGS...: "$@" in the script is ARGS, the java command line
            full.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "server"));
        }
        full.addAll(java);
        return new ServerProcess(new ProcessBuilder(full).start());
    }

    /** The test's class path without the test-only parts: fewer jars, fewer descriptors in the server. */
    private static String serverClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> !entry.contains("junit") && !entry.contains("opentest4j")
                        && !entry.contains("apiguardian") && !entry.contains("surefire")
                        && !entry.contains("test-classes") && !entry.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Copies the stream's lines into {@code lines}; says the port once a line tells it, or that none will. */
    private void follow(InputStream stream, List<String> lines, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        listening.complete(Integer.parseInt(matcher.group(1)));
                    }
                }
            } catch (IOException closed) {
                // the process ended
            }
            listening.completeExceptionally(new IOException(name + " ended"));
        }, name);
        reader.setDaemon(true);
        reader.start();
    }

    private int awaitPort() throws InterruptedException {
        try {
            return listening.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException notListening) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return fail("the server did not say where it listens (" + notListening + ")"
                    + (process.isAlive() ? "" : "; exit status " + process.exitValue()) + ":\n" + output());
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the server printed to standard output so far, one entry a line. */
    List<String> stdout() {
        return List.copyOf(out);
    }

    /** What the server logged to standard error so far, one entry a line. */
    List<String> stderr() {
        return List.copyOf(err);
    }

    /** Both outputs, for a failure message. */
    String output() {
        return "--- stdout\n" + String.join("\n", out) + "\n--- stderr (" + err.size() + " lines)\n"
                + String.join("\n", err.subList(0, Math.min(err.size(), 60)));
    }

    /** User plus system CPU time the server has used, in clock ticks (1/100 s), from {@code /proc/PID/stat}. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        // the command name, in parentheses, may hold spaces: the fields restart after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** How many descriptors the server has open, from {@code /proc/PID/fd}. */
    int openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/" + pid() + "/fd"))) {
            return (int) entries.count();
        }
    }

    /** Sends SIGTERM, as {@code kill PID} or a service manager does. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit and returns its status; fails the test if the process still runs after {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        assertTrue(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS),
                "the server still runs " + limit.toMillis() + " ms later:\n" + output());
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
