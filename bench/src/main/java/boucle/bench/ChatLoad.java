package boucle.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat servers under a crowd and under a flood, each run on a fresh server (a room left by
 * 2,000 members broadcasts 2,000 departures, which must not fall into the next measurement):
 * <ul>
 *   <li>fan-out: {@value #MEMBERS} idle members join and read; one more sends {@value #LINES}
 *   lines back to back; the server's write system calls per line per member, its CPU time, and
 *   the delivery latency at every member;</li>
 *   <li>line flood: one member floods lines as fast as the server takes them, another sends a
 *   normal line every {@value #NORMAL_INTERVAL_MILLIS} ms; the normal lines' delivery latency.</li>
 * </ul>
 * Servers alternate within each repetition, so a noisy moment is spread over all of them.
 */
final class ChatLoad {
    static final String FAN_OUT_FILE = "chat-fanout.tsv";
    static final String FLOOD_FILE = "chat-flood.tsv";
    static final String FAILURES_FILE = "chat-failures.tsv";
    static final int MEMBERS = 2_000;
    static final int LINES = 200;
    static final int NORMAL_INTERVAL_MILLIS = 10;
    static final List<String> FAN_OUT_METRICS = List.of(
            "deliveries", "writes_per_line_per_member", "server_cpu_s", "p50_us", "p99_us", "max_us", "seconds");
    /** p50/p99/max: at the reader, behind the flood queued for it; flooder_*: at the flooder, which gets no flood. */
    static final List<String> FLOOD_METRICS = List.of(
            "normal_lines", "p50_us", "p99_us", "max_us", "flooder_p50_us", "flooder_p99_us", "flood_lines_per_s",
            "server_cpu_s");
    static final List<String> FAN_OUT_COLUMNS = Hardening.withLoad(FAN_OUT_METRICS);
    static final List<String> FLOOD_COLUMNS = Hardening.withLoad(FLOOD_METRICS);

    private final Settings settings;
    private final Crowd crowd;
    private final RunFailures failures;

    ChatLoad(Settings settings) {
        this.settings = settings;
        this.crowd = new Crowd(settings.crowd());
        this.failures = new RunFailures(settings.work().resolve(FAILURES_FILE));
    }

    void run() throws IOException, InterruptedException {
        Table fanOut = table(FAN_OUT_COLUMNS);
        Table flood = table(FLOOD_COLUMNS);
        List<String> servers = Servers.chat(settings);
        try {
            runAll(servers, fanOut, flood);
        } finally { // the runs done so far are figures too, even if a later one fails
            fanOut.save(settings.work().resolve(FAN_OUT_FILE));
            flood.save(settings.work().resolve(FLOOD_FILE));
            failures.save();
        }
        failures.throwIfAny();
    }

    private void runAll(List<String> servers, Table fanOut, Table flood) throws IOException, InterruptedException {
        for (int repetition = 1; repetition <= settings.hardeningRepetitions(); repetition++) {
            for (String name : servers) {
                try (ServerProcess server = Servers.startChat(settings, name)) {
                    double load = Machine.loadAverage();
                    LoadResult result = failures.attempt("chat fan-out", name, repetition,
                            () -> crowd.chatFanOut(server.port(), server.pid(), members(settings), lines(settings)));
                    if (result == null) {
                        continue;
                    }
                    add(fanOut, FAN_OUT_METRICS, name, repetition, load, result);
                    System.out.printf("  chat fan-out %-14s #%d %.3f writes/line/member  CPU %.2f s  delivery p50 %,.0f us  p99 %,.0f us%n",
                            name, repetition, result.get("writes_per_line_per_member"), result.get("server_cpu_s"),
                            result.get("p50_us"), result.get("p99_us"));
                }
                try (ServerProcess server = Servers.startChat(settings, name)) {
                    double load = Machine.loadAverage();
                    LoadResult result = failures.attempt("chat flood", name, repetition,
                            () -> crowd.chatFlood(server.port(), server.pid(), NORMAL_INTERVAL_MILLIS,
                                    settings.warmupSeconds(), floodSeconds(settings)));
                    if (result == null) {
                        continue;
                    }
                    add(flood, FLOOD_METRICS, name, repetition, load, result);
                    System.out.printf("  chat flood   %-14s #%d normal line p50 %,.0f us  p99 %,.0f us (to the flooder: %,.0f us)"
                            + "  flood %,.0f lines/s%n", name, repetition, result.get("p50_us"), result.get("p99_us"),
                            result.get("flooder_p99_us"), result.get("flood_lines_per_s"));
                }
            }
        }
    }

    static double floodSeconds(Settings settings) {
        return settings.quick() ? 1 : 4;
    }

    static int members(Settings settings) {
        return settings.quick() ? 200 : MEMBERS;
    }

    static int lines(Settings settings) {
        return settings.quick() ? 50 : LINES;
    }

    private static Table table(List<String> columns) {
        List<String> all = new ArrayList<>(List.of("server", "repetition"));
        all.addAll(columns);
        return new Table(all.toArray(String[]::new));
    }

    private static void add(Table table, List<String> metrics, String server, int repetition, double load,
            LoadResult result) {
        List<Object> row = new ArrayList<>(List.of(server, repetition));
        metrics.forEach(metric -> row.add(result.get(metric)));
        row.add(load);
        table.add(row.toArray());
    }
}
