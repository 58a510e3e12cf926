package boucle.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests: started on a free loopback port in a temporary directory,
 * with persistence off (no RDB snapshot, no append-only file), and stopped by {@link #close()}.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *     RedisClient client = RedisClient.connect(RedisUri.parse(redis.uri()), RedisOptions.defaults());
 *     ...
 *     redis.kill();      // SIGKILL: the clients see the connection die
 *     redis.restart();   // the same port again, an empty data set
 * }
 * }</pre>
 *
 * {@code redis-server} comes from the distribution's packages: {@code ./boucle test} installs it
 * when it is missing. Without it, {@link #start()} fails saying so.
 *
 * <p>Faults: {@link #kill()} (SIGKILL, the connections die without a goodbye), {@link #stop()}
 * (SIGTERM, Redis closes them itself), {@link #pause()} and {@link #resume()} (SIGSTOP and SIGCONT:
 * connections stay open and nothing answers), {@link #restart()} on the same port.
 *
 * <p>Threads: one thread at a time; it blocks (process start and stop), so never call it from a
 * loop's thread while the loop has other work: from a test's own task it is fine, as the test
 * waits for the server anyway, but nothing else on that loop runs meanwhile.
 */
public final class RedisServerProcess implements AutoCloseable {
    /** The command run; on the {@code PATH}. */
    static final String COMMAND = "redis-server";
    /** How long a start, stop or restart may take before it fails. */
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(20);
    /** Lines of the server's log kept for error messages. */
    private static final int LOG_LINES = 40;
    /** Fresh ports tried when the one picked was taken between picking and binding. */
    private static final int PORT_ATTEMPTS = 5;

    private final Path directory;
    private final int port;
    private final List<String> extraArguments;
    private Process process;
    private final ArrayDeque<String> log = new ArrayDeque<>();

    private RedisServerProcess(Path directory, int port, List<String> extraArguments) {
        this.directory = directory;
        this.port = port;
        this.extraArguments = extraArguments;
    }

    /** Starts a {@code redis-server} on a free port of 127.0.0.1 and returns once it accepts connections. */
    public static RedisServerProcess start() throws IOException {
        return start(List.of());
    }

    /**
     * Like {@link #start()}, with more {@code redis-server} options, given as on its command line
     * (for example {@code List.of("--maxmemory", "1mb")}); they come after the kit's own.
     */
    public static RedisServerProcess start(List<String> options) throws IOException {
        requireInstalled();
        Path directory = Files.createTempDirectory("boucle-redis-");
        IOException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            RedisServerProcess redis = new RedisServerProcess(directory, freePort(), List.copyOf(options));
            try {
                redis.launch();
                return redis;
            } catch (PortTakenException taken) { // another process bound the port between our look and Redis's bind
                last = taken;
            } catch (IOException | RuntimeException e) {
                deleteQuietly(directory);
                throw e;
            }
        }
        deleteQuietly(directory);
        throw new IOException("redis-server found no free port in " + PORT_ATTEMPTS + " attempts", last);
    }

    /** Fails with a message that says what to do when {@code redis-server} is not installed. */
    private static void requireInstalled() throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, COMMAND))) {
                return;
            }
        }
        throw new IOException(COMMAND + " is not installed (not on the PATH): run ./boucle test, which installs it"
                + " (or apt-get install redis-server)");
    }

    /** A port nothing listens on now; the kernel may still hand it to someone else before Redis binds it. */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The URI clients connect with: {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The address it listens on (127.0.0.1 and its port, which restarts keep). */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public int port() {
        return port;
    }

    /** Whether the server process is alive (a paused one is). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server's process id; it fails when the server is not running. */
    public long pid() {
        requireRunning("pid");
        return process.pid();
    }

    /** SIGTERM, and waits until the process is gone: Redis closes its connections itself. */
    public void stop() throws IOException {
        if (isRunning()) {
            resumeIfPaused();
            process.destroy();
            awaitExit();
        }
    }

    /** SIGKILL, and waits until the process is gone: connections die as when a machine fails. */
    public void kill() throws IOException {
        if (isRunning()) {
            process.destroyForcibly();
            awaitExit();
        }
    }

    /** SIGSTOP: the server stops answering while its connections stay open, as a stalled Redis does. */
    public void pause() throws IOException {
        requireRunning("pause");
        signal("STOP");
    }

    /** SIGCONT: a paused server goes on and answers what was sent to it meanwhile. */
    public void resume() throws IOException {
        requireRunning("resume");
        signal("CONT");
    }

    /**
     * Starts the server again on the same port, with an empty data set, after stopping it if it
     * still runs (SIGTERM); returns once it accepts connections.
     */
    public void restart() throws IOException {
        stop();
        launch();
    }

    /** The last lines the server wrote to its log, for a failing test's message. */
    public String logTail() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** Kills the server if it still runs and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            kill();
        } finally {
            deleteQuietly(directory);
        }
    }

    @Override
    public String toString() {
        return "RedisServerProcess[" + uri() + (isRunning() ? ", pid " + process.pid() : ", not running") + "]";
    }

    // ---- the process ---------------------------------------------------------------------------

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(COMMAND,
                "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--dir", directory.toString(),
                "--save", "", "--appendonly", "no",           // no persistence: a restart starts empty
                "--daemonize", "no", "--logfile", "",         // logs to standard output, read below
                "--protected-mode", "no"));
        command.addAll(extraArguments);
        synchronized (log) {
            log.clear();
        }
        Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
        process = started;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> readLog(started, ready), "redis-server log :" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException exited) {
            awaitExit();
            String tail = logTail();
            if (tail.contains("Address already in use")) {
                throw new PortTakenException("redis-server could not bind port " + port + ":\n" + tail);
            }
            throw new IOException("redis-server exited before it accepted connections:\n" + tail);
        } catch (TimeoutException late) {
            started.destroyForcibly();
            throw new IOException("redis-server did not accept connections within " + PROCESS_TIMEOUT.toSeconds()
                    + " s:\n" + logTail());
        } catch (InterruptedException interrupted) {
            started.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while redis-server started", interrupted);
        }
    }

    /** On the reader thread: keeps the log's tail and completes {@code ready} at Redis's ready line. */
    private void readLog(Process source, CompletableFuture<Void> ready) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(source.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                synchronized (log) {
                    if (log.size() == LOG_LINES) {
                        log.removeFirst();
                    }
                    log.addLast(line);
                }
                if (line.contains("Ready to accept connections")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the stream ends with the process; nothing to report beyond the exit below
        }
        ready.completeExceptionally(new IOException("redis-server exited"));
    }

    private void awaitExit() throws IOException {
        try {
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("redis-server (pid " + process.pid() + ") did not exit within "
                        + PROCESS_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis-server to exit", e);
        }
    }

    /** A stopped process ignores SIGTERM until it is continued. */
    private void resumeIfPaused() throws IOException {
        signal("CONT");
    }

    private void signal(String name) throws IOException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        try {
            if (!kill.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling redis-server", e);
        }
    }

    private void requireRunning(String what) {
        if (!isRunning()) {
            throw new IllegalStateException("cannot " + what + ": " + this);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is not worth failing a test over
        }
    }

    /** The port was taken between choosing it and Redis binding it: try another. */
    private static final class PortTakenException extends IOException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
