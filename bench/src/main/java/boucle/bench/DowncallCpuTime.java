package boucle.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link DowncallBenchmark}'s four paths timed by the thread's CPU time (user + system) instead of
 * the wall clock, alternating path by path over several rounds and keeping the median: on a shared
 * machine the wall clock counts the time other processes held the CPU, the thread's CPU time does
 * not. Loopback's kernel work runs in the calling thread's context, so system time is in it.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/sun.nio.ch=ALL-UNNAMED
 * -cp bench/target/boucle-bench.jar boucle.bench.DowncallCpuTime [size] [rounds]}
 */
final class DowncallCpuTime {
    private static final int ITERATIONS = 20_000;

    private DowncallCpuTime() {
    }

    @FunctionalInterface
    interface Op {
        void run() throws Throwable;
    }

    public static void main(String[] args) throws Throwable {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        DowncallBenchmark bench = new DowncallBenchmark();
        bench.size = size;
        bench.setUp();
        try {
            Map<String, Op> paths = new LinkedHashMap<>();
            paths.put("nioWriteRead", bench::nioWriteRead);
            paths.put("boucleFfmWriteRead", bench::boucleFfmWriteRead);
            paths.put("boucleRingWriteRead", bench::boucleRingWriteRead);
            paths.put("boucleRingBatch16", bench::boucleRingBatch16);
            Map<String, Integer> perCall = Map.of("boucleRingBatch16", DowncallBenchmark.BATCH);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Map<String, double[]> samples = new LinkedHashMap<>();
            Map<String, double[]> processSamples = new LinkedHashMap<>();
            paths.keySet().forEach(name -> samples.put(name, new double[rounds]));
            paths.keySet().forEach(name -> processSamples.put(name, new double[rounds]));
            for (int round = -2; round < rounds; round++) { // two warm-up rounds
                for (Map.Entry<String, Op> path : paths.entrySet()) {
                    long process = os.getProcessCpuTime();
                    long cpu = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < ITERATIONS; i++) {
                        path.getValue().run();
                    }
                    long messages = (long) ITERATIONS * perCall.getOrDefault(path.getKey(), 1);
                    if (round >= 0) {
                        samples.get(path.getKey())[round] = (double) (threads.getCurrentThreadCpuTime() - cpu) / messages;
                        processSamples.get(path.getKey())[round] = (double) (os.getProcessCpuTime() - process) / messages;
                    }
                }
            }
            double nio = median(samples.get("nioWriteRead"));
            double nioProcess = median(processSamples.get("nioWriteRead"));
            System.out.printf("size %d B, CPU ns per message (write + read), median of %d rounds of %d;"
                    + " thread = the calling thread, process = all threads (io_uring workers too)%n", size, rounds,
                    ITERATIONS);
            for (String name : samples.keySet()) {
                double m = median(samples.get(name));
                double p = median(processSamples.get(name));
                System.out.printf("  %-22s thread %6.0f ns %5.2fx NIO   process %6.0f ns %5.2fx NIO%n", name, m, m / nio,
                        p, p / nioProcess);
            }
        } finally {
            bench.tearDown();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
