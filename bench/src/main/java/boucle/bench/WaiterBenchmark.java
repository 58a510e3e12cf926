package boucle.bench;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Routine;
import boucle.core.Waiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link Waiter} wake-up: 1,000 tasks wait on one gate; each round a controller task replaces the
 * gate and sets the old one, which wakes all 1,000; each resumes and parks again on the new gate.
 * The score is per woken task (wake, resume, park again). Baseline: 1,000 bare continuations
 * resumed round-robin, one yield + resume each.
 */
public class WaiterBenchmark extends Microbenchmark {
    static final int WAITERS = 1000;
    static final int ROUNDS = 100;

    private Loop loop;
    private Waiter gate;
    private RawContinuations raw;

    @Setup
    public void setUp() {
        loop = new Loop();
        gate = new Waiter();
        for (int i = 0; i < WAITERS; i++) {
            loop.spawn((Routine) () -> {
                while (true) {
                    gate.await(); // reads the current gate each time round
                }
            });
        }
        raw = new RawContinuations(WAITERS);
    }

    @TearDown
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(WAITERS * ROUNDS)
    public void boucleWaiterWakeUp() {
        loop.runUntilComplete(loop.spawn((Routine) () -> {
            for (int round = 0; round < ROUNDS; round++) {
                Waiter old = gate;
                gate = new Waiter();
                old.set();
                Boucle.interrupt(); // queued behind the woken tasks: they all park again first
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(WAITERS * ROUNDS)
    public void rawContinuationYield() {
        raw.resumeRoundRobin(ROUNDS);
    }
}
