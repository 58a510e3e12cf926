package boucle.bench;

import boucle.core.Boucle;
import boucle.core.Loop;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Runs in its own JVM (started by {@link TaskMemory} with {@code -Xmx1g}): parks N tasks on timers
 * with random far deadlines, then measures the live heap they retain, and the loop thread's CPU
 * time over a window in which every task sleeps, which must be nil: a parked task is in no queue
 * and the loop waits for the next timer without polling.
 *
 * <p>Output: one {@code result key=value ...} line, then {@code class NAME INSTANCES BYTES} lines
 * for the largest classes of the heap, which show what one sleeping task is made of.
 */
final class SleepingTasks {
    private static final long HOUR_NANOS = Duration.ofHours(1).toNanos();
    private static final Duration QUIET_WINDOW = Duration.ofSeconds(3);
    private static final int TOP_CLASSES = 10;

    private final int count;
    private final PrintStream out;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long heapBefore;
    private long heapWithTasks;
    private List<String> histogramWithTasks;
    private long loopCpuAtStart;
    private long turnsAtStart;
    private long windowStart;

    SleepingTasks(int count, PrintStream out) {
        this.count = count;
        this.out = out;
    }

    void run() {
        heapBefore = liveHeap(histogram());
        Loop loop = new Loop();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < count; i++) {
            Duration nap = Duration.ofNanos(HOUR_NANOS + random.nextLong(HOUR_NANOS));
            loop.spawn(() -> Boucle.sleep(nap));
        }
        // spawned tasks run their first step, and park, in this first batch, before this callback
        loop.callSoon(() -> measureHeap(loop));
        loop.runForever();
    }

    private void measureHeap(Loop loop) {
        histogramWithTasks = histogram().lines().toList();
        heapWithTasks = liveHeap(String.join("\n", histogramWithTasks));
        loop.callLater(Duration.ofMillis(200), () -> startQuietWindow(loop));
    }

    private void startQuietWindow(Loop loop) {
        loopCpuAtStart = threads.getCurrentThreadCpuTime();
        turnsAtStart = loop.turns();
        windowStart = System.nanoTime();
        loop.callLater(QUIET_WINDOW, () -> endQuietWindow(loop));
    }

    private void endQuietWindow(Loop loop) {
        long loopCpu = threads.getCurrentThreadCpuTime() - loopCpuAtStart;
        long turns = loop.turns() - turnsAtStart;
        long window = System.nanoTime() - windowStart;
        long maxHeap = Runtime.getRuntime().maxMemory();
        out.printf("result tasks=%d heap_bytes_per_task=%d live_heap_mib=%.1f max_heap_mib=%d"
                        + " quiet_window_ms=%d loop_cpu_ms=%.3f loop_turns=%d%n",
                count, (heapWithTasks - heapBefore) / count, heapWithTasks / 1048576.0, maxHeap / 1048576,
                window / 1_000_000, loopCpu / 1e6, turns);
        histogramWithTasks.stream()
                .filter(line -> line.trim().matches("\\d+:.*"))
                .limit(TOP_CLASSES)
                .forEach(line -> {
                    String[] fields = line.trim().split("\\s+");
                    out.printf("class %s %s %s%n", fields[3], fields[1], fields[2]);
                });
        out.flush();
        loop.stop();
    }

    /** A class histogram of live objects; computing it runs a full GC first. */
    private static String histogram() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException unavailable) {
            throw new IllegalStateException("this JVM has no DiagnosticCommand MBean to measure its heap", unavailable);
        }
    }

    /** The histogram's total of live bytes, as {@link HeapHistogram} reads it for another process. */
    private static long liveHeap(String histogram) {
        try {
            return HeapHistogram.parse(histogram.lines().toList()).totalBytes();
        } catch (IOException malformed) {
            throw new IllegalStateException(malformed);
        }
    }
}
