package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** An example server run as a real process ({@code java boucle.examples.Main COMMAND --port 0}), as a user runs it. */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile(" listening on [^ ]*:(\\d+) ");

    private final Process process;
    private final Path stderr;
    private final int port;

    private ServerProcess(Process process, Path stderr) throws IOException {
        this.process = process;
        this.stderr = stderr;
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        String first = out.readLine(); // "echo server listening on 127.0.0.1:PORT (try: ...)"
        Matcher matcher = LISTENING.matcher(String.valueOf(first));
        assertTrue(matcher.find(), "the server said where it listens: " + first + "; stderr: " + stderr());
        this.port = Integer.parseInt(matcher.group(1));
    }

    /** Starts {@code command} (echo, chat) on a free port. */
    static ServerProcess start(String command) throws IOException {
        return start(command, 0);
    }

    /**
     * The same, under {@code ulimit -n fdLimit} when it is positive. The class path is cut to what
     * the server needs, so that the JVM's own files leave room under a low limit.
     */
    static ServerProcess start(String command, int fdLimit) throws IOException {
        List<String> java = new ArrayList<>(DEFAULT_SIGNALS);
        java.addAll(List.of(javaBinary(), "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "-cp", serverClassPath(), "boucle.examples.Main", command, "--port", "0"));
        List<String> line = fdLimit <= 0 ? java : List.of("sh", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "sh");
        if (fdLimit > 0) {
            line = new ArrayList<>(line);
            line.addAll(java);
        }
        Path stderr = Files.createTempFile("boucle-" + command, ".err");
        stderr.toFile().deleteOnExit();
        Process process = new ProcessBuilder(line).redirectError(stderr.toFile()).start();
        try {
            return new ServerProcess(process, stderr);
        } catch (IOException | RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /**
     * The server starts with SIGINT and SIGTERM at their defaults, as under a terminal, however this
     * JVM was started: a build run as a shell's background job (a script's {@code mvn ... &}) has
     * SIGINT ignored, which a child inherits and the JVM then keeps ignored (see {@link StopSignals}),
     * so the SIGINT tests would only test the launcher. GNU {@code env --default-signal} resets them;
     * where it is missing, the server is started as is.
     */
    private static final List<String> DEFAULT_SIGNALS = defaultSignals();

    private static List<String> defaultSignals() {
        List<String> env = List.of("env", "--default-signal=INT,TERM");
        try {
            Process probe = new ProcessBuilder(concat(env, List.of("true"))).redirectErrorStream(true).start();
            probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0 ? env : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }

    /**
     * The test's class path, without the test tools: the project's classes and Netty. The
     * project's classes come from their directories when they exist, as in a development run:
     * the harder case under a low file limit, where every class loaded late opens a file.
     */
    private static String serverClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
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

    int port() {
        return port;
    }

    /** A blocking client whose reads give up after 10 s. */
    Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends the signal ({@code TERM}, {@code INT}) with {@code kill}, as a user or a supervisor would. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " worked");
    }

    /** Waits (at most 20 s) for the process to end, and returns its exit status. */
    int awaitExit() throws InterruptedException, IOException {
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not exit within 20 s; stderr: " + stderr());
        return process.exitValue();
    }

    /** Waits up to {@code millis} for the process to end; whether it ended. */
    boolean waitForExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What it wrote to stderr so far (its log). */
    String stderr() throws IOException {
        return Files.readString(stderr, UTF_8);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(stderr);
    }
}
