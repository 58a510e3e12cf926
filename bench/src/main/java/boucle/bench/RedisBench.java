package boucle.bench;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.Net;
import boucle.redis.RedisClient;
import boucle.redis.RedisEvent;
import boucle.redis.RedisOptions;
import boucle.redis.RedisSubscriber;
import boucle.redis.RedisUri;
import boucle.redis.SetArgs;
import boucle.test.RedisServerProcess;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Boucle's Redis client against Lettuce, on the same {@code redis-server} (started by the test
 * kit's {@code RedisServerProcess}, no persistence) in the same run, alternating client by client
 * within each repetition:
 *
 * <ul>
 *   <li>{@code set-get}: 100 callers, each a loop of {@code SET k v} (64-byte value) then
 *       {@code GET k}, waiting for each reply: commands pipelined across callers on one
 *       connection. Operations per second.</li>
 *   <li>{@code publish}: 100 callers, each a loop of {@code PUBLISH} (64-byte payload) waiting
 *       for its reply; one subscriber on its own connection. Messages the subscriber received
 *       per second.</li>
 * </ul>
 * Three clients: {@code boucle} (callers are tasks on one Boucle loop), {@code lettuce-bridged}
 * (the same tasks calling Lettuce's async API, each reply handed back to the loop with
 * {@code callSoonThreadsafe}: what a Boucle user who picks Lettuce runs), and {@code lettuce}
 * (Lettuce alone: each caller chains its next command in the previous one's completion, on
 * Lettuce's I/O threads; no loop). Client CPU is this process's user+system CPU per operation.
 *
 * <p>Writes {@code redis.tsv} (raw) and {@code bench/results/redis.md} (medians and ratios).
 */
final class RedisBench {
    static final String FILE = "redis.tsv";
    static final String SECTION = "redis.md";
    private static final int CALLERS = 100;
    private static final String VALUE = "v".repeat(64);
    private static final List<String> SCENARIOS = List.of("set-get", "publish");
    /** The clients measured; {@code -Dredis.clients=boucle} measures one alone (for a profile). */
    private static final List<String> CLIENTS =
            List.of(System.getProperty("redis.clients", "boucle,lettuce-bridged,lettuce").split(","));

    private final Settings settings;
    private RedisUri uri;
    private io.lettuce.core.RedisClient lettuce;

    RedisBench(Settings settings) {
        this.settings = settings;
    }

    Table run() throws Exception {
        Table table = new Table("scenario", "client", "repetition", "ops_per_s", "client_cpu_us_per_op", "load");
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            uri = RedisUri.parse(redis.uri());
            lettuce = io.lettuce.core.RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
            lettuce.setOptions(ClientOptions.builder().build());
            try {
                for (String scenario : SCENARIOS) { // JIT-compile every path the same way first
                    for (String client : CLIENTS) {
                        measure(scenario, client, settings.quick() ? 0.3 : 1.5, 0.2);
                    }
                }
                for (String scenario : SCENARIOS) {
                    for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
                        for (String client : CLIENTS) {
                            double load = Machine.loadAverage();
                            double[] result = measure(scenario, client, settings.warmupSeconds(), settings.measureSeconds());
                            table.add(scenario, client, repetition, Math.round(result[0]),
                                    String.format(Locale.ROOT, "%.2f", result[1]), load);
                            System.out.printf(Locale.ROOT, "bench: redis %s %s #%d: %.0f ops/s, %.2f us CPU/op (load %.1f)%n",
                                    scenario, client, repetition, result[0], result[1], load);
                        }
                    }
                }
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
        table.save(settings.work().resolve(FILE));
        writeSection(table);
        return table;
    }

    /** {ops per second, client CPU microseconds per op} over the measured window. */
    private double[] measure(String scenario, String client, double warmupSeconds, double measureSeconds)
            throws Exception {
        Window window = new Window(warmupSeconds, measureSeconds);
        switch (client) {
            case "boucle" -> onLoop(() -> boucle(scenario, window));
            case "lettuce-bridged" -> onLoop(() -> lettuceBridged(scenario, window));
            case "lettuce" -> lettuceAlone(scenario, window);
            default -> throw new IllegalArgumentException(client);
        }
        return window.result();
    }

    /** When counting starts and stops, and what was counted: set by whichever thread runs the clients. */
    private static final class Window {
        final long warmupNanos;
        final long measureNanos;
        final LongAdder ops = new LongAdder();
        volatile boolean stop;
        double opsPerSecond;
        double cpuMicrosPerOp;

        Window(double warmupSeconds, double measureSeconds) {
            this.warmupNanos = (long) (warmupSeconds * 1e9);
            this.measureNanos = (long) (measureSeconds * 1e9);
        }

        /** Waits the warm-up, counts over the window, then tells the callers to stop. Blocking or parking, per {@code sleeper}. */
        void time(Sleeper sleeper) throws Exception {
            sleeper.sleep(warmupNanos);
            long ops0 = ops.sum();
            double cpu0 = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            sleeper.sleep(measureNanos);
            long ops1 = ops.sum();
            double cpu1 = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
            long t1 = System.nanoTime();
            stop = true;
            opsPerSecond = (ops1 - ops0) / ((t1 - t0) / 1e9);
            cpuMicrosPerOp = (cpu1 - cpu0) * 1e6 / Math.max(1, ops1 - ops0);
        }

        double[] result() {
            return new double[] {opsPerSecond, cpuMicrosPerOp};
        }
    }

    @FunctionalInterface
    private interface Sleeper {
        void sleep(long nanos) throws Exception;
    }

    @FunctionalInterface
    private interface LoopBody {
        void run() throws Exception;
    }

    /** Runs {@code body} as a task on a fresh Boucle loop on this thread. */
    private static void onLoop(LoopBody body) {
        try (Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                body.run();
                return null;
            });
        }
    }

    // ---- Boucle's client -------------------------------------------------------------------------

    private void boucle(String scenario, Window window) throws Exception {
        RedisClient redis = RedisClient.connect(uri, RedisOptions.defaults());
        RedisSubscriber subscriber = null;
        Task<Void> receiver = null;
        try {
            if (scenario.equals("publish")) {
                RedisSubscriber sub = RedisSubscriber.connect(uri, RedisOptions.defaults());
                subscriber = sub;
                sub.subscribe("bench");
                receiver = Boucle.spawn(() -> {
                    while (!window.stop) {
                        if (sub.receive() instanceof RedisEvent.Message) {
                            window.ops.increment();
                        }
                    }
                });
            }
            List<Task<Void>> callers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                String key = "bench:boucle:" + i;
                callers.add(Boucle.spawn(() -> {
                    while (!window.stop) {
                        if (scenario.equals("set-get")) {
                            redis.set(key, VALUE, SetArgs.none());
                            redis.get(key);
                            window.ops.add(2);
                        } else {
                            redis.publish("bench", VALUE);
                        }
                    }
                }));
            }
            window.time(nanos -> Boucle.sleep(Duration.ofNanos(nanos)));
            Boucle.gather(new ArrayList<>(callers));
        } finally {
            if (receiver != null) {
                receiver.cancel();
            }
            if (subscriber != null) {
                subscriber.close();
                subscriber.awaitClosed();
            }
            redis.close();
            redis.awaitClosed();
        }
    }

    // ---- Lettuce, called from Boucle tasks -------------------------------------------------------

    /** Parks the current task until {@code stage} completes on Lettuce's thread; its value, or its failure. */
    private static <T> T await(Loop loop, CompletionStage<T> stage) throws Exception {
        Task<?> me = Task.current();
        Object[] outcome = new Object[2];
        boolean[] done = new boolean[1];
        stage.whenComplete((value, failure) -> loop.callSoonThreadsafe(() -> {
            outcome[0] = value;
            outcome[1] = failure;
            done[0] = true;
            me.wake();
        }));
        while (!done[0]) {
            me.park("a Lettuce reply");
        }
        if (outcome[1] instanceof Exception failure) {
            throw failure;
        }
        @SuppressWarnings("unchecked")
        T value = (T) outcome[0];
        return value;
    }

    private void lettuceBridged(String scenario, Window window) throws Exception {
        Loop loop = Loop.current();
        // A server's loop always has a socket to watch; this one watches none of its own (Lettuce's
        // sockets are on Lettuce's threads), so a far timer keeps it from ending while replies are out.
        Task<Void> keepAlive = Boucle.spawn(() -> Boucle.sleep(Duration.ofDays(1)));
        StatefulRedisConnection<String, String> connection = lettuce.connect();
        StatefulRedisPubSubConnection<String, String> pubsub = null;
        try {
            RedisAsyncCommands<String, String> async = connection.async();
            if (scenario.equals("publish")) {
                pubsub = lettuce.connectPubSub();
                pubsub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        loop.callSoonThreadsafe(window.ops::increment); // the message reaches the loop
                    }
                });
                pubsub.sync().subscribe("bench");
            }
            List<Task<Void>> callers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                String key = "bench:bridged:" + i;
                callers.add(Boucle.spawn(() -> {
                    while (!window.stop) {
                        if (scenario.equals("set-get")) {
                            await(loop, async.set(key, VALUE));
                            await(loop, async.get(key));
                            window.ops.add(2);
                        } else {
                            await(loop, async.publish("bench", VALUE));
                        }
                    }
                }));
            }
            window.time(nanos -> Boucle.sleep(Duration.ofNanos(nanos)));
            Boucle.gather(new ArrayList<>(callers));
        } finally {
            keepAlive.cancel();
            if (pubsub != null) {
                pubsub.close();
            }
            connection.close();
        }
    }

    // ---- Lettuce alone ---------------------------------------------------------------------------

    private void lettuceAlone(String scenario, Window window) throws Exception {
        StatefulRedisConnection<String, String> connection = lettuce.connect();
        StatefulRedisPubSubConnection<String, String> pubsub = null;
        try {
            RedisAsyncCommands<String, String> async = connection.async();
            if (scenario.equals("publish")) {
                pubsub = lettuce.connectPubSub();
                pubsub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        window.ops.increment();
                    }
                });
                pubsub.sync().subscribe("bench");
            }
            List<CompletableFuture<Void>> callers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                CompletableFuture<Void> finished = new CompletableFuture<>();
                callers.add(finished);
                step(async, scenario, "bench:lettuce:" + i, window, finished);
            }
            window.time(nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
            CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            if (pubsub != null) {
                pubsub.close();
            }
            connection.close();
        }
    }

    /** One caller's next operation, chained in the completion of the previous one. */
    private static void step(RedisAsyncCommands<String, String> async, String scenario, String key, Window window,
            CompletableFuture<Void> finished) {
        if (window.stop) {
            finished.complete(null);
            return;
        }
        CompletionStage<?> operation = scenario.equals("set-get")
                ? async.set(key, VALUE).thenCompose(ok -> async.get(key)).thenRun(() -> window.ops.add(2))
                : async.publish("bench", VALUE);
        operation.whenComplete((value, failure) -> {
            if (failure != null) {
                finished.completeExceptionally(failure);
            } else {
                step(async, scenario, key, window, finished);
            }
        });
    }

    // ---- the section -----------------------------------------------------------------------------

    private void writeSection(Table table) throws Exception {
        StringBuilder md = new StringBuilder("\n## Redis client: Boucle's against Lettuce\n\n");
        md.append("Same redis-server, same run, clients alternating in each of ").append(settings.repetitions())
                .append(" repetitions; medians. ").append(CALLERS).append(" callers on one connection; ")
                .append("`lettuce-bridged` is Lettuce's async API called from Boucle tasks, replies handed to the loop;")
                .append(" `lettuce` is Lettuce alone (callbacks on its I/O threads).\n\n");
        md.append("| scenario | client | ops/s | client CPU µs/op | boucle ÷ this |\n|---|---|---:|---:|---:|\n");
        for (String scenario : SCENARIOS) {
            double boucle = median(table, scenario, "boucle", "ops_per_s");
            for (String client : CLIENTS) {
                double rate = median(table, scenario, client, "ops_per_s");
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.2f |%n", scenario, client, rate,
                        median(table, scenario, client, "client_cpu_us_per_op"), boucle / rate));
            }
        }
        List<Double> loads = new ArrayList<>();
        table.rows().forEach(row -> loads.add(Double.parseDouble(row.get("load"))));
        md.append(String.format(Locale.ROOT, "%nLoad average during the run: median %.1f (the machine's other work shares its cores).%n",
                Stats.median(loads)));
        Path results = settings.results();
        Files.createDirectories(results);
        Files.writeString(results.resolve(SECTION), md);
    }

    private static double median(Table table, String scenario, String client, String column) {
        List<Double> values = new ArrayList<>();
        for (var row : table.rows()) {
            if (row.get("scenario").equals(scenario) && row.get("client").equals(client)) {
                values.add(Double.parseDouble(row.get(column)));
            }
        }
        return Stats.median(values);
    }
}
