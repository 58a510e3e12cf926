package boucle.bench;

import boucle.core.Loop;
import boucle.core.Queue;
import boucle.core.Routine;
import boucle.core.Task;
import java.util.concurrent.SynchronousQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A ping-pong between two tasks: ping wakes pong and parks, pong wakes ping and parks. The score is
 * one round trip (two hand-overs), measured twice: with {@link Task#park}/{@link Task#wake}, the
 * primitive every wait is built on, and with two {@link Queue}s of one slot, as user code would.
 * Baselines: two bare continuations resumed alternately, and the JDK's answer to the same
 * problem, two virtual threads exchanging through {@link SynchronousQueue}s.
 */
public class PingPongBenchmark extends Microbenchmark {
    static final int ROUNDS = 100_000;
    static final int VIRTUAL_THREAD_ROUNDS = 10_000;

    private Loop loop;
    private Task<Void> ping;
    private Task<Void> pong;
    private RawContinuations raw;

    @Setup
    public void setUp() {
        loop = new Loop();
        pong = loop.spawn((Routine) () -> {
            Task<?> me = Task.current();
            while (true) {
                me.park("ping");
                ping.wake();
            }
        });
        raw = new RawContinuations(2);
    }

    @TearDown
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void bouclePingPong() {
        ping = loop.spawn((Routine) () -> {
            Task<?> me = Task.current();
            for (int round = 0; round < ROUNDS; round++) {
                pong.wake();
                me.park("pong");
            }
        });
        loop.runUntilComplete(ping);
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void boucleQueuePingPong() {
        Queue<Integer> toPong = Queue.bounded(1);
        Queue<Integer> toPing = Queue.bounded(1);
        Task<Void> echo = loop.spawn((Routine) () -> {
            for (int round = 0; round < ROUNDS; round++) {
                toPing.put(toPong.get());
            }
        });
        Task<Void> serve = loop.spawn((Routine) () -> {
            for (int round = 0; round < ROUNDS; round++) {
                toPong.put(round);
                toPing.get();
            }
        });
        loop.runUntilComplete(serve);
        loop.runUntilComplete(echo);
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void rawContinuationPair() {
        raw.resumeRoundRobin(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(VIRTUAL_THREAD_ROUNDS)
    public void virtualThreadSynchronousQueue() throws InterruptedException {
        SynchronousQueue<Integer> there = new SynchronousQueue<>();
        SynchronousQueue<Integer> back = new SynchronousQueue<>();
        Thread pinger = Thread.ofVirtual().start(() -> exchange(there, back, true));
        Thread ponger = Thread.ofVirtual().start(() -> exchange(back, there, false));
        pinger.join();
        ponger.join();
    }

    /** Ping puts first, then takes; pong takes first, then puts: the same code, queues swapped. */
    private static void exchange(SynchronousQueue<Integer> out, SynchronousQueue<Integer> in, boolean first) {
        try {
            for (int round = 0; round < VIRTUAL_THREAD_ROUNDS; round++) {
                if (first) {
                    out.put(round);
                    in.take();
                } else {
                    out.put(in.take());
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
