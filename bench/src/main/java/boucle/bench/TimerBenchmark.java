package boucle.bench;

import boucle.core.Loop;
import boucle.core.VirtualClock;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Schedules 1,000,000 timers with random deadlines (within one second) on a loop whose clock
 * jumps to the next deadline, and runs the loop until all have fired, each at its own deadline.
 * Baseline: the same deadlines through a {@link PriorityQueue} of (deadline, sequence) entries,
 * added then polled in order, which is the bare cost of the ordering alone, without a loop.
 * Scores are per timer.
 */
// one invocation fires a million timers (about a second): longer iterations, so each holds several
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TimerBenchmark extends Microbenchmark {
    static final int TIMERS = 1_000_000;

    private long[] deadlines;
    private VirtualClock clock;
    private Loop loop;
    private long fired;
    private final Runnable fire = () -> fired++;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        deadlines = new long[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            deadlines[i] = 1 + random.nextLong(1_000_000_000L);
        }
        clock = VirtualClock.autojump(); // time jumps to each deadline: nothing ever sleeps
        loop = new Loop(clock);
    }

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public long boucleTimers() {
        fired = 0;
        long start = loop.now(); // virtual time only moves forward: deadlines count from here
        for (long deadline : deadlines) {
            loop.callAt(start + deadline, fire);
        }
        loop.run();
        return fired;
    }

    private record Entry(long deadline, long sequence, Runnable action) {
    }

    private static final Comparator<Entry> ORDER =
            Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::sequence);

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public void priorityQueueBaseline(Blackhole sink) {
        fired = 0;
        PriorityQueue<Entry> queue = new PriorityQueue<>(ORDER);
        long sequence = 0;
        for (long deadline : deadlines) {
            queue.add(new Entry(deadline, ++sequence, fire));
        }
        for (Entry next; (next = queue.poll()) != null; ) {
            next.action().run();
        }
        sink.consume(fired);
    }
}
