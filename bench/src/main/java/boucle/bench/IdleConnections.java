package boucle.bench;

import java.io.IOException;

/**
 * Memory and CPU of a server holding many idle connections: each server is started fresh and warmed
 * up with the same short load, its live heap measured with no connection, then again with N connections open (each has echoed one
 * message, so every server has really accepted and served it, and is now waiting to read). The
 * difference over N is the retained heap per idle connection. CPU is sampled over a quiet window
 * while all of them wait.
 */
final class IdleConnections {
    static final String FILE = "idle.tsv";
    static final String CLASSES_FILE = "idle-classes.tsv";
    private static final int TOP_CLASSES = 8;
    private static final long QUIET_WINDOW_MILLIS = 3_000;

    private final Settings settings;
    private final Loadgen loadgen;

    IdleConnections(Settings settings) {
        this.settings = settings;
        this.loadgen = new Loadgen(settings.loadgen());
    }

    Table run() throws IOException, InterruptedException {
        Table table = newTable();
        Table classes = newClassesTable();
        for (String name : Servers.available(settings)) {
            measure(table, classes, name, server -> Servers.start(settings, server));
        }
        table.save(settings.work().resolve(FILE));
        classes.save(settings.work().resolve(CLASSES_FILE));
        return table;
    }

    /** Starts a fresh server by name: the idle measurement serves any set of servers. */
    interface Starter {
        ServerProcess start(String name) throws IOException;
    }

    /** Empty tables of {@link #measure}'s rows, per server and per class. */
    static Table newTable() {
        return new Table("server", "connections", "heap_bytes_per_conn", "rss_bytes_per_conn",
                "idle_cpu_ms", "baseline_heap_bytes");
    }

    static Table newClassesTable() {
        return new Table("server", "class", "instances_per_conn", "bytes_per_conn");
    }

    /** Measures one server, started fresh by {@code starter}, adding a row to each table. */
    void measure(Table table, Table classes, String name, Starter starter) throws IOException, InterruptedException {
        int connections = settings.idleConnections();
        try (ServerProcess server = starter.start(name)) {
            // warm, as a server that has run a while is: a task parked in compiled frames keeps a
            // smaller stack than one parked in interpreted frames, the same for every server
            loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 0.5 : 2);
            HeapHistogram baseline = HeapHistogram.of(settings.jcmd(), server.pid());
            long baselineHeap = baseline.totalBytes();
            long baselineRss = ProcessStats.residentBytes(server.pid());
            try (Loadgen.Idle idle = loadgen.holdIdle(server.port(), connections)) {
                HeapHistogram.of(settings.jcmd(), server.pid()); // settle: GC what serving them left
                double cpuBefore = ProcessStats.cpuSeconds(server.pid());
                Thread.sleep(QUIET_WINDOW_MILLIS); // measuring idleness takes wall time, nothing to wait for
                double idleCpuMs = (ProcessStats.cpuSeconds(server.pid()) - cpuBefore) * 1000;
                idle.requireHeld();
                HeapHistogram withConnections = HeapHistogram.of(settings.jcmd(), server.pid());
                long heap = withConnections.totalBytes();
                for (HeapHistogram.Growth growth : withConnections.growthOver(baseline, connections, TOP_CLASSES)) {
                    classes.add(name, growth.className(), String.format("%.2f", growth.instancesPerUnit()),
                            String.format("%.0f", growth.bytesPerUnit()));
                }
                long rss = ProcessStats.residentBytes(server.pid());
                table.add(name, connections, (heap - baselineHeap) / connections,
                        (rss - baselineRss) / connections, String.format("%.0f", idleCpuMs), baselineHeap);
                System.out.printf("  %-16s %,d idle connections: %,d B heap/conn, %,d B RSS/conn, %.0f ms CPU in %d s%n",
                        name, connections, (heap - baselineHeap) / connections, (rss - baselineRss) / connections,
                        idleCpuMs, QUIET_WINDOW_MILLIS / 1000);
            }
        }
    }
}
