package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code bench/results/uring.md} and {@code uring.png} from the tables of the last
 * {@link UringBench} run, and puts the section into {@code REPORT.md} in place of the previous one
 * (the rest of the report is left as it is: this part can run alone). A hand-written
 * {@value #ANALYSIS} beside it, if present, follows the figures in the report.
 */
final class UringReport {
    static final String SECTION = "uring.md";
    static final String CHART = "uring.png";
    /** Hand-written: what the figures mean and why a target is missed, from the profiles. */
    static final String ANALYSIS = "uring-analysis.md";
    static final String HEADING = "## io_uring:";
    /** The bound on the heap of an idle connection, the NIO path's figure. */
    static final long IDLE_HEAP_BOUND = 2048;

    private static final String BU = UringServers.BOUCLE_URING;
    private static final String BN = UringServers.BOUCLE_NIO;
    private static final String NU = UringServers.NETTY_URING;
    private static final String NN = UringServers.NETTY_NIO;

    private final Settings settings;
    private final StringBuilder md = new StringBuilder();

    UringReport(Settings settings) {
        this.settings = settings;
    }

    void write() throws IOException {
        Path work = settings.work();
        LoadMedians load = new LoadMedians(Table.load(work.resolve(UringBench.LOAD_FILE)), UringBench.METRICS);
        Table syscalls = Table.load(work.resolve(UringBench.SYSCALLS_FILE));
        Table profile = Table.load(work.resolve(UringBench.PROFILE_FILE));
        Table idle = Table.load(work.resolve(UringBench.IDLE_FILE));
        Table idleClasses = Table.load(work.resolve(UringBench.IDLE_CLASSES_FILE));
        Map<String, String> run = new LinkedHashMap<>();
        Table.load(work.resolve(UringBench.RUN_FILE)).rows().forEach(row -> run.put(row.get("key"), row.get("value")));
        header(load, run);
        new UringTargets(load, syscalls, profile, idle).appendTo(md);
        throughput(load);
        syscalls(syscalls, run);
        idle(idle, idleClasses);
        profiles(load, profile);
        md.append("\n![io_uring echo ratios](").append(CHART).append(")\n");
        Path results = settings.results();
        Files.createDirectories(results);
        Files.writeString(results.resolve(SECTION), md);
        chart(load, results.resolve(CHART));
        splice(results);
        System.out.print(md);
    }

    private void header(LoadMedians load, Map<String, String> run) {
        md.append("\n").append(HEADING).append(" Boucle on io_uring and NIO, Netty on io_uring and NIO, a C epoll server\n\n");
        md.append("`./boucle bench uring` (").append(Machine.describe()).append("; 1-minute load average ")
                .append(run.getOrDefault("load_average_start", "?")).append(" at the start, ")
                .append(run.getOrDefault("load_average_end", "?")).append(" at the end; medians of ")
                .append(load.repetitions()).append(" rounds of ").append(run.getOrDefault("warmup_s", "?"))
                .append(" s warm-up + ").append(run.getOrDefault("measure_s", "?"))
                .append(" s measured per scenario and server, the five servers alternating within each round).")
                .append(" One thread each: Boucle `echo --loops 1 --backend io_uring|nio`; Netty ")
                .append(run.getOrDefault("netty_version", "?"))
                .append(" echo (`NettyEchoServer`) on one event loop, `IoUringIoHandler` or `NioIoHandler`;")
                .append(" `bench/src/main/c/epoll_echo.c` (level-triggered epoll, one read and one write per")
                .append(" readiness). Every JVM: `").append(String.join(" ", Settings.SERVER_JVM_FLAGS))
                .append(" --enable-native-access=ALL-UNNAMED`. Each server is checked to hold an io_uring")
                .append(" instance (or none) before it is measured. Server CPU is user + system time of the")
                .append(" server process over the window (`/proc/PID/stat`), per message.\n\n");
        List<String> failures = run.entrySet().stream().filter(e -> e.getKey().startsWith("failure_"))
                .map(Map.Entry::getValue).toList();
        if (!failures.isEmpty()) {
            md.append("**").append(failures.size()).append(" measurement(s) FAILED in this run** (left out of the"
                    + " medians below):\n\n");
            failures.forEach(failure -> md.append("- ").append(failure).append('\n'));
            md.append('\n');
        }
        if (run.containsKey("boucle_io_uring_missing")) {
            md.append("**Boucle on io_uring was not measured**: ").append(run.get("boucle_io_uring_missing"))
                    .append(".\n\n");
        }
    }

    private void throughput(LoadMedians load) {
        md.append("\n### Echo: throughput, server CPU, latency\n\n");
        md.append("| scenario | server | msgs/s | vs Netty NIO | vs Netty io_uring | server CPU µs/msg | of which kernel | p99 µs |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String scenario : load.scenarios()) {
            for (String server : load.servers()) {
                double cpu = load.median(scenario, server, "server_cpu_us_per_msg");
                double user = load.median(scenario, server, "server_user_us_per_msg");
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2fx | %.2fx | %.2f | %.0f%% | %.0f |%n",
                        scenario, server, load.median(scenario, server, "msgs_per_s"),
                        load.ratio(scenario, "msgs_per_s", server, NN), load.ratio(scenario, "msgs_per_s", server, NU),
                        cpu, 100 * (cpu - user) / cpu, load.median(scenario, server, "p99_us")));
            }
        }
    }

    private void syscalls(Table syscalls, Map<String, String> run) {
        md.append("\n### System calls per message\n\nCounted with ").append(run.getOrDefault("syscall_tool", "?"))
                .append(", every thread of the server, over a window inside one more load run of each scenario;")
                .append(" divided by that run's messages in the window. `recv`/`send` include `read`/`write`,")
                .append(" `recvfrom`/`sendto` and their vector forms; `wait` is `epoll_wait`/`epoll_pwait`;")
                .append(" the rest is mostly the JVM's own (`futex`: its threads waking one another).")
                .append(" The ring columns are the kernel's io_uring tracepoints (perf only): requests submitted,")
                .append(" requests handed to the kernel's io-wq worker threads (an operation that could not run")
                .append(" inline), and polls armed by a receive that found no data.\n\n");
        md.append("| scenario | server | all calls/msg | recv | send | wait | io_uring_enter | epoll_ctl | futex"
                + " | ring requests | to io-wq | polls armed |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, String> row : syscalls.rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.4f | %.4f | %.4f | %.4f"
                            + " | %.3f | %.4f | %.3f |%n",
                    row.get("scenario"), row.get("server"), value(row, "calls_per_msg"),
                    sum(row, "read", "readv", "recvfrom", "recvmsg"), sum(row, "write", "writev", "sendto", "sendmsg"),
                    sum(row, "epoll_wait", "epoll_pwait"), sum(row, "io_uring_enter"), sum(row, "epoll_ctl"),
                    sum(row, "futex"), sum(row, "io_uring_submit_req"), sum(row, "io_uring_queue_async_work"),
                    sum(row, "io_uring_poll_arm")));
        }
        if (syscalls.rows().isEmpty()) {
            md.append("| (did not run) | | | | | | | | | | | |\n");
        }
    }

    static double value(Map<String, String> row, String column) {
        String text = row.get(column);
        return text == null ? Double.NaN : Double.parseDouble(text);
    }

    private static double sum(Map<String, String> row, String... calls) {
        double total = 0;
        for (String call : calls) {
            total += value(row, call + "_per_msg");
        }
        return total;
    }

    private void idle(Table idle, Table classes) {
        md.append("\n### Heap per idle connection\n\nLive heap after a full GC with N idle connections (each has echoed"
                + " one message), minus the same server's with none, over N; RSS likewise; CPU over 3 s of idleness.\n\n");
        md.append("| server | connections | heap B/conn | RSS B/conn | idle CPU ms |\n|---|---:|---:|---:|---:|\n");
        for (Map<String, String> row : idle.rows()) {
            md.append("| ").append(row.get("server")).append(" | ").append(row.get("connections")).append(" | ")
                    .append(row.get("heap_bytes_per_conn")).append(" | ").append(row.get("rss_bytes_per_conn"))
                    .append(" | ").append(row.get("idle_cpu_ms")).append(" |\n");
        }
        List<Map<String, String>> boucle = classes.rows().stream()
                .filter(row -> row.get("server").startsWith("boucle-")).toList();
        if (!boucle.isEmpty()) {
            md.append("\nWhat a Boucle idle connection is made of, per backend (classes that grew most, per connection):\n\n");
            md.append("| server | class | instances | bytes |\n|---|---|---:|---:|\n");
            for (Map<String, String> row : boucle) {
                md.append("| ").append(row.get("server")).append(" | `").append(row.get("class")).append("` | ")
                        .append(row.get("instances_per_conn")).append(" | ").append(row.get("bytes_per_conn")).append(" |\n");
            }
        }
    }

    private void profiles(LoadMedians load, Table profile) {
        if (profile.rows().isEmpty()) {
            return;
        }
        String scenario = UringBench.PROFILED.name();
        md.append("\n### Profiles under ").append(scenario).append("\n\nJFR (`settings=profile`) while the load ran:"
                + " execution samples by top frame (the user part of the CPU); the kernel's part of each server's CPU"
                + " is from the table above.\n\n");
        List<String> servers = profile.rows().stream().map(row -> row.get("server")).distinct().toList();
        for (String server : servers) {
            List<Map<String, String>> rows = profile.rows().stream().filter(row -> row.get("server").equals(server)).toList();
            double javaSamples = Double.parseDouble(rows.get(0).get("samples"));
            double cpu = load.median(scenario, server, "server_cpu_us_per_msg");
            double user = load.median(scenario, server, "server_user_us_per_msg");
            md.append(String.format(Locale.ROOT, "**%s**: %.2f µs CPU/msg, %.0f%% in the kernel; %s Java samples, %s native."
                    + " Top frames:%n%n", server, cpu, 100 * (cpu - user) / cpu, rows.get(0).get("samples"),
                    rows.get(1).get("samples")));
            md.append("| frame | share of Java samples |\n|---|---:|\n");
            for (Map<String, String> row : rows.subList(2, rows.size())) {
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f%% |%n", row.get("frame"),
                        100 * Double.parseDouble(row.get("samples")) / javaSamples));
            }
            md.append('\n');
        }
    }

    private void chart(LoadMedians load, Path file) throws IOException {
        List<String> scenarios = load.scenarios();
        List<RatioChart.Series> series = new ArrayList<>();
        series.add(new RatioChart.Series("Boucle io_uring / Netty io_uring",
                scenarios.stream().mapToDouble(s -> load.ratio(s, "msgs_per_s", BU, NU)).toArray()));
        series.add(new RatioChart.Series("Boucle io_uring / Netty NIO",
                scenarios.stream().mapToDouble(s -> load.ratio(s, "msgs_per_s", BU, NN)).toArray()));
        series.add(new RatioChart.Series("Boucle NIO / Netty NIO",
                scenarios.stream().mapToDouble(s -> load.ratio(s, "msgs_per_s", BN, NN)).toArray()));
        RatioChart.write(file, "Echo msgs/s on io_uring, one thread each, ratios (1.0 = the anchor)", scenarios, series);
    }

    /** Replaces the report's io_uring section (up to the next top-level section) or appends it. */
    private void splice(Path results) throws IOException {
        Path report = results.resolve(Report.REPORT);
        String section = md.toString() + analysis(results);
        String text = Files.exists(report) ? Files.readString(report) : "";
        int start = text.indexOf("\n" + HEADING);
        if (start < 0) {
            text = text.stripTrailing() + "\n" + section;
        } else {
            int end = text.indexOf("\n## ", start + 1);
            text = text.substring(0, start) + section + (end < 0 ? "" : text.substring(end));
        }
        Files.writeString(report, text);
    }

    /** The hand-written reading of the figures, or nothing. */
    static String analysis(Path results) throws IOException {
        Path analysis = results.resolve(ANALYSIS);
        return Files.exists(analysis) ? "\n" + Files.readString(analysis).strip() + "\n" : "";
    }
}
