package boucle.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one load-generator run, parsed from its one output line
 * ({@code result connections=100 ... msgs_per_s=181234 ...}).
 *
 * <pre>{@code
 * LoadResult result = LoadResult.parse(line);
 * double rate = result.get("msgs_per_s");
 * }</pre>
 */
record LoadResult(Map<String, Double> values) {
    static final String PREFIX = "result ";

    /** Throws if {@code line} is not a result line or lacks a value, naming what is wrong. */
    static LoadResult parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a load-generator result line: " + line);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (String pair : line.substring(PREFIX.length()).trim().split("\\s+")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not key=value in: " + line);
            }
            values.put(pair.substring(0, equals), Double.parseDouble(pair.substring(equals + 1)));
        }
        return new LoadResult(Map.copyOf(values));
    }

    double get(String key) {
        Double value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("the load generator reported no '" + key + "': " + values);
        }
        return value;
    }
}
