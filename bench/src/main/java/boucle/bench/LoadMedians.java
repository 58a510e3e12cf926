package boucle.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The median of every metric over the repetitions of each (scenario, server) of a load table, and
 * the ratios of one server to another built on those medians.
 *
 * <pre>{@code
 * LoadMedians medians = new LoadMedians(Table.load(file));
 * double ratio = medians.ratio("100 conns x 64 B", "msgs_per_s", "boucle", "netty-nio");
 * }</pre>
 */
final class LoadMedians {
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private final Set<String> scenarios = new LinkedHashSet<>();
    private final Set<String> servers = new LinkedHashSet<>();
    private int repetitions;

    LoadMedians(Table load) {
        this(load, SocketLoad.METRICS);
    }

    /** Over the columns {@code metrics} of any table with server and repetition columns (scenario: optional). */
    LoadMedians(Table load, List<String> metrics) {
        for (Map<String, String> row : load.rows()) {
            String scenario = row.getOrDefault("scenario", "");
            scenarios.add(scenario);
            servers.add(row.get("server"));
            repetitions = Math.max(repetitions, Integer.parseInt(row.get("repetition")));
            for (String metric : metrics) {
                samples.computeIfAbsent(key(scenario, row.get("server")), k -> new LinkedHashMap<>())
                        .computeIfAbsent(metric, k -> new ArrayList<>())
                        .add(Double.parseDouble(row.get(metric)));
            }
        }
    }

    List<String> scenarios() {
        return List.copyOf(scenarios);
    }

    List<String> servers() {
        return List.copyOf(servers);
    }

    boolean has(String server) {
        return servers.contains(server);
    }

    int repetitions() {
        return repetitions;
    }

    /** The median of {@code metric}; NaN if that scenario did not run on that server. */
    double median(String scenario, String server, String metric) {
        Map<String, List<Double>> metrics = samples.get(key(scenario, server));
        return metrics == null ? Double.NaN : Stats.median(metrics.get(metric));
    }

    /** All samples of {@code metric}, in run order; empty if that scenario did not run on that server. */
    List<Double> samples(String scenario, String server, String metric) {
        Map<String, List<Double>> metrics = samples.get(key(scenario, server));
        return metrics == null ? List.of() : List.copyOf(metrics.get(metric));
    }

    /** median(server) / median(anchor); NaN if either is missing. */
    double ratio(String scenario, String metric, String server, String anchor) {
        return median(scenario, server, metric) / median(scenario, anchor, metric);
    }

    private static String key(String scenario, String server) {
        return scenario + "\u0000" + server;
    }
}
