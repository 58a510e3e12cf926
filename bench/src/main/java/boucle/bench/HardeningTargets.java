package boucle.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The bars of the hardening issue, checked against the figures of one run. Each ratio is taken
 * against an anchor measured in the same run; where the build before was measured too, its figure
 * is given beside, for the before/after story. A bar whose figures are missing is not measured,
 * never met.
 */
final class HardeningTargets {
    static final String FAIRNESS = "echo: light client's p99 under two full-duplex floods <= 1.5x Netty NIO's";
    static final String FAN_OUT_WRITES = "chat, 2,000 members: write calls per line per member <= 0.3";
    static final String FAN_OUT_P99 = "chat, 2,000 members: delivery p99 <= 2x the Netty chat's";
    static final String FLOOD_P99 = "chat line flood: a normal line's delivery p99 <= 50 ms";
    static final String THROUGHPUT = "echo throughput, 100 x 64 B and 1,000 x 1 KiB: >= 0.98x the build before";

    private HardeningTargets() {
    }

    static List<Targets.Check> evaluate(Hardening figures) {
        List<Targets.Check> checks = new ArrayList<>();
        checks.add(ratioAtMost(FAIRNESS, figures.fairness(), "p99_us", Servers.NETTY, 1.5));
        checks.add(valueAtMost(FAN_OUT_WRITES, figures.fanOut(), "writes_per_line_per_member", 1, "%.2f", 0.3));
        checks.add(ratioAtMost(FAN_OUT_P99, figures.fanOut(), "p99_us", Servers.NETTY_CHAT, 2.0));
        checks.add(valueAtMost(FLOOD_P99, figures.flood(), "p99_us", 1e-3, "%.1f ms", 50));
        checks.add(throughput(figures.beforeAfter()));
        return checks;
    }

    private static Targets.Check ratioAtMost(String target, LoadMedians medians, String metric, String anchor, double limit) {
        if (!medians.has(Servers.BOUCLE) || !medians.has(anchor)) {
            return new Targets.Check(target, "Boucle or the anchor did not run", null);
        }
        double ratio = medians.ratio(Hardening.ONLY, metric, Servers.BOUCLE, anchor);
        String measured = String.format("%.2fx", ratio) + (medians.has(Servers.BOUCLE_BEFORE)
                ? String.format(" (build before: %.2fx)", medians.ratio(Hardening.ONLY, metric, Servers.BOUCLE_BEFORE, anchor))
                : "");
        return new Targets.Check(target, measured, Double.isNaN(ratio) ? null : ratio <= limit);
    }

    private static Targets.Check valueAtMost(String target, LoadMedians medians, String metric, double scale,
            String format, double limit) {
        if (!medians.has(Servers.BOUCLE)) {
            return new Targets.Check(target, "Boucle's chat did not run", null);
        }
        double value = medians.median(Hardening.ONLY, Servers.BOUCLE, metric) * scale;
        String measured = String.format(format, value) + (medians.has(Servers.BOUCLE_BEFORE)
                ? " (build before: " + String.format(format, medians.median(Hardening.ONLY, Servers.BOUCLE_BEFORE, metric) * scale) + ")"
                : "");
        return new Targets.Check(target, measured, Double.isNaN(value) ? null : value <= limit);
    }

    private static Targets.Check throughput(LoadMedians beforeAfter) {
        if (!beforeAfter.has(Servers.BOUCLE) || !beforeAfter.has(Servers.BOUCLE_BEFORE)) {
            return new Targets.Check(THROUGHPUT, "no build before was given (./boucle bench --before REF)", null);
        }
        double worst = Double.MAX_VALUE;
        List<String> measured = new ArrayList<>();
        for (String scenario : beforeAfter.scenarios()) {
            double ratio = beforeAfter.ratio(scenario, "msgs_per_s", Servers.BOUCLE, Servers.BOUCLE_BEFORE);
            worst = Math.min(worst, ratio);
            measured.add(String.format("%.2fx", ratio));
        }
        return new Targets.Check(THROUGHPUT, String.join(" / ", measured), Double.isNaN(worst) ? null : worst >= 0.98);
    }
}
