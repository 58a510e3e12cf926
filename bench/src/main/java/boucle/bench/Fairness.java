package boucle.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Fairness under floods: two clients flood an echo server full duplex while a light client sends a
 * 5-byte ping every 5 ms; the light client's round trip is what a loop that lets one busy
 * connection hold it makes long. Every echo server of {@link Servers#echoWithBefore} runs at once
 * (an idle one costs nothing) and is measured in turn, repetition after repetition, so a noisy
 * moment of the machine is spread over all of them. The bar is a ratio to Netty NIO's figures of
 * the same run.
 */
final class Fairness {
    static final String FILE = "fairness.tsv";
    static final String FAILURES_FILE = "fairness-failures.tsv";
    static final int FLOODS = 2;
    static final int PING_INTERVAL_MILLIS = 5;
    /** What the client reports, per run. */
    static final List<String> METRICS = List.of("pings", "p50_us", "p99_us", "max_us", "flood_mib_per_s", "server_cpu_s");
    /** The columns of the table: the metrics and the machine's load average when the run began. */
    static final List<String> COLUMNS = Hardening.withLoad(METRICS);

    private final Settings settings;
    private final Crowd crowd;
    private final RunFailures failures;

    Fairness(Settings settings) {
        this.settings = settings;
        this.crowd = new Crowd(settings.crowd());
        this.failures = new RunFailures(settings.work().resolve(FAILURES_FILE));
    }

    Table run() throws IOException, InterruptedException {
        List<String> columns = new ArrayList<>(List.of("server", "repetition"));
        columns.addAll(COLUMNS);
        Table table = new Table(columns.toArray(String[]::new));
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String name : Servers.echoWithBefore(settings)) {
                servers.add(Servers.start(settings, name));
            }
            for (ServerProcess server : servers) { // JIT-compile every server's echo path the same way
                crowd.fairness(server.port(), server.pid(), FLOODS, PING_INTERVAL_MILLIS, 0, settings.quick() ? 0.5 : 2);
            }
            for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
                for (ServerProcess server : servers) {
                    double load = Machine.loadAverage();
                    LoadResult result = failures.attempt("fairness", server.name(), repetition,
                            () -> crowd.fairness(server.port(), server.pid(), FLOODS, PING_INTERVAL_MILLIS,
                                    settings.warmupSeconds(), measureSeconds(settings)));
                    if (result == null) {
                        continue;
                    }
                    List<Object> row = new ArrayList<>(List.of(server.name(), repetition));
                    METRICS.forEach(metric -> row.add(result.get(metric)));
                    row.add(load);
                    table.add(row.toArray());
                    System.out.printf("  fairness %-16s #%d light client p50 %8.1f us  p99 %8.1f us  floods %6.0f MiB/s%n",
                            server.name(), repetition, result.get("p50_us"), result.get("p99_us"),
                            result.get("flood_mib_per_s"));
                }
            }
        } finally { // the runs done so far are figures too, even if a later one fails
            servers.forEach(ServerProcess::close);
            table.save(settings.work().resolve(FILE));
            failures.save();
        }
        failures.throwIfAny();
        return table;
    }

    /** Long enough for 1,000 pings (a p99 of 10 samples) in the published run. */
    static double measureSeconds(Settings settings) {
        return settings.quick() ? 1 : 5;
    }
}
