package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chat's room across servers through Redis ({@code chat --redis}), against one server:
 * {@value #MEMBERS} members on chat server B read while one more member talks (the C crowd client;
 * every member must get every line, in order):
 * <ul>
 *   <li>burst: {@value #LINES} lines back to back: lines per second until every member has them
 *       all, and the latency of each line at each member (queueing behind the burst included);</li>
 *   <li>paced: a line every {@value #INTERVAL_MILLIS} ms for {@value #PACED_SECONDS} s, a rate the
 *       room keeps up with: the delivery latency itself.</li>
 * </ul>
 * Three set-ups, alternated within each repetition, one Redis for all:
 * <ul>
 *   <li>{@code one-server}: the talker on the members' server, no Redis: the anchor;</li>
 *   <li>{@code one-server+redis}: the same with {@code --redis}: what publishing every batch costs
 *       a server whose members are all local;</li>
 *   <li>{@code across}: the talker on server A, the members on server B, both {@code --redis}: each
 *       line goes A, Redis, B.</li>
 * </ul>
 * Each chat server runs one loop. The CPU seconds of each process (A, B, Redis) are read from /proc
 * around the burst (joins included). Writes {@code bench/results/redis-chat-table.md}, medians over
 * the repetitions.
 */
final class RedisChat {
    static final int MEMBERS = 200;
    static final int LINES = 2_000;
    static final int INTERVAL_MILLIS = 5;
    static final double PACED_SECONDS = 4;
    static final List<String> SETUPS = List.of("one-server", "one-server+redis", "across");

    private final Settings settings;
    private final Crowd crowd;

    RedisChat(Settings settings) {
        this.settings = settings;
        this.crowd = new Crowd(settings.crowd());
    }

    void run() throws IOException, InterruptedException {
        int lines = settings.quick() ? 200 : LINES;
        int repetitions = settings.quick() ? 1 : 5;
        Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
        SETUPS.forEach(setup -> runs.put(setup, new ArrayList<>()));
        double load = Machine.loadAverage();
        try (ServerProcess redis = Servers.startRedis(settings)) {
            String uri = "redis://127.0.0.1:" + redis.port();
            for (int repetition = 1; repetition <= repetitions; repetition++) {
                for (String setup : SETUPS) {
                    Map<String, Double> figures = measure(setup, uri, redis, lines);
                    runs.get(setup).add(figures);
                    System.out.printf(Locale.ROOT, "  redis-chat %-17s #%d burst %,6.0f lines/s %,8.0f deliveries/s p99 %,9.0f us;"
                            + " paced p50 %,6.0f us p99 %,7.0f us; CPU A %.2f s, B %.2f s, Redis %.2f s%n", setup, repetition,
                            figures.get("lines_per_s"), figures.get("deliveries_per_s"), figures.get("burst_p99_us"),
                            figures.get("paced_p50_us"), figures.get("paced_p99_us"), figures.get("cpu_a_s"),
                            figures.get("cpu_b_s"), figures.get("cpu_redis_s"));
                }
            }
        }
        write(runs, lines, repetitions, load);
    }

    private Map<String, Double> measure(String setup, String uri, ServerProcess redis, int lines)
            throws IOException, InterruptedException {
        Map<String, Double> figures = new LinkedHashMap<>();
        try (ServerProcess b = setup.equals("one-server") ? Servers.startChat(settings, Servers.BOUCLE)
                : Servers.startLinkedChat(settings, "chat-b", uri);
             ServerProcess a = setup.equals("across") ? Servers.startLinkedChat(settings, "chat-a", uri) : null) {
            int senderPort = a == null ? b.port() : a.port();
            double cpuA = a == null ? 0 : ProcessStats.cpuSeconds(a.pid());
            double cpuB = ProcessStats.cpuSeconds(b.pid());
            double cpuRedis = ProcessStats.cpuSeconds(redis.pid());
            LoadResult burst = a == null ? crowd.chatFanOut(b.port(), b.pid(), MEMBERS, lines)
                    : crowd.chatFanOutAcross(b.port(), senderPort, b.pid(), MEMBERS, lines);
            double seconds = burst.get("seconds");
            figures.put("lines_per_s", lines / seconds);
            figures.put("deliveries_per_s", burst.get("deliveries") / seconds);
            figures.put("burst_p50_us", burst.get("p50_us"));
            figures.put("burst_p99_us", burst.get("p99_us"));
            figures.put("cpu_a_s", a == null ? 0 : ProcessStats.cpuSeconds(a.pid()) - cpuA);
            figures.put("cpu_b_s", ProcessStats.cpuSeconds(b.pid()) - cpuB);
            figures.put("cpu_redis_s", ProcessStats.cpuSeconds(redis.pid()) - cpuRedis);
            figures.put("writes_per_line_per_member", burst.get("writes_per_line_per_member"));
        }
        // a fresh room for the paced run: the burst's 200 departures must not fall into it
        try (ServerProcess b = setup.equals("one-server") ? Servers.startChat(settings, Servers.BOUCLE)
                : Servers.startLinkedChat(settings, "chat-b", uri);
             ServerProcess a = setup.equals("across") ? Servers.startLinkedChat(settings, "chat-a", uri) : null) {
            LoadResult paced = crowd.chatPaced(b.port(), a == null ? b.port() : a.port(), b.pid(), MEMBERS, INTERVAL_MILLIS,
                    settings.quick() ? 0.5 : 1, settings.quick() ? 1 : PACED_SECONDS);
            figures.put("paced_p50_us", paced.get("p50_us"));
            figures.put("paced_p99_us", paced.get("p99_us"));
            figures.put("paced_max_us", paced.get("max_us"));
        }
        return figures;
    }

    private void write(Map<String, List<Map<String, Double>>> runs, int lines, int repetitions, double load)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d members on chat server B; the talker on B (one-server) or on A (across);"
                + " burst: %,d lines back to back; paced: a line every %d ms for %.0f s. Medians of %d alternated"
                + " repetitions, one loop per chat server, one redis-server; load average %.2f at the start."
                + " `java -jar bench/target/boucle-bench.jar redis-chat` (or `./boucle bench redis-chat`).%n%n",
                MEMBERS, lines, INTERVAL_MILLIS, PACED_SECONDS, repetitions, load));
        md.append("| set-up | burst lines/s | deliveries/s | ratio to one-server | burst p99 µs | paced p50 µs | paced p99 µs"
                + " | paced max µs | CPU A s | CPU B s | CPU Redis s | writes/line/member |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double anchor = median(runs.get("one-server"), "lines_per_s");
        for (Map.Entry<String, List<Map<String, Double>>> setup : runs.entrySet()) {
            List<Map<String, Double>> all = setup.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.3f |%n",
                    setup.getKey(), median(all, "lines_per_s"), median(all, "deliveries_per_s"),
                    median(all, "lines_per_s") / anchor, median(all, "burst_p99_us"), median(all, "paced_p50_us"),
                    median(all, "paced_p99_us"), median(all, "paced_max_us"), median(all, "cpu_a_s"), median(all, "cpu_b_s"),
                    median(all, "cpu_redis_s"), median(all, "writes_per_line_per_member")));
        }
        Files.createDirectories(settings.results());
        Files.writeString(settings.results().resolve("redis-chat-table.md"), md.toString());
    }

    private static double median(List<Map<String, Double>> runs, String key) {
        double[] values = runs.stream().mapToDouble(run -> run.get(key)).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
