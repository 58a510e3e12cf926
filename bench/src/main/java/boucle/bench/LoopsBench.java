package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every core, side by side in one run ({@code loops} part): echo on Boucle with 1 and 2 loops,
 * Netty NIO with 1 and 2 event loops and virtual threads on the default scheduler, under three
 * scenarios; the chat with 2 loops against 1 with {@value #CHAT_MEMBERS} members; and the two
 * ways of spreading connections over loops (one acceptor, {@code SO_REUSEPORT} per loop), under
 * short connections. Servers alternate within each repetition; the tables give medians.
 *
 * <p>Writes {@code bench/results/loops.md} and {@code loops.png}; the report appends the section,
 * then the hand-written {@code loops-analysis.md}.
 */
final class LoopsBench {
    static final String SECTION = "loops.md";
    static final String CHART = "loops.png";
    /** Hand-written: what the figures mean, and the scaling on paper; appended after them. */
    static final String ANALYSIS = "loops-analysis.md";
    static final int CHAT_MEMBERS = 200;
    static final int CHAT_SENDERS = 10;
    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("100 conns x 64 B", 100, 64, 1),
            new Scenario("1,000 conns x 1 KiB", 1000, 1024, 1),
            new Scenario("100 conns x 64 B, 16 in flight", 100, 64, 16));
    static final List<String> ECHO_SERVERS = List.of("boucle-1", "netty-1", "boucle-2", "netty-2", "virtual-threads");

    private final Settings settings;
    private final Loadgen loadgen;
    /** (what, server) to the runs' values, for the medians. */
    private final Map<String, List<Double>> runs = new HashMap<>();

    LoopsBench(Settings settings) {
        this.settings = settings;
        this.loadgen = new Loadgen(settings.loadgen());
    }

    void run() throws IOException, InterruptedException {
        Files.createDirectories(settings.work());
        echo();
        chat();
        accept();
        write();
    }

    private int repetitions() {
        return settings.quick() ? 1 : 3;
    }

    private void echo() throws IOException, InterruptedException {
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String name : ECHO_SERVERS) {
                servers.add(LoopServers.start(settings, name));
            }
            for (ServerProcess server : servers) {
                loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 0.5 : 3);
            }
            for (Scenario scenario : SCENARIOS) {
                for (int repetition = 1; repetition <= repetitions(); repetition++) {
                    for (ServerProcess server : servers) {
                        LoadResult result = loadgen.run(scenario, server.port(), server.pid(),
                                settings.warmupSeconds(), settings.measureSeconds());
                        record(scenario.name() + "|msgs", server.name(), result.get("msgs_per_s"));
                        record(scenario.name() + "|cpu", server.name(), result.get("server_cpu_us_per_msg"));
                        System.out.printf(Locale.ROOT, "  %-32s %-16s #%d %,10.0f msgs/s  server %.2f us/msg%n",
                                scenario.name(), server.name(), repetition, result.get("msgs_per_s"),
                                result.get("server_cpu_us_per_msg"));
                    }
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
    }

    private void chat() throws IOException, InterruptedException {
        for (int repetition = 1; repetition <= repetitions(); repetition++) {
            for (String name : List.of("boucle-chat-1", "boucle-chat-2")) {
                try (ServerProcess server = LoopServers.start(settings, name)) { // a fresh room each time
                    double[] result = ChatCrowd.run(server.port(), server.pid(), CHAT_MEMBERS, CHAT_SENDERS,
                            settings.quick() ? 0.5 : 2, settings.quick() ? 1 : 4);
                    record("chat|msgs", name, result[0]);
                    record("chat|cpu", name, result[1]);
                    System.out.printf(Locale.ROOT, "  chat %d members       %-16s #%d %,10.0f lines delivered/s  server %.2f us/line%n",
                            CHAT_MEMBERS, name, repetition, result[0], result[1]);
                }
            }
        }
    }

    private void accept() throws IOException, InterruptedException {
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(LoopServers.start(settings, "boucle-2"));
            servers.add(LoopServers.start(settings, "reuseport-2"));
            for (int repetition = 0; repetition <= repetitions(); repetition++) { // the first one warms up
                for (ServerProcess server : servers) {
                    double[] result = ConnectionChurn.run(server.port(), server.pid(), 4, 0.5,
                            settings.quick() ? 1 : 3);
                    if (repetition > 0) {
                        record("accept|conns", server.name(), result[0]);
                        record("accept|cpu", server.name(), result[1]);
                    }
                    System.out.printf(Locale.ROOT, "  short connections     %-16s #%d %,10.0f conns/s  server %.1f us/conn%n",
                            server.name(), repetition, result[0], result[1]);
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
    }

    private void record(String what, String server, double value) {
        runs.computeIfAbsent(what + "|" + server, key -> new ArrayList<>()).add(value);
    }

    private double median(String what, String server) {
        List<Double> values = runs.get(what + "|" + server);
        return values == null ? Double.NaN : Stats.median(values);
    }

    private void write() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("\n## Every core: loops, side by side\n\n");
        md.append("`java -jar bench/target/boucle-bench.jar loops` (").append(Machine.describe())
                .append("; medians of ").append(repetitions()).append(" runs, servers alternating). Boucle N = `echo --loops N`")
                .append(" (a `LoopGroup` + `GroupServer`); Netty N = NIO, one group of N event loops; virtual threads on")
                .append(" the default scheduler (one carrier per core). Same heap and GC for all. The load generator runs on")
                .append(" the same machine: with 2 cores it takes one of them.\n\n");
        md.append("| scenario | Boucle 1 | Netty 1 | Boucle 2 | Netty 2 | virtual threads | B1/N1 | B2/N2 | B2/B1 | N2/N1 |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> names = new ArrayList<>();
        double[] oneLoop = new double[SCENARIOS.size()];
        double[] twoLoops = new double[SCENARIOS.size()];
        double[] virtual = new double[SCENARIOS.size()];
        for (int i = 0; i < SCENARIOS.size(); i++) {
            String s = SCENARIOS.get(i).name() + "|msgs";
            names.add(SCENARIOS.get(i).name());
            double b1 = median(s, "boucle-1"), n1 = median(s, "netty-1"), b2 = median(s, "boucle-2"),
                    n2 = median(s, "netty-2"), vt = median(s, "virtual-threads");
            oneLoop[i] = b1 / n1;
            twoLoops[i] = b2 / n2;
            virtual[i] = vt / n2;
            md.append(String.format(Locale.ROOT, "| %s msgs/s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f |%n",
                    SCENARIOS.get(i).name(), b1, n1, b2, n2, vt, b1 / n1, b2 / n2, b2 / b1, n2 / n1));
        }
        for (Scenario scenario : SCENARIOS) {
            String s = scenario.name() + "|cpu";
            double b1 = median(s, "boucle-1"), n1 = median(s, "netty-1"), b2 = median(s, "boucle-2"),
                    n2 = median(s, "netty-2"), vt = median(s, "virtual-threads");
            md.append(String.format(Locale.ROOT, "| %s server CPU µs/msg | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    scenario.name(), b1, n1, b2, n2, vt, b1 / n1, b2 / n2, b2 / b1, n2 / n1));
        }
        double c1 = median("chat|msgs", "boucle-chat-1"), c2 = median("chat|msgs", "boucle-chat-2");
        md.append("\nChat, ").append(CHAT_MEMBERS).append(" members, ").append(CHAT_SENDERS)
                .append(" of them sending (each at most ").append(ChatCrowd.WINDOW)
                .append(" lines ahead of delivery), every member reading every line, per-sender order checked:\n\n");
        md.append("| chat | lines delivered/s | server CPU µs/line |\n|---|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| 1 loop | %,.0f | %.2f |%n| 2 loops | %,.0f | %.2f |%n| 2 loops / 1 loop | %.2f | %.2f |%n",
                c1, median("chat|cpu", "boucle-chat-1"), c2, median("chat|cpu", "boucle-chat-2"), c2 / c1,
                median("chat|cpu", "boucle-chat-2") / median("chat|cpu", "boucle-chat-1")));
        double a = median("accept|conns", "boucle-2"), r = median("accept|conns", "reuseport-2");
        md.append("\nSpreading connections over 2 loops, 4 clients each connecting, echoing one byte and resetting, over and over:\n\n");
        md.append("| accept | connections/s | server CPU µs/connection |\n|---|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| one acceptor (`GroupServer`) | %,.0f | %.1f |%n| `SO_REUSEPORT` per loop | %,.0f | %.1f |%n| acceptor / reuseport | %.2f | %.2f |%n",
                a, median("accept|cpu", "boucle-2"), r, median("accept|cpu", "reuseport-2"), a / r,
                median("accept|cpu", "boucle-2") / median("accept|cpu", "reuseport-2")));
        md.append("\n![every core](").append(CHART).append(")\n");
        Path results = settings.results();
        Files.createDirectories(results);
        Files.writeString(results.resolve(SECTION), md);
        RatioChart.write(results.resolve(CHART), "Echo msgs/s, ratio to Netty NIO with as many event loops (1.0 = Netty)",
                names, List.of(new RatioChart.Series("Boucle 1 loop / Netty 1", oneLoop),
                        new RatioChart.Series("Boucle 2 loops / Netty 2", twoLoops),
                        new RatioChart.Series("virtual threads (all cores) / Netty 2", virtual)));
        System.out.print(md);
    }
}
