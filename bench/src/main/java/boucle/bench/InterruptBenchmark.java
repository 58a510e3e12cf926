package boucle.bench;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Routine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@code interrupt()} round trip (the task goes to the end of the ready FIFO, the loop makes a
 * turn, the task is resumed), with 1 and with 1,000 tasks taking turns, against the same number of
 * bare JDK continuations resumed round-robin. Target: at most 1.5 times the bare continuation.
 *
 * <p>The 1,000-task case keeps 999 tasks interrupting forever and times a 1,000th that interrupts
 * a fixed number of times, so each invocation counts whole turns of all of them.
 */
public class InterruptBenchmark extends Microbenchmark {
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
