package boucle.bench;

import boucle.core.Loop;
import boucle.core.Routine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spawn and finish of an empty task (created, queued, run to its end, unlinked from the loop),
 * against creating a bare JDK continuation and running it to its end. Target: at most 1 µs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpawnBenchmark {
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
