package boucle.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures of the hardening parts ({@link Fairness}, {@link ChatLoad}, {@link BeforeAfter}) as
 * saved by the last run, with the medians the report and the bars are built on. A part that did not
 * run has an empty table here.
 *
 * @param fairness    light client under floods, per echo server
 * @param fanOut      chat fan-out, per chat server
 * @param flood       chat line flood, per chat server
 * @param beforeAfter echo throughput, this build and the build before
 */
record Hardening(LoadMedians fairness, LoadMedians fanOut, LoadMedians flood, LoadMedians beforeAfter) {
    /** The one scenario name of the tables that have no scenario column. */
    static final String ONLY = "";

    static Hardening load(Path work) throws IOException {
        return new Hardening(
                new LoadMedians(Table.load(work.resolve(Fairness.FILE)), Fairness.COLUMNS),
                new LoadMedians(Table.load(work.resolve(ChatLoad.FAN_OUT_FILE)), ChatLoad.FAN_OUT_COLUMNS),
                new LoadMedians(Table.load(work.resolve(ChatLoad.FLOOD_FILE)), ChatLoad.FLOOD_COLUMNS),
                new LoadMedians(Table.load(work.resolve(BeforeAfter.FILE)), BeforeAfter.METRICS));
    }

    /** The machine's load average at the start of each run, beside the figures it may explain. */
    static final String LOAD = "load_avg";

    static List<String> withLoad(List<String> metrics) {
        List<String> columns = new ArrayList<>(metrics);
        columns.add(LOAD);
        return List.copyOf(columns);
    }

    /** The lowest and highest of a metric's samples, "a–b", to show the spread behind a median. */
    static String range(LoadMedians medians, String scenario, String server, String metric, double scale, String format) {
        var samples = medians.samples(scenario, server, metric);
        if (samples.isEmpty()) {
            return "-";
        }
        double low = samples.stream().mapToDouble(Double::doubleValue).min().orElseThrow() * scale;
        double high = samples.stream().mapToDouble(Double::doubleValue).max().orElseThrow() * scale;
        return String.format(format + "–" + format, low, high);
    }

    /**
     * this build / the build before, per repetition (they ran back to back), lowest to highest:
     * the noise of the before/after ratio.
     */
    static double[] pairedRatios(LoadMedians medians, String scenario, String metric) {
        var after = medians.samples(scenario, Servers.BOUCLE, metric);
        var before = medians.samples(scenario, Servers.BOUCLE_BEFORE, metric);
        int n = Math.min(after.size(), before.size());
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
            ratios[i] = after.get(i) / before.get(i);
        }
        java.util.Arrays.sort(ratios);
        return ratios;
    }
}
