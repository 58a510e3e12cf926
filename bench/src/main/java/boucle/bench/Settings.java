package boucle.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where things are and how long each run lasts. {@link #full} is the published run, sized so that
 * the whole set takes under ten minutes on two cores; {@link #quick} only checks that every part
 * works end to end.
 *
 * @param root         the project's root directory (holds {@code examples/} and {@code bench/})
 * @param warmupSeconds load-generator warm-up before each measured window, not counted
 * @param measureSeconds the measured window of each load run
 * @param repetitions  runs of each (scenario, server); the report gives the median
 * @param beforeJar    another build's examples jar (say main's), measured as {@value Servers#BOUCLE_BEFORE}
 *                     beside this build in the same run; null: this build only
 */
record Settings(Path root, double warmupSeconds, double measureSeconds, int repetitions,
                int idleConnections, int sleepingTasks, boolean quick, Path beforeJar) {

    /** The JVM flags of every server under test: the same heap, GC and scheduler for all. */
    static final List<String> SERVER_JVM_FLAGS = List.of(
            "-Xms2g", "-Xmx2g", "-XX:+UseG1GC",
            "-Dio.netty.leakDetection.level=disabled",
            // Netty's pools cache buffers up to 32 KiB per thread by default; the 64 KiB reads of the
            // large-message scenario would each take a fresh buffer. The same for every server.
            "-Dio.netty.allocator.maxCachedBufferCapacity=65536",
            // one carrier thread: every server gets the same one-thread budget as Boucle's loop
            "-Djdk.virtualThreadScheduler.parallelism=1");

    static Settings full(Path root) {
        return new Settings(root, 1.0, 2.5, 5, idleConnectionBudget(), 1_000_000, false, null);
    }

    static Settings quick(Path root) {
        return new Settings(root, 0.3, 0.7, 1, 2_000, 100_000, true, null);
    }

    /** The same settings, with {@code jar} measured as the build before (see {@link #beforeJar}). */
    Settings withBeforeJar(Path jar) {
        return new Settings(root, warmupSeconds, measureSeconds, repetitions, idleConnections, sleepingTasks, quick, jar);
    }

    /** Runs of each hardening scenario per server: fewer than {@link #repetitions}, each is longer. */
    int hardeningRepetitions() {
        return quick ? 1 : 3;
    }

    /** Runs of each server in the before/after throughput check, alternating: more, the ratio is tight. */
    int beforeAfterRepetitions() {
        return quick ? 1 : 7;
    }

    Path results() {
        return root.resolve("bench/results");
    }

    /** Raw figures of the latest run and server logs; ignored by git. */
    Path work() {
        return results().resolve("tmp");
    }

    Path loadgen() {
        return root.resolve("bench/target/loadgen");
    }

    Path crowd() {
        return root.resolve("bench/target/crowd");
    }

    Path examplesJar() {
        return root.resolve("examples/target/boucle-examples.jar");
    }

    Path benchJar() {
        return root.resolve("bench/target/boucle-bench.jar");
    }

    Path java() {
        return Path.of(ProcessHandle.current().info().command().orElse("java"));
    }

    Path jcmd() {
        Path beside = java().resolveSibling("jcmd");
        return Files.isExecutable(beside) ? beside : Path.of("jcmd");
    }

    /**
     * 20,000 idle connections as the issue asks, unless the open-files limit (one descriptor per
     * connection in the server, and in the client) is lower: then as many as fit with room for the
     * JVM's own descriptors. The limit is read from /proc, as {@code ulimit -n} set it.
     */
    static int idleConnectionBudget() {
        long limit = OpenFiles.limit();
        return (int) Math.min(20_000, Math.max(1_000, limit - 1_000));
    }
}
