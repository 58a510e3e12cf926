package boucle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pairs each Boucle microbenchmark ({@code boucle*} methods) with the baselines of the same class
 * and parameters, so the report can give the ratio measured in the same run.
 */
final class MicroPairs {
    /** One comparison: Boucle's score, a baseline's, both in ns per operation. */
    record Pair(String benchmark, String params, String boucleMethod, double boucleNs, double boucleError,
                String baselineMethod, double baselineNs) {
        double ratio() {
            return boucleNs / baselineNs;
        }
    }

    private MicroPairs() {
    }

    static List<Pair> of(Table micro) {
        List<Pair> pairs = new ArrayList<>();
        for (Map<String, String> boucle : micro.rows()) {
            if (!boucle.get("method").startsWith("boucle")) {
                continue;
            }
            for (Map<String, String> baseline : micro.rows()) {
                if (baseline.get("benchmark").equals(boucle.get("benchmark"))
                        && baseline.get("params").equals(boucle.get("params"))
                        && !baseline.get("method").startsWith("boucle")) {
                    pairs.add(new Pair(boucle.get("benchmark"), boucle.get("params"), boucle.get("method"),
                            Double.parseDouble(boucle.get("ns_per_op")), Double.parseDouble(boucle.get("error_ns")),
                            baseline.get("method"), Double.parseDouble(baseline.get("ns_per_op"))));
                }
            }
        }
        return pairs;
    }

    /** The Boucle score of a benchmark (first params), or NaN if it did not run. */
    static double boucleScore(List<Pair> pairs, String benchmark, String params) {
        return pairs.stream().filter(p -> p.benchmark().equals(benchmark) && (params == null || p.params().equals(params)))
                .mapToDouble(Pair::boucleNs).findFirst().orElse(Double.NaN);
    }

    static double ratio(List<Pair> pairs, String benchmark, String params, String baselineMethod) {
        return pairs.stream().filter(p -> p.benchmark().equals(benchmark) && p.params().equals(params)
                        && p.baselineMethod().equals(baselineMethod))
                .mapToDouble(Pair::ratio).findFirst().orElse(Double.NaN);
    }
}
