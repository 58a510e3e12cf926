package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private static Table load(double boucleRate, double boucleP99) {
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "mib_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg", "client_cpu_s");
        for (Scenario scenario : Scenario.ALL) {
            table.add(scenario.name(), Servers.BOUCLE, 1, boucleRate, 1, 1, boucleP99, 1, 1, 1);
            table.add(scenario.name(), Servers.NETTY, 1, 100, 1, 1, 10, 1, 1, 1);
            table.add(scenario.name(), Servers.VIRTUAL_THREADS, 1, 50, 1, 1, 10, 1, 1, 1);
        }
        return table;
    }

    private static Map<String, Targets.Check> byTarget(List<Targets.Check> checks) {
        return checks.stream().collect(Collectors.toMap(Targets.Check::target, Function.identity()));
    }

    @Test
    void echoTargetsAreMetOnlyWhenEveryScenarioMeetsThem() {
        var met = byTarget(Targets.evaluate(new LoadMedians(load(100, 10)), List.of(), new Table(), new Table()));
        var slow = byTarget(Targets.evaluate(new LoadMedians(load(99, 11)), List.of(), new Table(), new Table()));

        assertEquals(true, met.get("echo throughput >= 1.0x Netty NIO in every scenario").met());
        assertEquals(true, met.get("echo throughput >= 1.8x virtual threads at 100 connections").met());
        assertEquals(false, slow.get("echo throughput >= 1.0x Netty NIO in every scenario").met());
        assertEquals(false, slow.get("p99 latency <= Netty NIO's").met());
    }

    @Test
    void aPartThatDidNotRunIsNotMeasuredRatherThanMet() {
        Table anchorsOnly = new Table("scenario", "server", "repetition", "msgs_per_s", "mib_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg", "client_cpu_s");
        anchorsOnly.add("s", Servers.NETTY, 1, 1, 1, 1, 1, 1, 1, 1);

        List<Targets.Check> checks = Targets.evaluate(new LoadMedians(anchorsOnly), List.of(), new Table(), new Table());

        checks.forEach(check -> assertNull(check.met(), check.target() + " should not be judged: " + check.measured()));
    }

    @Test
    void aLoopThatTurnsWhileTasksSleepMissesTheNoCpuTarget() {
        Table tasks = new Table("tasks", "heap_bytes_per_task", "live_heap_mib", "max_heap_mib", "quiet_window_ms",
                "loop_cpu_ms", "loop_turns");
        tasks.add(1_000_000, 900, 900, 1024, 3000, "0.2", 40);

        var checks = byTarget(Targets.evaluate(new LoadMedians(new Table()), List.of(), tasks, new Table()));

        assertEquals(true, checks.get("1,000,000 sleeping tasks in <= 1 GiB heap").met());
        assertEquals(false, checks.get("while every task sleeps, the loop uses no CPU").met());
    }
}
