package boucle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The targets of issue 13, checked against the medians of one {@link UringBench} run. Each miss
 * carries the facts that explain it, from the same run: where the CPU of each server went (kernel
 * or user, from {@code /proc}), its system calls per message, and Boucle's hottest Java frames (JFR).
 * <ul>
 *   <li>Boucle io_uring msgs/s ≥ Netty io_uring's, every scenario;</li>
 *   <li>Boucle io_uring msgs/s ≥ 1.1 × Netty NIO's in 100 × 64 B and 1,000 × 1 KiB;</li>
 *   <li>Boucle io_uring server CPU per message ≤ Netty io_uring's, every scenario;</li>
 *   <li>Boucle io_uring p99 ≤ Netty NIO's, every scenario;</li>
 *   <li>heap per idle connection on io_uring ≤ 2 KiB (the NIO path's bound).</li>
 * </ul>
 */
final class UringTargets {
    private static final String BU = UringServers.BOUCLE_URING;
    private static final String BN = UringServers.BOUCLE_NIO;
    private static final String NU = UringServers.NETTY_URING;
    private static final String NN = UringServers.NETTY_NIO;
    static final List<String> TEN_PERCENT_SCENARIOS = List.of("100 conns x 64 B", "1,000 conns x 1 KiB");

    /** One row of the targets table. */
    record Check(String target, String measured, boolean met, String reason) {
    }

    private final LoadMedians load;
    private final Table syscalls;
    private final Table profile;
    private final Table idle;

    UringTargets(LoadMedians load, Table syscalls, Table profile, Table idle) {
        this.load = load;
        this.syscalls = syscalls;
        this.profile = profile;
        this.idle = idle;
    }

    List<Check> evaluate() {
        List<Check> checks = new ArrayList<>();
        if (!load.has(BU)) {
            return checks;
        }
        for (String scenario : load.scenarios()) {
            checks.add(atLeast(scenario, "msgs_per_s", NU, 1.0, "msgs/s ≥ Netty io_uring"));
        }
        for (String scenario : TEN_PERCENT_SCENARIOS) {
            checks.add(atLeast(scenario, "msgs_per_s", NN, 1.1, "msgs/s ≥ 1.1 × Netty NIO"));
        }
        for (String scenario : load.scenarios()) {
            checks.add(atMost(scenario, "server_cpu_us_per_msg", NU, "server CPU/msg ≤ Netty io_uring"));
        }
        for (String scenario : load.scenarios()) {
            checks.add(atMost(scenario, "p99_us", NN, "p99 ≤ Netty NIO"));
        }
        double uring = idleHeap(BU);
        double nio = idleHeap(BN);
        if (!Double.isNaN(uring)) {
            boolean met = uring <= UringReport.IDLE_HEAP_BOUND && (Double.isNaN(nio) || uring <= nio);
            checks.add(new Check("heap per idle connection on io_uring ≤ 2 KiB and ≤ NIO's",
                    String.format(Locale.ROOT, "%.0f B (NIO %.0f B)", uring, nio), met,
                    met ? "" : "see what an idle connection is made of, below"));
        }
        return checks;
    }

    void appendTo(StringBuilder md) {
        List<Check> checks = evaluate();
        md.append("### Targets (issue 13)\n\n");
        if (checks.isEmpty()) {
            md.append("Not checked: Boucle on io_uring did not run.\n\n");
            return;
        }
        long met = checks.stream().filter(Check::met).count();
        md.append(met).append(" of ").append(checks.size()).append(" met. The ratio is of medians; the range is"
                + " the lowest and highest ratio of a single round (servers alternate, so each round's pair ran"
                + " seconds apart). A miss gives the facts of the same run that explain it.\n\n");
        md.append("| target | measured | verdict | why, from this run |\n|---|---|---|---|\n");
        for (Check check : checks) {
            md.append("| ").append(check.target()).append(" | ").append(check.measured()).append(" | ")
                    .append(check.met() ? "met" : "**missed**").append(" | ").append(check.reason()).append(" |\n");
        }
        String frames = topFrames(BU, 5);
        if (!frames.isEmpty()) {
            md.append("\nWhere Boucle on io_uring spends its user time (JFR, ").append(UringBench.PROFILED.name())
                    .append(", top frames): ").append(frames).append("; the profiles below have more.\n");
        }
    }

    /** The {@code count} hottest top frames of {@code server}'s profile with their share, or "". */
    private String topFrames(String server, int count) {
        List<Map<String, String>> frames = profile.rows().stream().filter(row -> row.get("server").equals(server)).toList();
        if (frames.size() <= 2) {
            return "";
        }
        double javaSamples = Double.parseDouble(frames.get(0).get("samples"));
        List<String> hottest = new ArrayList<>();
        for (Map<String, String> row : frames.subList(2, Math.min(2 + count, frames.size()))) {
            String frame = row.get("frame");
            String shortName = frame.substring(frame.lastIndexOf('.', frame.lastIndexOf('.') - 1) + 1);
            hottest.add(String.format(Locale.ROOT, "`%s` %.0f%%", shortName,
                    100 * Double.parseDouble(row.get("samples")) / javaSamples));
        }
        return String.join(", ", hottest);
    }

    private Check atLeast(String scenario, String metric, String anchor, double factor, String what) {
        double ratio = load.ratio(scenario, metric, BU, anchor);
        boolean met = ratio >= factor;
        return new Check(scenario + ": " + what, measured(scenario, metric, anchor, ratio), met,
                met ? "" : cpuFacts(scenario, anchor));
    }

    private Check atMost(String scenario, String metric, String anchor, String what) {
        double ratio = load.ratio(scenario, metric, BU, anchor);
        boolean met = ratio <= 1.0;
        return new Check(scenario + ": " + what, measured(scenario, metric, anchor, ratio), met,
                met ? "" : cpuFacts(scenario, anchor));
    }

    private String measured(String scenario, String metric, String anchor, double ratio) {
        List<Double> ours = load.samples(scenario, BU, metric);
        List<Double> theirs = load.samples(scenario, anchor, metric);
        double low = Double.MAX_VALUE;
        double high = -Double.MAX_VALUE;
        for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
            low = Math.min(low, ours.get(i) / theirs.get(i));
            high = Math.max(high, ours.get(i) / theirs.get(i));
        }
        String range = ours.size() > 1 ? String.format(Locale.ROOT, ", rounds %.2f–%.2f", low, high) : "";
        String unit = switch (metric) {
            case "msgs_per_s" -> "%,.0f vs %,.0f msgs/s";
            case "p99_us" -> "%,.0f vs %,.0f µs";
            default -> "%.2f vs %.2f µs";
        };
        return String.format(Locale.ROOT, "%.2fx (" + unit + "%s)", ratio, load.median(scenario, BU, metric),
                load.median(scenario, anchor, metric), range);
    }

    /** Where the CPU went in Boucle io_uring and in the anchor (kernel or user), and their system calls. */
    private String cpuFacts(String scenario, String anchor) {
        StringBuilder why = new StringBuilder();
        for (String server : List.of(BU, anchor)) {
            double cpu = load.median(scenario, server, "server_cpu_us_per_msg");
            double user = load.median(scenario, server, "server_user_us_per_msg");
            why.append(String.format(Locale.ROOT, "%s %.2f µs CPU/msg (kernel %.2f, user %.2f)", server, cpu,
                    cpu - user, user));
            double calls = callsPerMessage(scenario, server);
            if (!Double.isNaN(calls)) {
                why.append(String.format(Locale.ROOT, ", %.2f calls/msg", calls));
            }
            why.append("; ");
        }
        return why.toString().replaceAll("; $", "");
    }

    private double callsPerMessage(String scenario, String server) {
        return syscalls.rows().stream()
                .filter(row -> row.get("scenario").equals(scenario) && row.get("server").equals(server))
                .mapToDouble(row -> UringReport.value(row, "calls_per_msg")).findFirst().orElse(Double.NaN);
    }

    private double idleHeap(String server) {
        return idle.rows().stream().filter(row -> row.get("server").equals(server))
                .mapToDouble(row -> Double.parseDouble(row.get("heap_bytes_per_conn"))).findFirst().orElse(Double.NaN);
    }
}
