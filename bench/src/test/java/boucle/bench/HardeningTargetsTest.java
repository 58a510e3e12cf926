package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HardeningTargetsTest {
    private static final LoadMedians NONE = new LoadMedians(new Table());

    private static LoadMedians fairness(double boucleP99, double beforeP99) {
        Table table = new Table("server", "repetition", "pings", "p50_us", "p99_us", "max_us", "flood_mib_per_s", "server_cpu_s");
        table.add(Servers.BOUCLE, 1, 1000, 300, boucleP99, 1, 1, 1);
        table.add(Servers.BOUCLE_BEFORE, 1, 1000, 300, beforeP99, 1, 1, 1);
        table.add(Servers.NETTY, 1, 1000, 300, 7000, 1, 1, 1);
        return new LoadMedians(table, Fairness.METRICS);
    }

    private static LoadMedians fanOut(double writesPerLine, double boucleP99) {
        Table table = new Table("server", "repetition", "deliveries", "writes_per_line_per_member", "server_cpu_s",
                "p50_us", "p99_us", "max_us", "seconds");
        table.add(Servers.BOUCLE, 1, 400000, writesPerLine, 1, 1, boucleP99, 1, 1);
        table.add(Servers.NETTY_CHAT, 1, 400000, 0.15, 1, 1, 130_000, 1, 1);
        return new LoadMedians(table, ChatLoad.FAN_OUT_METRICS);
    }

    private static LoadMedians beforeAfter(double afterRate) {
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "mib_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg", "client_cpu_s");
        for (Scenario scenario : BeforeAfter.SCENARIOS) {
            table.add(scenario.name(), Servers.BOUCLE, 1, afterRate, 1, 1, 1, 1, 1, 1);
            table.add(scenario.name(), Servers.BOUCLE_BEFORE, 1, 100, 1, 1, 1, 1, 1, 1);
        }
        return new LoadMedians(table);
    }

    private static Map<String, Targets.Check> byTarget(List<Targets.Check> checks) {
        return checks.stream().collect(Collectors.toMap(Targets.Check::target, Function.identity()));
    }

    @Test
    void fairnessIsJudgedAgainstNettyOfTheSameRunAndShowsTheBuildBefore() {
        var met = byTarget(HardeningTargets.evaluate(new Hardening(fairness(10_000, 35_000), NONE, NONE, NONE)));
        var missed = byTarget(HardeningTargets.evaluate(new Hardening(fairness(11_000, 35_000), NONE, NONE, NONE)));

        assertEquals(true, met.get(HardeningTargets.FAIRNESS).met());
        assertEquals("1.43x (build before: 5.00x)", met.get(HardeningTargets.FAIRNESS).measured());
        assertEquals(false, missed.get(HardeningTargets.FAIRNESS).met());
    }

    @Test
    void fanOutNeedsFewWritesAndATailWithinTwiceNettys() {
        var met = byTarget(HardeningTargets.evaluate(new Hardening(NONE, fanOut(0.2, 250_000), NONE, NONE)));
        var tooManyWrites = byTarget(HardeningTargets.evaluate(new Hardening(NONE, fanOut(1.01, 250_000), NONE, NONE)));
        var slowTail = byTarget(HardeningTargets.evaluate(new Hardening(NONE, fanOut(0.2, 270_000), NONE, NONE)));

        assertEquals(true, met.get(HardeningTargets.FAN_OUT_WRITES).met());
        assertEquals(true, met.get(HardeningTargets.FAN_OUT_P99).met());
        assertEquals(false, tooManyWrites.get(HardeningTargets.FAN_OUT_WRITES).met());
        assertEquals(false, slowTail.get(HardeningTargets.FAN_OUT_P99).met());
    }

    @Test
    void throughputMayDropTwoPercentAtMost() {
        var kept = byTarget(HardeningTargets.evaluate(new Hardening(NONE, NONE, NONE, beforeAfter(98))));
        var dropped = byTarget(HardeningTargets.evaluate(new Hardening(NONE, NONE, NONE, beforeAfter(97))));

        assertEquals(true, kept.get(HardeningTargets.THROUGHPUT).met());
        assertEquals(false, dropped.get(HardeningTargets.THROUGHPUT).met());
    }

    @Test
    void aScenarioThatDidNotRunIsNotMeasuredRatherThanMet() {
        List<Targets.Check> checks = HardeningTargets.evaluate(new Hardening(NONE, NONE, NONE, NONE));

        assertEquals(5, checks.size());
        checks.forEach(check -> assertNull(check.met(), check.target() + " should not be judged: " + check.measured()));
        assertTrue(checks.getLast().measured().contains("--before"));
    }
}
