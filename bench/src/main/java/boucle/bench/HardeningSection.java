package boucle.bench;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The report's "Hardening" section: the tables of {@link Fairness}, {@link ChatLoad} and
 * {@link BeforeAfter}, medians with the spread of the runs behind them, and ratios to the anchor
 * measured in the same run.
 */
final class HardeningSection {
    private final StringBuilder md;
    private final Settings settings;

    HardeningSection(StringBuilder md, Settings settings) {
        this.md = md;
        this.settings = settings;
    }

    void append(Hardening figures) throws java.io.IOException {
        md.append("## Hardening\n\n");
        md.append("Hostile and crowded clients (`bench/src/main/c/crowd.c`, C, its own process; it fails the run if a"
                + " byte or a line is lost, changed or reordered). `boucle-before` is the same server from another"
                + " build (`--before REF`), run beside this one in the same session. Each table gives medians over"
                + " the runs, the range of the runs behind the key figure, and ratios to the anchor of the same run.\n\n");
        fairness(figures.fairness());
        fanOut(figures.fanOut());
        flood(figures.flood());
        beforeAfter(figures.beforeAfter());
        failures();
    }

    private void failures() throws java.io.IOException {
        List<String> failed = new java.util.ArrayList<>(RunFailures.load(settings.work().resolve(Fairness.FAILURES_FILE)));
        failed.addAll(RunFailures.load(settings.work().resolve(ChatLoad.FAILURES_FILE)));
        if (!failed.isEmpty()) {
            md.append("Runs that failed (not in the medians above):\n\n");
            failed.forEach(failure -> md.append("- ").append(failure).append('\n'));
            md.append('\n');
        }
    }

    private void fairness(LoadMedians m) {
        md.append("### Echo: a light client while two clients flood\n\n");
        md.append(String.format("Two clients write as fast as they can and read everything back (full duplex, like"
                + " `socat TCP:127.0.0.1:P - </dev/zero >/dev/null`); a light client sends a 5-byte ping every %d ms"
                + " and times its echo (its own thread, blocking socket). Median of %d runs of %.0f s after %.1f s of"
                + " floods.%n%n", Fairness.PING_INTERVAL_MILLIS, m.repetitions(), Fairness.measureSeconds(settings),
                settings.warmupSeconds()));
        if (empty(m)) {
            return;
        }
        md.append("| server | pings | light p50 µs | light p99 µs | p99 of each run µs | max µs | floods MiB/s | server CPU s"
                + " | p50 vs netty-nio | p99 vs netty-nio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String server : m.servers()) {
            md.append(String.format("| %s | %.0f | %.0f | %.0f | %s | %.0f | %.0f | %.2f | %.2fx | %.2fx |%n", server,
                    med(m, server, "pings"), med(m, server, "p50_us"), med(m, server, "p99_us"),
                    Hardening.range(m, Hardening.ONLY, server, "p99_us", 1, "%.0f"), med(m, server, "max_us"),
                    med(m, server, "flood_mib_per_s"), med(m, server, "server_cpu_s"),
                    m.ratio(Hardening.ONLY, "p50_us", server, Servers.NETTY), m.ratio(Hardening.ONLY, "p99_us", server, Servers.NETTY)));
        }
        load(m);
    }

    private void fanOut(LoadMedians m) {
        md.append("### Chat: fan-out to a crowded room\n\n");
        md.append(String.format("%,d idle members join the room and read; once it is quiet, one more member sends %d"
                + " lines back to back (one `send` each), and every member must get every line. Server write system"
                + " calls (`syscw` of `/proc/PID/io`) and CPU time (`/proc/PID/stat`) from the first send to the last"
                + " delivery; delivery latency from send to receipt at every member. A fresh server per run; median of"
                + " %d runs. The Netty chat anchor (`NettyChatServer`, one event-loop thread) `write`s to each member"
                + " and `flush`es each once per read burst.%n%n",
                ChatLoad.members(settings), ChatLoad.lines(settings), m.repetitions()));
        if (empty(m)) {
            return;
        }
        md.append("| server | write calls / line / member | server CPU s | delivery p50 ms | delivery p99 ms | p99 of each run ms"
                + " | CPU vs netty-chat | p99 vs netty-chat |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String server : m.servers()) {
            md.append(String.format("| %s | %.3f | %.2f | %.1f | %.1f | %s | %.2fx | %.2fx |%n", server,
                    med(m, server, "writes_per_line_per_member"), med(m, server, "server_cpu_s"),
                    med(m, server, "p50_us") / 1e3, med(m, server, "p99_us") / 1e3,
                    Hardening.range(m, Hardening.ONLY, server, "p99_us", 1e-3, "%.0f"),
                    m.ratio(Hardening.ONLY, "server_cpu_s", server, Servers.NETTY_CHAT),
                    m.ratio(Hardening.ONLY, "p99_us", server, Servers.NETTY_CHAT)));
        }
        load(m);
    }

    private void flood(LoadMedians m) {
        md.append("### Chat: a normal line during a line flood\n\n");
        md.append(String.format("One member writes 64-byte lines as fast as the server takes them; another sends a"
                + " normal line every %d ms; a third only reads. The normal lines' delivery latency at the reader"
                + " (behind whatever flood lines were queued for it first; the bar applies here) and at the flooder"
                + " (which gets no flood: the server's scheduling alone). A fresh server per run; median of %d runs of %.0f s after %.1f s of flood.%n%n",
                ChatLoad.NORMAL_INTERVAL_MILLIS, m.repetitions(), ChatLoad.floodSeconds(settings), settings.warmupSeconds()));
        if (empty(m)) {
            return;
        }
        md.append("| server | normal lines | to the reader: p50 ms | p99 ms | p99 of each run ms | max ms"
                + " | to the flooder: p50 ms | p99 ms | flood lines/s to the reader | server CPU s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String server : m.servers()) {
            md.append(String.format("| %s | %.0f | %.2f | %.2f | %s | %.1f | %.2f | %.2f | %,.0f | %.2f |%n", server,
                    med(m, server, "normal_lines"), med(m, server, "p50_us") / 1e3, med(m, server, "p99_us") / 1e3,
                    Hardening.range(m, Hardening.ONLY, server, "p99_us", 1e-3, "%.1f"), med(m, server, "max_us") / 1e3,
                    med(m, server, "flooder_p50_us") / 1e3, med(m, server, "flooder_p99_us") / 1e3,
                    med(m, server, "flood_lines_per_s"), med(m, server, "server_cpu_s")));
        }
        load(m);
    }

    private void beforeAfter(LoadMedians m) {
        md.append("### Echo throughput: this build against the build before\n\n");
        if (!m.has(Servers.BOUCLE) || !m.has(Servers.BOUCLE_BEFORE)) {
            md.append("(not measured: run `./boucle bench --before REF`, e.g. `--before main`)\n\n");
            return;
        }
        md.append(String.format("`boucle` and `boucle-before` run at once and are measured in turn, the order swapped"
                + " every run (A B, B A, ...): %d runs each of %.1f s after %.1f s of warm-up. The ratio of the"
                + " medians, and the ratio of each back-to-back pair, lowest to highest (the noise); the server's read and write system calls per message (`/proc/PID/io`), which the machine's load does not move.%n%n",
                m.repetitions(), settings.measureSeconds(), settings.warmupSeconds()));
        md.append("| scenario | boucle msgs/s | boucle-before msgs/s | ratio | ratio of each pair | boucle p99 µs | boucle-before p99 µs"
                + " | server syscalls/msg, boucle | boucle-before |\n|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (String scenario : m.scenarios()) {
            String pairs = Arrays.stream(Hardening.pairedRatios(m, scenario, "msgs_per_s"))
                    .mapToObj(r -> String.format("%.2f", r)).collect(Collectors.joining(" "));
            md.append(String.format("| %s | %,.0f | %,.0f | %.3fx | %s | %.0f | %.0f | %.2f | %.2f |%n", scenario,
                    m.median(scenario, Servers.BOUCLE, "msgs_per_s"), m.median(scenario, Servers.BOUCLE_BEFORE, "msgs_per_s"),
                    m.ratio(scenario, "msgs_per_s", Servers.BOUCLE, Servers.BOUCLE_BEFORE), pairs,
                    m.median(scenario, Servers.BOUCLE, "p99_us"), m.median(scenario, Servers.BOUCLE_BEFORE, "p99_us"),
                    m.median(scenario, Servers.BOUCLE, "server_syscalls_per_msg"),
                    m.median(scenario, Servers.BOUCLE_BEFORE, "server_syscalls_per_msg")));
        }
        md.append('\n');
    }

    /** How busy the shared machine was: the 1-minute load average when each run began, over all servers. */
    private void load(LoadMedians m) {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (String server : m.servers()) {
            for (double load : m.samples(Hardening.ONLY, server, Hardening.LOAD)) {
                low = Math.min(low, load);
                high = Math.max(high, load);
            }
        }
        md.append(low <= high ? String.format("%nLoad average (1 min, 2 cores) when the runs began: %.1f to %.1f.%n%n", low, high) : "\n");
    }

    private boolean empty(LoadMedians m) {
        if (m.servers().isEmpty()) {
            md.append("(did not run)\n\n");
            return true;
        }
        return false;
    }

    private static double med(LoadMedians m, String server, String metric) {
        return m.median(Hardening.ONLY, server, metric);
    }
}
