package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Echo throughput of this build against the build before ({@link Settings#beforeJar}, say main's)
 * in the scenarios a fairness budget or a write queue could slow: 100 × 64 B and 1,000 × 1 KiB.
 * Both servers run at once; each repetition measures them in turn, the order swapped every other
 * repetition (A B, B A, ...) so neither always runs right after the other's load. Skipped, with a
 * note, when no build before is given.
 */
final class BeforeAfter {
    static final String FILE = "before-after.tsv";
    static final List<Scenario> SCENARIOS = List.of(Scenario.ALL.get(1), Scenario.ALL.get(3));
    /**
     * The load metrics, and the server's read and write system calls per message: a count, so
     * unlike the rates it does not move with the machine's load, and it shows what a change did.
     */
    static final List<String> METRICS = java.util.stream.Stream.concat(SocketLoad.METRICS.stream(),
            java.util.stream.Stream.of("server_syscalls_per_msg")).toList();

    private final Settings settings;
    private final Loadgen loadgen;

    BeforeAfter(Settings settings) {
        this.settings = settings;
        this.loadgen = new Loadgen(settings.loadgen());
    }

    void run() throws IOException, InterruptedException {
        if (settings.beforeJar() == null) {
            System.out.println("  before/after: skipped (no build before: ./boucle bench --before REF)");
            Files.deleteIfExists(settings.work().resolve(FILE)); // the report must not show an older run's
            return;
        }
        List<String> columns = new ArrayList<>(List.of("scenario", "server", "repetition"));
        columns.addAll(METRICS);
        Table table = new Table(columns.toArray(String[]::new));
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(Servers.start(settings, Servers.BOUCLE));
            servers.add(Servers.start(settings, Servers.BOUCLE_BEFORE));
            for (ServerProcess server : servers) {
                loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 1 : 3);
            }
            for (Scenario scenario : SCENARIOS) {
                for (int repetition = 1; repetition <= settings.beforeAfterRepetitions(); repetition++) {
                    List<ServerProcess> order = repetition % 2 == 1 ? servers : servers.reversed();
                    for (ServerProcess server : order) {
                        LoadResult result = loadgen.run(scenario, server.port(), server.pid(),
                                settings.warmupSeconds(), settings.measureSeconds());
                        List<Object> row = new ArrayList<>(List.of(scenario.name(), server.name(), repetition));
                        METRICS.forEach(metric -> row.add(result.get(metric)));
                        table.add(row.toArray());
                        System.out.printf("  before/after %-24s %-14s #%d %,10.0f msgs/s  %.2f server syscalls/msg%n",
                                scenario.name(), server.name(), repetition, result.get("msgs_per_s"),
                                result.get("server_syscalls_per_msg"));
                    }
                }
            }
        } finally { // the runs done so far are figures too, even if a later one fails
            servers.forEach(ServerProcess::close);
            table.save(settings.work().resolve(FILE));
        }
    }
}
