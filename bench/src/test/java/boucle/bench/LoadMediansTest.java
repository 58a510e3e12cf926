package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadMediansTest {
    private static Table load() {
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "mib_per_s", "p50_us", "p99_us",
                "server_cpu_us_per_msg", "server_user_us_per_msg", "client_cpu_s");
        table.add("s", "boucle", 1, 100, 1, 1, 1, 1, 1, 1);
        table.add("s", "netty-nio", 1, 90, 1, 1, 2, 1, 1, 1);
        table.add("s", "boucle", 2, 300, 1, 1, 1, 1, 1, 1);
        table.add("s", "netty-nio", 2, 100, 1, 1, 2, 1, 1, 1);
        table.add("s", "boucle", 3, 200, 1, 1, 1, 1, 1, 1);
        table.add("s", "netty-nio", 3, 1000, 1, 1, 2, 1, 1, 1);
        return table;
    }

    @Test
    void ratioIsBetweenTheMediansOfTheRepetitions() {
        LoadMedians medians = new LoadMedians(load());

        assertEquals(200, medians.median("s", "boucle", "msgs_per_s"));
        assertEquals(2.0, medians.ratio("s", "msgs_per_s", "boucle", "netty-nio"));
        assertEquals(0.5, medians.ratio("s", "p99_us", "boucle", "netty-nio"));
        assertEquals(3, medians.repetitions());
        assertEquals(List.of("boucle", "netty-nio"), medians.servers());
    }

    @Test
    void aServerThatDidNotRunHasNoMedian() {
        LoadMedians medians = new LoadMedians(load());

        assertTrue(Double.isNaN(medians.ratio("s", "msgs_per_s", "boucle", "virtual-threads")));
    }
}
