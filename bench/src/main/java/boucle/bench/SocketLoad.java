package boucle.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The socket-load comparison: every server of {@link Servers#available} runs at once (an idle one
 * costs nothing), then each scenario is run against each server in turn, repetition after
 * repetition, so that a noisy moment of the machine is spread over all servers instead of falling
 * on one. Same scenario, same warm-up and same window for every server.
 */
final class SocketLoad {
    static final String FILE = "load.tsv";
    static final List<String> METRICS = List.of(
            "msgs_per_s", "mib_per_s", "p50_us", "p99_us", "server_cpu_us_per_msg", "server_user_us_per_msg",
            "client_cpu_s");

    private final Settings settings;
    private final Loadgen loadgen;

    SocketLoad(Settings settings) {
        this.settings = settings;
        this.loadgen = new Loadgen(settings.loadgen());
    }

    Table run() throws IOException, InterruptedException {
        List<String> columns = new ArrayList<>(List.of("scenario", "server", "repetition"));
        columns.addAll(METRICS);
        Table table = new Table(columns.toArray(String[]::new));
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String name : Servers.available(settings)) {
                servers.add(Servers.start(settings, name));
            }
            warmUp(servers);
            for (Scenario scenario : Scenario.ALL) {
                for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
                    for (ServerProcess server : servers) {
                        measure(table, scenario, repetition, server);
                    }
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
        table.save(settings.work().resolve(FILE));
        return table;
    }

    /** JIT-compiles every server's echo path the same way before anything is counted. */
    private void warmUp(List<ServerProcess> servers) throws IOException, InterruptedException {
        for (ServerProcess server : servers) {
            loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 0.5 : 3);
        }
    }

    private void measure(Table table, Scenario scenario, int repetition, ServerProcess server)
            throws IOException, InterruptedException {
        LoadResult result = loadgen.run(scenario, server.port(), server.pid(),
                settings.warmupSeconds(), settings.measureSeconds());
        List<Object> row = new ArrayList<>(List.of(scenario.name(), server.name(), repetition));
        for (String metric : METRICS) {
            row.add(result.get(metric));
        }
        table.add(row.toArray());
        System.out.printf("  %-32s %-16s #%d %,10.0f msgs/s  p99 %8.1f us  server %.2f us/msg (user %.2f)%n",
                scenario.name(), server.name(), repetition, result.get("msgs_per_s"), result.get("p99_us"),
                result.get("server_cpu_us_per_msg"), result.get("server_user_us_per_msg"));
    }
}
