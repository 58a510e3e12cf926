package boucle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives the C load generator ({@code bench/src/main/c/loadgen.c}) in its own process. A run that
 * fails verification (a wrong byte, a lost byte, a closed connection) exits non-zero, and that
 * becomes an {@link IOException} carrying the generator's own explanation.
 */
final class Loadgen {
    private final Path binary;

    Loadgen(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no load generator at " + binary
                    + ": build it with 'gcc -O2 -o bench/target/loadgen bench/src/main/c/loadgen.c' (./boucle bench does)");
        }
        this.binary = binary;
    }

    /** One measured run of {@code scenario} against the server on {@code port}. */
    LoadResult run(Scenario scenario, int port, long serverPid, double warmup, double measure)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port),
                "--connections", Integer.toString(scenario.connections()),
                "--size", Integer.toString(scenario.size()),
                "--inflight", Integer.toString(scenario.inflight()),
                "--warmup", Double.toString(warmup),
                "--duration", Double.toString(measure),
                "--server-pid", Long.toString(serverPid)));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        String errors = new String(process.getErrorStream().readAllBytes());
        if (!process.waitFor((long) (warmup + measure) + 120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("the load generator did not finish: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IOException("load run '" + scenario.name() + "' failed (exit " + process.exitValue() + "): "
                    + errors.strip());
        }
        return LoadResult.parse(output.lines().filter(line -> line.startsWith(LoadResult.PREFIX))
                .findFirst().orElse(null));
    }

    /**
     * Opens {@code connections} connections, echoes one message on each, and holds them open until
     * {@link Idle#close()}. Spreads them over several 127.0.0.x source addresses so the ephemeral
     * port range is never the limit.
     */
    Idle holdIdle(int port, int connections) throws IOException {
        int sources = Math.max(1, Math.min(16, connections / 10_000 + 1));
        Process process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--idle",
                "--connections", Integer.toString(connections), "--sources", Integer.toString(sources))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        String line = out.readLine();
        if (line == null || !line.startsWith("ready")) {
            process.destroyForcibly();
            throw new IOException("the load generator could not open " + connections + " idle connections: " + line);
        }
        return new Idle(process);
    }

    /** Idle connections held open by a load-generator process; closing stdin lets it close them. */
    record Idle(Process process) implements AutoCloseable {
        /** Throws if the generator, and so its connections, went away before the measurement. */
        void requireHeld() throws IOException {
            if (!process.isAlive()) {
                throw new IOException("the load generator holding the idle connections exited with status "
                        + process.exitValue());
            }
        }

        @Override
        public void close() throws IOException {
            process.getOutputStream().close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException interrupted) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
