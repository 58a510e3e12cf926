package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives the C client of the hardening scenarios ({@code bench/src/main/c/crowd.c}) in its own
 * process: floods and a light client against an echo server, a crowded chat room, a line flood. A
 * run that loses or changes anything exits non-zero, and that becomes an {@link IOException}
 * carrying the client's own explanation. {@code serverPid} is the process whose CPU time and write
 * system calls are read from /proc (0: none).
 */
final class Crowd {
    private final Path binary;

    Crowd(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no crowd client at " + binary + ": build it with"
                    + " 'gcc -O2 -pthread -o bench/target/crowd bench/src/main/c/crowd.c' (./boucle bench does)");
        }
        this.binary = binary;
    }

    /** Two full-duplex floods and a light client pinging every {@code intervalMillis}, timed. */
    LoadResult fairness(int port, long serverPid, int floods, int intervalMillis, double warmup, double measure)
            throws IOException, InterruptedException {
        return run(port, serverPid, (long) (warmup + measure) + 60, "--fairness", "--floods", Integer.toString(floods),
                "--interval-ms", Integer.toString(intervalMillis), "--warmup", Double.toString(warmup),
                "--duration", Double.toString(measure));
    }

    /** {@code members} idle members, then {@code lines} lines from one more, delivered to all. */
    LoadResult chatFanOut(int port, long serverPid, int members, int lines) throws IOException, InterruptedException {
        return run(port, serverPid, 600, "--chat-fanout", "--members", Integer.toString(members), "--lines", Integer.toString(lines));
    }

    /**
     * The same, but the sender joins the chat server on {@code senderPort}, one that shares its room
     * with {@code port}'s (chat --redis): every line crosses from that server to this one.
     */
    LoadResult chatFanOutAcross(int port, int senderPort, long serverPid, int members, int lines)
            throws IOException, InterruptedException {
        return run(port, serverPid, 600, "--chat-fanout", "--members", Integer.toString(members), "--lines",
                Integer.toString(lines), "--sender-port", Integer.toString(senderPort));
    }

    /**
     * {@code members} members read while one more sends a line every {@code intervalMillis} from
     * the server on {@code senderPort} (the members' own if equal); their delivery, timed.
     */
    LoadResult chatPaced(int port, int senderPort, long serverPid, int members, int intervalMillis, double warmup,
            double measure) throws IOException, InterruptedException {
        return run(port, serverPid, (long) (warmup + measure) + 300, "--chat-paced", "--members", Integer.toString(members),
                "--interval-ms", Integer.toString(intervalMillis), "--sender-port", Integer.toString(senderPort),
                "--warmup", Double.toString(warmup), "--duration", Double.toString(measure));
    }

    /** One member floods lines, another sends one every {@code intervalMillis}; their delivery, timed. */
    LoadResult chatFlood(int port, long serverPid, int intervalMillis, double warmup, double measure)
            throws IOException, InterruptedException {
        return run(port, serverPid, (long) (warmup + measure) + 120, "--chat-flood", "--interval-ms", Integer.toString(intervalMillis),
                "--warmup", Double.toString(warmup), "--duration", Double.toString(measure));
    }

    private LoadResult run(int port, long serverPid, long timeoutSeconds, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--server-pid", Long.toString(serverPid)));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        // the error stream is small (one line on failure); read it after the output, which ends at exit
        String output = new String(process.getInputStream().readAllBytes());
        String errors = new String(process.getErrorStream().readAllBytes());
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("the crowd client did not finish: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IOException(arguments[0] + " against port " + port + " failed (exit " + process.exitValue() + "): "
                    + errors.strip());
        }
        return LoadResult.parse(output.lines().filter(line -> line.startsWith(LoadResult.PREFIX))
                .findFirst().orElse(null));
    }
}
