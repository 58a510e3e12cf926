package boucle.bench;

import boucle.core.Loop;
import boucle.core.Routine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Spawn and finish of an empty task (created, queued, run to its end, unlinked from the loop),
 * against creating a bare JDK continuation and running it to its end. Target: at most 1 µs.
 */
public class SpawnBenchmark extends Microbenchmark {
    /** Per invocation, so that the loop's once-per-run entry check is spread thin. */
    static final int TASKS = 10_000;
    private static final Routine EMPTY = () -> { };
    private static final Runnable EMPTY_BODY = () -> { };

    private Loop loop;

    @Setup
    public void setUp() {
        loop = new Loop();
    }

    @TearDown
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void boucleSpawnAndFinish() {
        for (int i = 0; i < TASKS; i++) {
            loop.spawn(EMPTY);
        }
        loop.run();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public boolean rawContinuationRunToEnd() {
        boolean done = true;
        for (int i = 0; i < TASKS; i++) {
            done &= RawContinuations.runToEnd(EMPTY_BODY);
        }
        return done;
    }
}
