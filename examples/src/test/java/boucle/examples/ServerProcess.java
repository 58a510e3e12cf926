package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import boucle.net.Backend;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An example server ({@code echo} or {@code chat} of {@link Main}) in a JVM of its own, run as a
 * user runs it ({@code java boucle.examples.Main COMMAND --port 0}), for the tests where a process
 * is the point: a descriptor limit, a signal, an exit status, CPU time, or a server measured apart
 * from the test's own JVM (its collector, its leak detector at PARANOID). Its output lines are kept
 * to assert on; {@link #close()} kills it if it still runs. Any thread.
 *
 * <p>The server runs from the test's class path cut to what it needs (the modules' classes and
 * Netty), not from the shaded jar, which Maven builds only after the tests.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

    /**
     * The server starts with SIGINT and SIGTERM at their defaults, as under a terminal, however this
     * JVM was started: a build run as a shell's background job (a script's {@code mvn ... &}) has
     * SIGINT ignored, which a child inherits and the JVM then keeps ignored (see {@link StopSignals}),
     * so the SIGINT tests would only test the launcher. GNU {@code env --default-signal} resets them;
     * where it is missing, the server is started as is.
     */
    private static final List<String> DEFAULT_SIGNALS = defaultSignals();

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final int port;

    private ServerProcess(Process process) throws InterruptedException {
        this.process = process;
        follow(process.getInputStream(), out, "server-stdout");
        follow(process.getErrorStream(), err, "server-stderr");
        this.port = awaitPort();
    }

    /** Starts {@code java ... boucle.examples.Main command --port 0} and waits until it listens. */
    public static ServerProcess start(String command) throws IOException, InterruptedException {
        return start(command, 0);
    }

    /**
     * The same under {@code ulimit -n openFiles} (0: the inherited limit). The shell {@code exec}s
     * java, so the process, its pid and its signals are the server's own.
     */
    public static ServerProcess start(String command, int openFiles) throws IOException, InterruptedException {
        return start(command, List.of(), openFiles);
    }

    /** Starts {@code command} with {@code options} after {@code --port 0} ({@code --loops 2}, {@code --redis URI}...). */
    public static ServerProcess start(String command, List<String> options) throws IOException, InterruptedException {
        return start(command, options, 0);
    }

    private static ServerProcess start(String command, List<String> options, int openFiles)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (openFiles > 0) { // bash -c SCRIPT NAME ARGS...: "$@" in the script is ARGS, the java command line
            full.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "server"));
        }
        full.addAll(DEFAULT_SIGNALS);
        full.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                // the backend this suite runs on (the pom runs it on auto, then on nio), as the jar's manifest would allow
                "-D" + Backend.PROPERTY + "=" + Backend.configured().optionName(),
                "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", serverClassPath(),
                "boucle.examples.Main", command, "--port", "0"));
        full.addAll(options);
        return new ServerProcess(new ProcessBuilder(full).start());
    }

    private static List<String> defaultSignals() {
        List<String> env = List.of("env", "--default-signal=INT,TERM");
        try {
            Process probe = new ProcessBuilder("env", "--default-signal=INT,TERM", "true").redirectErrorStream(true).start();
            probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0 ? env : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * The test's class path without the test tools: the project's classes and Netty, so the server
     * opens fewer files. The project's classes come from their directories when they exist, as in a
     * development run: the harder case under a low file limit, where every class loaded late opens a file.
     */
    private static String serverClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> entry.contains("netty") || entry.endsWith("classes") && !entry.endsWith("test-classes")
                        || new File(entry).getName().startsWith("boucle-") && !entry.endsWith("-tests.jar"))
                .map(ServerProcess::classesDirectoryOf)
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code module/target/boucle-module-VERSION.jar} becomes {@code module/target/classes} if that exists. */
    private static String classesDirectoryOf(String entry) {
        File file = new File(entry);
        File classes = new File(file.getParentFile(), "classes");
        return file.getName().startsWith("boucle-") && file.getName().endsWith(".jar") && classes.isDirectory()
                ? classes.getPath() : entry;
    }

    /** Copies the stream's lines into {@code lines}; says the port once a line tells it, or that none will. */
    private void follow(InputStream stream, List<String> lines, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
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

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A blocking client whose connect and reads give up after 10 s. */
    public Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** What the server printed to standard output so far, one entry a line. */
    public List<String> stdout() {
        return List.copyOf(out);
    }

    /** What the server logged to standard error so far, one entry a line. */
    public List<String> stderrLines() {
        return List.copyOf(err);
    }

    /** What the server logged to standard error so far, as text. */
    public String stderr() {
        return String.join("\n", err);
    }

    /** Both outputs, for a failure message. */
    public String output() {
        return "--- stdout\n" + String.join("\n", out) + "\n--- stderr (" + err.size() + " lines)\n"
                + String.join("\n", err.subList(0, Math.min(err.size(), 60)));
    }

    /** User plus system CPU time the server has used, in clock ticks (1/100 s), from {@code /proc/PID/stat}. */
    public long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        // the command name, in parentheses, may hold spaces: the fields restart after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** How many descriptors the server has open, from {@code /proc/PID/fd}. */
    public int openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/" + pid() + "/fd"))) {
            return (int) entries.count();
        }
    }

    /** Sends SIGTERM, as {@code kill PID} or a service manager does. */
    public void terminate() {
        process.destroy();
    }

    /** Sends the signal ({@code TERM}, {@code INT}) with {@code kill}, as a user or a supervisor would. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " worked");
    }

    /** Waits for the exit and returns its status; fails the test if the process still runs after {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        assertTrue(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS),
                "the server still runs " + limit.toMillis() + " ms later:\n" + output());
        return process.exitValue();
    }

    /** {@link #awaitExit(Duration)} within 20 s. */
    public int awaitExit() throws InterruptedException {
        return awaitExit(Duration.ofSeconds(20));
    }

    /** Waits up to {@code millis} for the process to end; whether it ended. */
    public boolean waitForExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
