package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UringTargetsTest {
    /** Two rounds; Boucle io_uring at {@code rate} msgs/s and {@code p99}, the anchors fixed. */
    private static LoadMedians load(double rate, double p99, double cpu) {
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg");
        for (int round = 1; round <= 2; round++) {
            for (Scenario scenario : Scenario.ALL) {
                table.add(scenario.name(), UringServers.BOUCLE_URING, round, rate, 1, p99, cpu, 0.5);
                table.add(scenario.name(), UringServers.BOUCLE_NIO, round, 90, 1, 10, 2, 0.5);
                table.add(scenario.name(), UringServers.NETTY_URING, round, 100, 1, 10, 2, 0.4);
                table.add(scenario.name(), UringServers.NETTY_NIO, round, 90, 1, 10, 2, 0.4);
            }
        }
        return new LoadMedians(table, UringBench.METRICS);
    }

    private static Map<String, UringTargets.Check> byTarget(List<UringTargets.Check> checks) {
        return checks.stream().collect(Collectors.toMap(UringTargets.Check::target, Function.identity()));
    }

    private static Table idle(long uring, long nio) {
        Table table = IdleConnections.newTable();
        table.add(UringServers.BOUCLE_URING, 1000, uring, 0, 0, 0);
        table.add(UringServers.BOUCLE_NIO, 1000, nio, 0, 0, 0);
        return table;
    }

    @Test
    void fasterLeanerAndQuickerThanTheAnchorsMeetsEveryTarget() {
        List<UringTargets.Check> checks = new UringTargets(load(110, 9, 1.5), new Table(), new Table(), idle(1500, 2000))
                .evaluate();

        assertEquals(5 + 2 + 5 + 5 + 1, checks.size());
        checks.forEach(check -> assertTrue(check.met(), check.target() + ": " + check.measured()));
    }

    @Test
    void aMissSaysWhereEachServersCpuWent() {
        Table syscalls = new Table("scenario", "server", "calls_per_msg");
        syscalls.add("100 conns x 64 B", UringServers.BOUCLE_URING, "0.5000");
        var checks = byTarget(new UringTargets(load(95, 9, 3), syscalls, new Table(), new Table()).evaluate());

        UringTargets.Check throughput = checks.get("100 conns x 64 B: msgs/s ≥ Netty io_uring");
        assertFalse(throughput.met());
        assertEquals("0.95x (95 vs 100 msgs/s, rounds 0.95–0.95)", throughput.measured());
        assertTrue(throughput.reason().contains("boucle-io_uring 3.00 µs CPU/msg (kernel 2.50, user 0.50), 0.50 calls/msg"),
                throughput.reason());
        assertTrue(throughput.reason().contains("netty-io_uring 2.00 µs CPU/msg (kernel 1.60, user 0.40)"),
                throughput.reason());
        assertFalse(checks.get("100 conns x 64 B: msgs/s ≥ 1.1 × Netty NIO").met(), "95 < 1.1 × 90");
        assertFalse(checks.get("1 conn x 64 B: server CPU/msg ≤ Netty io_uring").met());
        assertTrue(checks.get("1 conn x 64 B: p99 ≤ Netty NIO").met());
    }

    @Test
    void anIdleConnectionHeavierOnTheRingThanOnNioMissesEvenUnderTwoKiB() {
        var checks = byTarget(new UringTargets(load(110, 9, 1.5), new Table(), new Table(), idle(1900, 1800))
                .evaluate());

        assertFalse(checks.get("heap per idle connection on io_uring ≤ 2 KiB and ≤ NIO's").met());
    }

    @Test
    void withoutBoucleOnIoUringNothingIsJudged() {
        Table anchors = new Table("scenario", "server", "repetition", "msgs_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg");
        anchors.add("s", UringServers.NETTY_NIO, 1, 1, 1, 1, 1, 1);

        assertTrue(new UringTargets(new LoadMedians(anchors, UringBench.METRICS), new Table(), new Table(), new Table())
                .evaluate().isEmpty());
    }
}
