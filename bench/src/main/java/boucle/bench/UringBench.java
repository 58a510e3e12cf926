package boucle.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The io_uring comparison ({@code uring} part, issue 13), in one run on one machine:
 * <ol>
 *   <li>echo load: the five {@link UringServers} under the five {@link Scenario#ALL}, every server
 *       in every round (servers alternate, rounds repeat), medians of msgs/s, server CPU per
 *       message ({@code /proc/PID/stat}) and p99 latency;</li>
 *   <li>system calls per message: each server under each scenario once more, its calls counted
 *       by {@link SyscallCount} over a window inside the load run;</li>
 *   <li>profiles: a JFR recording of the JVM servers on io_uring (and Boucle's NIO) under
 *       100 × 64 B, for the reasons of what the targets miss;</li>
 *   <li>heap per idle connection of the four JVM servers ({@link IdleConnections}).</li>
 * </ol>
 * The tables go to {@code bench/results/tmp/uring-*.tsv}; {@link UringReport} turns them into
 * {@code bench/results/uring.md} and its chart.
 */
final class UringBench {
    static final String LOAD_FILE = "uring-load.tsv";
    static final String SYSCALLS_FILE = "uring-syscalls.tsv";
    static final String PROFILE_FILE = "uring-profile.tsv";
    static final String IDLE_FILE = "uring-idle.tsv";
    static final String IDLE_CLASSES_FILE = "uring-idle-classes.tsv";
    static final String RUN_FILE = "uring-run.tsv";
    static final List<String> METRICS = List.of("msgs_per_s", "p50_us", "p99_us", "server_cpu_us_per_msg",
            "server_user_us_per_msg");
    /** The scenario the profiles are taken under: the issue's first throughput target. */
    static final Scenario PROFILED = Scenario.ALL.get(1);
    private static final int TOP_FRAMES = 12;

    private final Settings settings;
    private final Loadgen loadgen;
    private final Table run = new Table("key", "value");
    private final List<String> failures = new ArrayList<>();

    UringBench(Settings settings) {
        this.settings = settings;
        this.loadgen = new Loadgen(settings.loadgen());
    }

    int repetitions() {
        return settings.quick() ? 1 : 3;
    }

    /**
     * Runs every phase and writes the section; returns how many measurements failed (a lost byte, a
     * server that stopped answering). A failure is recorded and reported, and the run goes on with
     * the other servers, so that one broken server does not hide the figures of the rest.
     */
    int run() throws IOException, InterruptedException {
        UringServers servers = UringServers.of(settings);
        List<String> names = new ArrayList<>();
        run.add("load_average_start", Machine.loadAverage());
        run.add("boucle_backend_option", servers.boucleHasBackend());
        // the shaded jar keeps one netty jar's version file: all are at the pom's one version
        run.add("netty_version", io.netty.util.Version.identify().values().stream()
                .map(io.netty.util.Version::artifactVersion).findFirst().orElse("?"));
        run.add("repetitions", repetitions());
        run.add("warmup_s", settings.warmupSeconds());
        run.add("measure_s", settings.measureSeconds());
        List<ServerProcess> running = new ArrayList<>();
        try {
            for (String name : UringServers.ALL) {
                try {
                    running.add(servers.start(name));
                    names.add(name);
                } catch (IOException noRing) {
                    if (!name.equals(UringServers.BOUCLE_URING)) {
                        throw noRing;
                    }
                    // a build from before the io_uring backend: the anchors are still worth measuring
                    run.add("boucle_io_uring_missing", noRing.getMessage().replace('\n', ' '));
                    System.err.println("bench: Boucle on io_uring is not measured: " + noRing.getMessage());
                }
            }
            load(running);
            syscalls(running);
            profiles(running);
        } finally {
            running.forEach(ServerProcess::close);
        }
        idle(servers, names);
        run.add("load_average_end", Machine.loadAverage());
        for (int i = 0; i < failures.size(); i++) {
            run.add("failure_" + (i + 1), failures.get(i));
        }
        run.save(settings.work().resolve(RUN_FILE));
        new UringReport(settings).write();
        failures.forEach(failure -> System.err.println("bench: uring: FAILED " + failure));
        return failures.size();
    }

    /** Records a failed measurement: what ran, on which server, and the failure's own words. */
    private void failed(String what, String server, Exception failure) {
        String text = (what + " on " + server + ": " + failure.getMessage()).replaceAll("[\\t\\n]+", " ");
        failures.add(text);
        System.err.println("bench: uring: " + text);
    }

    private void load(List<ServerProcess> servers) throws IOException, InterruptedException {
        List<String> columns = new ArrayList<>(List.of("scenario", "server", "repetition"));
        columns.addAll(METRICS);
        Table table = new Table(columns.toArray(String[]::new));
        for (ServerProcess server : servers) { // the same JIT warm-up for every server, the C one included
            try {
                loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 0.5 : 3);
            } catch (IOException failure) {
                failed("the warm-up", server.name(), failure);
            }
        }
        for (Scenario scenario : Scenario.ALL) {
            for (int repetition = 1; repetition <= repetitions(); repetition++) {
                for (ServerProcess server : servers) {
                    LoadResult result;
                    try {
                        result = loadgen.run(scenario, server.port(), server.pid(),
                                settings.warmupSeconds(), settings.measureSeconds());
                    } catch (IOException failure) {
                        failed(scenario.name() + " #" + repetition, server.name(), failure);
                        continue;
                    }
                    List<Object> row = new ArrayList<>(List.of(scenario.name(), server.name(), repetition));
                    METRICS.forEach(metric -> row.add(result.get(metric)));
                    table.add(row.toArray());
                    System.out.printf(Locale.ROOT, "  %-32s %-16s #%d %,10.0f msgs/s  p99 %8.1f us  server %.2f us/msg%n",
                            scenario.name(), server.name(), repetition, result.get("msgs_per_s"), result.get("p99_us"),
                            result.get("server_cpu_us_per_msg"));
                    table.save(settings.work().resolve(LOAD_FILE)); // a failure later keeps what was measured
                }
            }
        }
    }

    private void syscalls(List<ServerProcess> servers) throws IOException, InterruptedException {
        SyscallCount.Tool tool = SyscallCount.tool();
        run.add("syscall_tool", tool.name());
        List<String> columns = new ArrayList<>(List.of("scenario", "server", "msgs_per_s", "window_s", "calls_per_msg"));
        SyscallCount.NAMED.forEach(name -> columns.add(name + "_per_msg"));
        SyscallCount.RING_EVENTS.forEach(name -> columns.add(name + "_per_msg"));
        Table table = new Table(columns.toArray(String[]::new));
        double warmup = settings.quick() ? 0.5 : 1.0;
        double measure = settings.quick() ? 1.5 : 3.0;
        double window = measure - 0.6; // inside the load generator's window, 0.3 s clear of each end
        for (Scenario scenario : Scenario.ALL) {
            for (ServerProcess server : servers) {
                CompletableFuture<Map<String, Long>> counting = CompletableFuture.supplyAsync(() -> {
                    try {
                        Thread.sleep((long) ((warmup + 0.3) * 1000)); // start counting inside the measured window
                        return tool.count(server.pid(), window);
                    } catch (IOException | InterruptedException failure) {
                        throw new IllegalStateException(failure);
                    }
                });
                LoadResult result;
                Map<String, Long> calls;
                try {
                    result = loadgen.run(scenario, server.port(), server.pid(), warmup, measure);
                    calls = join(counting);
                } catch (IOException failure) {
                    counting.cancel(false);
                    failed("counting system calls under " + scenario.name(), server.name(), failure);
                    continue;
                }
                double messages = result.get("msgs_per_s") * window;
                List<Object> row = new ArrayList<>(List.of(scenario.name(), server.name(),
                        String.format(Locale.ROOT, "%.0f", result.get("msgs_per_s")), window,
                        perMessage(calls.get(SyscallCount.TOTAL), messages)));
                SyscallCount.NAMED.forEach(name -> row.add(perMessage(calls.getOrDefault(name, 0L), messages)));
                // NaN where the tool cannot see the ring (strace)
                SyscallCount.RING_EVENTS.forEach(name -> row.add(calls.containsKey("ring:" + name)
                        ? perMessage(calls.get("ring:" + name), messages) : "NaN"));
                table.add(row.toArray());
                System.out.printf(Locale.ROOT, "  %-32s %-16s %.3f system calls/msg%n", scenario.name(), server.name(),
                        calls.get(SyscallCount.TOTAL) / messages);
            }
        }
        table.save(settings.work().resolve(SYSCALLS_FILE));
    }

    private static String perMessage(long calls, double messages) {
        return String.format(Locale.ROOT, "%.4f", calls / messages);
    }

    private static Map<String, Long> join(CompletableFuture<Map<String, Long>> counting)
            throws IOException, InterruptedException {
        try {
            return counting.get();
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause().getCause() != null ? failed.getCause().getCause() : failed.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IOException("counting system calls failed: " + cause.getMessage(), cause);
        }
    }

    private void profiles(List<ServerProcess> servers) throws IOException, InterruptedException {
        Table table = new Table("server", "frame", "samples");
        for (ServerProcess server : servers) {
            if (server.name().equals(UringServers.C_EPOLL) || server.name().equals(UringServers.NETTY_NIO)) {
                continue; // not a JVM, or not what the targets are measured against
            }
            ExecutionProfile profile;
            try (ExecutionProfile.Recording recording = ExecutionProfile.start(settings.jcmd(), server.pid(),
                    settings.work().resolve(server.name() + ".jfr"))) {
                loadgen.run(PROFILED, server.port(), server.pid(), 0.5, settings.quick() ? 1 : 4);
                profile = recording.stop();
            } catch (IOException failure) {
                failed("the profile", server.name(), failure);
                continue;
            }
            table.add(server.name(), "(execution samples: threads in Java)", profile.javaSamples());
            table.add(server.name(), "(native-method samples: threads in native code)", profile.nativeSamples());
            profile.topFrames().entrySet().stream().limit(TOP_FRAMES)
                    .forEach(frame -> table.add(server.name(), frame.getKey(), frame.getValue()));
            System.out.printf(Locale.ROOT, "  profile %-16s %d Java samples, %d native; top: %s%n", server.name(),
                    profile.javaSamples(), profile.nativeSamples(),
                    profile.topFrames().keySet().stream().limit(3).toList());
        }
        table.save(settings.work().resolve(PROFILE_FILE));
    }

    private void idle(UringServers servers, List<String> names) throws IOException, InterruptedException {
        Table table = IdleConnections.newTable();
        Table classes = IdleConnections.newClassesTable();
        IdleConnections idle = new IdleConnections(settings);
        for (String name : names) {
            if (!name.equals(UringServers.C_EPOLL)) { // a heap histogram needs a JVM
                try {
                    idle.measure(table, classes, name, servers::start);
                } catch (IOException failure) {
                    failed("the idle connections", name, failure);
                }
            }
        }
        table.save(settings.work().resolve(IDLE_FILE));
        classes.save(settings.work().resolve(IDLE_CLASSES_FILE));
    }
}
