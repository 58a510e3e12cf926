package boucle.bench;

import boucle.core.Boucle;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code interrupt()} round trip (the task goes to the end of the ready FIFO, the loop makes a
 * turn, the task is resumed), with 1 and with 1,000 tasks taking turns, against the same number of
 * bare JDK continuations resumed round-robin. Target: at most 1.5 times the bare continuation.
 *
 * <p>The 1,000-task case keeps 999 tasks interrupting forever and times a 1,000th that interrupts
 * a fixed number of times, so each invocation counts whole turns of all of them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InterruptBenchmark {
    static final int ROUNDS = 100_000;

    @Param({"1", "1000"})
    int tasks;

    private Loop loop;
    private RawContinuations raw;

    @Setup
    public void setUp() {
        loop = new Loop();
        for (int i = 1; i < tasks; i++) {
            loop.spawn((Routine) () -> {
                while (true) {
                    Boucle.interrupt();
                }
            });
        }
        raw = new RawContinuations(tasks);
    }

    @TearDown
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void boucleInterrupt() {
        int turns = ROUNDS / tasks;
        loop.runUntilComplete(loop.spawn((Routine) () -> {
            for (int turn = 0; turn < turns; turn++) {
                Boucle.interrupt();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void rawContinuationYield() {
        raw.resumeRoundRobin(ROUNDS / tasks);
    }
}
