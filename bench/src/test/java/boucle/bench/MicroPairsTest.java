package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MicroPairsTest {
    @Test
    void eachBoucleScoreIsPairedWithTheBaselinesOfTheSameClassAndParams() {
        Table micro = new Table("benchmark", "method", "params", "ns_per_op", "error_ns");
        micro.add("InterruptBenchmark", "boucleInterrupt", "tasks=1", "120", "1");
        micro.add("InterruptBenchmark", "rawContinuationYield", "tasks=1", "80", "1");
        micro.add("InterruptBenchmark", "boucleInterrupt", "tasks=1000", "300", "1");
        micro.add("InterruptBenchmark", "rawContinuationYield", "tasks=1000", "150", "1");
        micro.add("SpawnBenchmark", "boucleSpawnAndFinish", "-", "250", "1");

        List<MicroPairs.Pair> pairs = MicroPairs.of(micro);

        assertEquals(2, pairs.size());
        assertEquals(1.5, MicroPairs.ratio(pairs, "InterruptBenchmark", "tasks=1", "rawContinuationYield"));
        assertEquals(2.0, MicroPairs.ratio(pairs, "InterruptBenchmark", "tasks=1000", "rawContinuationYield"));
        assertEquals(Double.NaN, MicroPairs.boucleScore(pairs, "SpawnBenchmark", null),
                "a Boucle benchmark without a baseline makes no pair");
    }
}
