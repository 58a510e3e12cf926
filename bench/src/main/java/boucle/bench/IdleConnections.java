package boucle.bench;

import java.io.IOException;

/**
 * Memory and CPU of a server holding many idle connections: each server is started fresh and warmed
 * up with the same short load and one rehearsal (N connections opened, served and closed), its live heap measured with no connection, then again with N connections open (each has echoed one
 * message, so every server has really accepted and served it, and is now waiting to read). The
 * difference over N is the retained heap per idle connection. CPU is sampled over a quiet window
 * while all of them wait.
 *
 * <h2>Why the rehearsal</h2>
 * The load warm-up compiles what runs once per message, not what runs once per connection (the
 * accept, the first frames of a connection's handler): those run interpreted for the first
 * hundreds of connections, then C1-compiled for the next thousands. A server whose idle connections
 * are parked coroutines keeps each one's frames, and an interpreted or C1 frame is several times
 * larger than a C2 one: without the rehearsal, the figure measured how far the JIT had got (it
 * moved by hundreds of bytes per connection with the machine's load), not what a connection costs
 * a server that has run a while. A server that keeps no stack per connection is not affected. The
 * same rehearsal for every server.
 */
final class IdleConnections {
    static final String FILE = "idle.tsv";
    static final String CLASSES_FILE = "idle-classes.tsv";
    private static final int TOP_CLASSES = 8;
    private static final long QUIET_WINDOW_MILLIS = 3_000;
    /** Descriptors a server may open for itself during a run (class files, logs) beyond its count at start. */
    private static final long OWN_DESCRIPTOR_SLACK = 16;
    private static final long CLOSE_WAIT_NANOS = 60_000_000_000L;

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
            long ownDescriptors = ProcessStats.openDescriptors(server.pid());
            // warm, as a server that has run a while is: a task parked in compiled frames keeps a
            // smaller stack than one parked in interpreted frames, the same for every server
            loadgen.run(Scenario.WARM_UP, server.port(), server.pid(), 0, settings.quick() ? 0.5 : 2);
            try (Loadgen.Idle rehearsal = loadgen.holdIdle(server.port(), connections)) {
                rehearsal.requireHeld(); // see the class comment; closed here
            }
            awaitConnectionsClosed(server, ownDescriptors);
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

    /**
     * Waits (bounded) until the server has closed its side of the connections the clients closed:
     * a baseline taken while some are still open would count their weight as the server's own.
     */
    private static void awaitConnectionsClosed(ServerProcess server, long ownDescriptors)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        long open;
        while ((open = ProcessStats.openDescriptors(server.pid())) > ownDescriptors + OWN_DESCRIPTOR_SLACK) {
            if (System.nanoTime() > deadline) {
                throw new IOException(server.name() + " still has " + open + " descriptors open, "
                        + ownDescriptors + " at start: it did not close the warm-up's connections");
            }
            Thread.sleep(50); // polling the process from outside: nothing to wait on
        }
    }
}
