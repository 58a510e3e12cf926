package boucle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The targets, checked against the figures of one run. A target whose figures are missing
 * (that part did not run) is reported as not measured, never as met.
 */
final class Targets {
    /** One target: what it asks, what was measured, and whether it is met (null: not measured). */
    record Check(String target, String measured, Boolean met) {
        String verdict() {
            return met == null ? "not measured" : met ? "met" : "**missed**";
        }
    }

    private Targets() {
    }

    static List<Check> evaluate(LoadMedians load, List<MicroPairs.Pair> micro, Table tasks, Table idle) {
        List<Check> checks = new ArrayList<>();
        checks.addAll(echo(load));
        double interrupt1 = MicroPairs.ratio(micro, "InterruptBenchmark", "tasks=1", "rawContinuationYield");
        double interrupt1000 = MicroPairs.ratio(micro, "InterruptBenchmark", "tasks=1000", "rawContinuationYield");
        checks.add(check("interrupt() round trip <= 1.5x raw continuation (1 task / 1,000 tasks)",
                String.format("%.2fx / %.2fx", interrupt1, interrupt1000),
                Math.max(interrupt1, interrupt1000), 1.5));
        double spawn = MicroPairs.boucleScore(micro, "SpawnBenchmark", null);
        checks.add(check("spawn + finish of an empty task <= 1 us", String.format("%.0f ns", spawn), spawn, 1000));
        checks.addAll(memory(tasks, idle));
        return checks;
    }

    private static List<Check> echo(LoadMedians load) {
        List<Check> checks = new ArrayList<>();
        if (!load.has(Servers.BOUCLE)) {
            checks.add(new Check("echo targets (throughput, CPU per message, p99 vs Netty and virtual threads)",
                    "Boucle's echo server was not available in this run", null));
            return checks;
        }
        double minNetty = Double.MAX_VALUE;
        double maxCpu = 0;
        double maxP99 = 0;
        for (String scenario : load.scenarios()) {
            minNetty = Math.min(minNetty, load.ratio(scenario, "msgs_per_s", Servers.BOUCLE, Servers.NETTY));
            maxCpu = Math.max(maxCpu, load.ratio(scenario, "server_cpu_us_per_msg", Servers.BOUCLE, Servers.NETTY));
            maxP99 = Math.max(maxP99, load.ratio(scenario, "p99_us", Servers.BOUCLE, Servers.NETTY));
        }
        checks.add(atLeast("echo throughput >= 1.0x Netty NIO in every scenario",
                String.format("worst %.2fx", minNetty), minNetty, 1.0));
        double vt = load.ratio(Scenario.ALL.get(1).name(), "msgs_per_s", Servers.BOUCLE, Servers.VIRTUAL_THREADS);
        checks.add(atLeast("echo throughput >= 1.8x virtual threads at 100 connections",
                String.format("%.2fx", vt), vt, 1.8));
        checks.add(check("server CPU time per message <= Netty NIO's", String.format("worst %.2fx", maxCpu), maxCpu, 1.0));
        checks.add(check("p99 latency <= Netty NIO's", String.format("worst %.2fx", maxP99), maxP99, 1.0));
        return checks;
    }

    private static List<Check> memory(Table tasks, Table idle) {
        List<Check> checks = new ArrayList<>();
        if (tasks.rows().isEmpty()) {
            checks.add(new Check("1,000,000 sleeping tasks in <= 1 GiB heap", "did not run or did not fit", null));
            checks.add(new Check("while every task sleeps, the loop uses no CPU", "did not run", null));
        } else {
            Map<String, String> row = tasks.rows().getFirst();
            double heap = Double.parseDouble(row.get("live_heap_mib"));
            checks.add(check("1,000,000 sleeping tasks in <= 1 GiB heap", String.format("%s tasks: %.0f MiB live, %s B/task (-Xmx1g)",
                    row.get("tasks"), heap, row.get("heap_bytes_per_task")), heap, 1024));
            double cpu = Double.parseDouble(row.get("loop_cpu_ms"));
            long turns = Long.parseLong(row.get("loop_turns"));
            double window = Double.parseDouble(row.get("quiet_window_ms"));
            // "no CPU": the loop makes no turn but the one that ends the window (it never polls), and
            // its thread's CPU time stays within the clock's noise, under 0.1 % of the window
            checks.add(new Check("while every task sleeps, the loop uses no CPU", String.format(
                    "%.3f ms of loop-thread CPU and %d loop turn(s) in %.0f ms", cpu, turns, window),
                    cpu <= window / 1000 && turns <= 1));
        }
        Map<String, String> boucle = idle.rows().stream().filter(r -> r.get("server").equals(Servers.BOUCLE))
                .findFirst().orElse(null);
        if (boucle == null) {
            checks.add(new Check("<= 2 KiB retained heap per idle connection", "Boucle's echo server was not available", null));
        } else {
            double perConnection = Double.parseDouble(boucle.get("heap_bytes_per_conn"));
            checks.add(check("<= 2 KiB retained heap per idle connection", String.format("%.0f B with %s connections",
                    perConnection, boucle.get("connections")), perConnection, 2048));
        }
        return checks;
    }

    private static Check check(String target, String measured, double value, double limit) {
        return new Check(target, measured, Double.isNaN(value) ? null : value <= limit);
    }

    private static Check atLeast(String target, String measured, double value, double floor) {
        return new Check(target, measured, Double.isNaN(value) ? null : value >= floor);
    }
}
