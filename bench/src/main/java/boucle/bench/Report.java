package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code bench/results/REPORT.md} and {@code throughput.png} from the tables the parts of
 * the run saved in {@code bench/results/tmp/}. A hand-written {@code analysis.md} beside the
 * report, if present, is appended: it is where misses are explained with their profiles.
 */
final class Report {
    static final String REPORT = "REPORT.md";
    static final String CHART = "throughput.png";
    static final String ANALYSIS = "analysis.md";

    private final Settings settings;
    private final StringBuilder md = new StringBuilder();

    Report(Settings settings) {
        this.settings = settings;
    }

    Path write() throws IOException {
        Table micro = Table.load(settings.work().resolve(MicroBenchmarks.FILE));
        LoadMedians load = new LoadMedians(Table.load(settings.work().resolve(SocketLoad.FILE)));
        Table tasks = Table.load(settings.work().resolve(TaskMemory.FILE));
        Table classes = Table.load(settings.work().resolve(TaskMemory.CLASSES_FILE));
        Table idle = Table.load(settings.work().resolve(IdleConnections.FILE));
        Table idleClasses = Table.load(settings.work().resolve(IdleConnections.CLASSES_FILE));
        Hardening hardening = Hardening.load(settings.work());
        List<MicroPairs.Pair> pairs = MicroPairs.of(micro);
        header();
        List<Targets.Check> checks = new ArrayList<>(Targets.evaluate(load, pairs, tasks, idle));
        checks.addAll(HardeningTargets.evaluate(hardening));
        targets(checks);
        socketLoad(load);
        new HardeningSection(md, settings).append(hardening);
        microbenchmarks(pairs);
        memory(tasks, classes, idle, idleClasses);
        // the every-core, TLS, Redis and io_uring parts, when they ran (each is its own command)
        for (String every : List.of(LoopsBench.SECTION, LoopsBench.ANALYSIS, TlsLoad.SECTION, TlsLoad.ANALYSIS,
                RedisBench.SECTION, UringReport.SECTION, UringReport.ANALYSIS)) {
            Path section = settings.results().resolve(every);
            if (Files.exists(section)) {
                md.append(Files.readString(section));
            }
        }
        Path analysis = settings.results().resolve(ANALYSIS);
        if (Files.exists(analysis)) {
            md.append("\n").append(Files.readString(analysis).strip()).append("\n");
        }
        Path report = settings.results().resolve(REPORT);
        Files.writeString(report, md);
        return report;
    }

    private void header() throws IOException {
        md.append("# Boucle benchmark report\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append(" |\n");
        md.append("| machine | ").append(Machine.describe()).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| command | `./boucle bench").append(settings.beforeJar() != null ? " --before REF" : "").append('`')
                .append(settings.quick() ? " (`--quick`: a smoke run, figures not meaningful)" : "").append(" |\n");
        md.append("| server JVM flags | `").append(String.join(" ", Settings.SERVER_JVM_FLAGS)).append("` (all servers) |\n");
        md.append("| load generator | `bench/src/main/c/loadgen.c`: C, epoll, one thread, its own process; verifies every byte |\n\n");
        md.append("![Boucle's echo throughput relative to each anchor](").append(CHART).append(")\n\n");
    }

    private void targets(List<Targets.Check> checks) {
        md.append("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        for (Targets.Check check : checks) {
            md.append("| ").append(check.target()).append(" | ").append(check.measured()).append(" | ")
                    .append(check.verdict()).append(" |\n");
        }
        md.append('\n');
    }

    private void socketLoad(LoadMedians load) throws IOException {
        md.append("## Socket load: echo servers\n\n");
        md.append(String.format("Median of %d runs of %.1f s (after %.1f s of warm-up) per scenario and server."
                + " Throughput is messages echoed per second; MiB/s counts one direction. CPU is the server"
                + " process's user+system time over the measured window, per message; its user part is the"
                + " server's own code (the system part is mostly the kernel's TCP work, the same for all).%n%n",
                load.repetitions(), settings.measureSeconds(), settings.warmupSeconds()));
        md.append("| scenario | server | msgs/s | MiB/s | p50 µs | p99 µs | server CPU µs/msg | of which user | generator CPU s |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String scenario : load.scenarios()) {
            for (String server : load.servers()) {
                md.append(String.format("| %s | %s | %,.0f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |%n", scenario, server,
                        load.median(scenario, server, "msgs_per_s"), load.median(scenario, server, "mib_per_s"),
                        load.median(scenario, server, "p50_us"), load.median(scenario, server, "p99_us"),
                        load.median(scenario, server, "server_cpu_us_per_msg"),
                        load.median(scenario, server, "server_user_us_per_msg"),
                        load.median(scenario, server, "client_cpu_s")));
            }
        }
        md.append('\n');
        ratios(load);
    }

    private void ratios(LoadMedians load) throws IOException {
        String subject = load.has(Servers.BOUCLE) ? Servers.BOUCLE : Servers.VIRTUAL_THREADS;
        List<String> anchors = subject.equals(Servers.BOUCLE)
                ? List.of(Servers.NETTY, Servers.VIRTUAL_THREADS) : List.of(Servers.NETTY);
        if (!load.has(Servers.BOUCLE)) {
            md.append("Boucle's `echo` was not available in this run: the ratios below are virtual threads / Netty,"
                    + " a sanity check of the anchors against the figures of the issue.\n\n");
        }
        md.append("| scenario |");
        anchors.forEach(a -> md.append(" ").append(subject).append("/").append(a).append(" msgs/s |"));
        md.append(" CPU/msg vs ").append(Servers.NETTY).append(" | user CPU/msg vs ").append(Servers.NETTY)
                .append(" | p99 vs ").append(Servers.NETTY).append(" |\n|---|");
        anchors.forEach(a -> md.append("---:|"));
        md.append("---:|---:|---:|\n");
        List<RatioChart.Series> series = new ArrayList<>();
        for (String anchor : anchors) {
            series.add(new RatioChart.Series(subject + " / " + anchor,
                    load.scenarios().stream().mapToDouble(s -> load.ratio(s, "msgs_per_s", subject, anchor)).toArray()));
        }
        for (String scenario : load.scenarios()) {
            md.append("| ").append(scenario).append(" |");
            anchors.forEach(a -> md.append(String.format(" %.2fx |", load.ratio(scenario, "msgs_per_s", subject, a))));
            md.append(String.format(" %.2fx | %.2fx | %.2fx |%n",
                    load.ratio(scenario, "server_cpu_us_per_msg", subject, Servers.NETTY),
                    load.ratio(scenario, "server_user_us_per_msg", subject, Servers.NETTY),
                    load.ratio(scenario, "p99_us", subject, Servers.NETTY)));
        }
        md.append('\n');
        RatioChart.write(settings.results().resolve(CHART), "Echo throughput ratio per scenario (" + subject
                + " vs anchors, same run, median)", load.scenarios(), series);
    }

    private void microbenchmarks(List<MicroPairs.Pair> pairs) {
        md.append("## Microbenchmarks (JMH, one fork, average time)\n\n");
        md.append("| benchmark | params | Boucle | ns/op | baseline | ns/op | ratio |\n|---|---|---|---:|---|---:|---:|\n");
        for (MicroPairs.Pair pair : pairs) {
            String error = Double.isNaN(pair.boucleError()) ? "" : String.format(" ± %.1f", pair.boucleError());
            md.append(String.format("| %s | %s | %s | %.1f%s | %s | %.1f | %.2fx |%n", pair.benchmark(), pair.params(),
                    pair.boucleMethod(), pair.boucleNs(), error, pair.baselineMethod(), pair.baselineNs(), pair.ratio()));
        }
        md.append("\nThe ping-pong runs twice: `bouclePingPong` hands over with `Task.park`/`wake`, the"
                + " primitive every wait is built on; `boucleQueuePingPong` through two one-slot `Queue`s.\n\n");
    }

    private void memory(Table tasks, Table classes, Table idle, Table idleClasses) {
        md.append("## Memory and idle CPU\n\n### Sleeping tasks (`").append(TaskMemory.HEAP_LIMIT).append("`)\n\n");
        appendTable(tasks);
        if (!classes.rows().isEmpty()) {
            md.append("\nLargest classes of the live heap with the tasks parked (what a sleeping task is made of):\n\n");
            appendTable(classes);
        }
        md.append("\n### Idle connections\n\nLive heap after a full GC (`jcmd GC.class_histogram`) minus the same"
                + " server's heap with no connection, over the number of connections; RSS likewise (adds native"
                + " memory such as direct buffers and thread stacks); CPU of the server process over 3 s"
                + " while all connections are idle. Each server is warmed with the same 2 s load, then the same"
                + " rehearsal (as many connections opened, served and closed), so that what runs once per"
                + " connection is compiled too, as in a server that has run a while.\n\n");
        appendTable(idle);
        if (!idleClasses.rows().isEmpty()) {
            md.append("\nWhat an idle connection is made of: the classes whose live heap grew most, per connection:\n\n");
            appendTable(idleClasses);
        }
        md.append('\n');
    }

    private void appendTable(Table table) {
        if (table.rows().isEmpty()) {
            md.append("(did not run)\n");
            return;
        }
        md.append("| ").append(String.join(" | ", table.columns())).append(" |\n|");
        table.columns().forEach(c -> md.append("---|"));
        md.append('\n');
        for (Map<String, String> row : table.rows()) {
            md.append("| ").append(String.join(" | ", row.values())).append(" |\n");
        }
    }
}
