package boucle.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./boucle soak [--minutes N]}: the echo and chat servers of the examples jar, each in its
 * own JVM, under a mixed load with churn for N minutes (default 3), then a verdict. It runs a short
 * warm-up phase of the same load, lets the servers settle with no client, and measures each (live
 * heap after a full GC, resident memory, open descriptors, CPU); then the long phase, sampled as
 * it goes; then settles and measures again. Writes {@code bench/results/SOAK.md}.
 *
 * <p>It fails (exit status 1) on any lost, changed or reordered byte or line, a member or client
 * dropped, a server that died or logged a buffer leak, or growth from start to end past the
 * tolerances below. Both measurements are taken in the same state (warm, no client), so what a
 * healthy server keeps (compiled code, pooled buffers, the logger) is in both.
 */
final class Soak {
    /** Open descriptors may differ by this many between the two idle measurements. */
    static final int DESCRIPTOR_TOLERANCE = 4;
    /**
     * Live heap may grow by this much from start to end (a warm server's live heap is ~3.5 MiB and
     * stays within 0.1 MiB of itself): more is a leak. With ~400 connections a second over the
     * long phase, a leak of 100 bytes per connection crosses it within 3 minutes.
     */
    static final long HEAP_TOLERANCE_BYTES = 2L << 20;
    private static final List<String> SERVER_FLAGS = List.of("-Xmx512m", "-XX:+UseG1GC");
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(15);

    /** One server's figures at one moment. */
    record Sample(long elapsedSeconds, long heapBytes, long rssBytes, int descriptors, double cpuSeconds) {
    }

    private final Settings settings;
    private final Duration duration;
    private final PrintStream out;

    Soak(Settings settings, Duration duration, PrintStream out) {
        this.settings = settings;
        this.duration = duration;
        this.out = out;
    }

    /** Runs the soak; returns the exit status (0: passed). */
    int run() throws IOException, InterruptedException {
        Files.createDirectories(settings.work());
        Instant began = Instant.now();
        Duration warmUp = Duration.ofSeconds(Math.max(10, Math.min(30, duration.toSeconds() / 8)));
        Duration main = duration.minus(warmUp);
        try (ServerProcess echo = start("echo"); ServerProcess chat = start("chat")) {
            out.printf("soak: echo on port %d (pid %d), chat on port %d (pid %d); %d s of warm-up, then %d s%n",
                    echo.port(), echo.pid(), chat.port(), chat.pid(), warmUp.toSeconds(), main.toSeconds());
            SoakLoad.Totals warm = phase(echo, chat, warmUp, 1, null, null);
            Sample echoStart = settle(echo, 0);
            Sample chatStart = settle(chat, 0);
            out.println("soak: start " + describe("echo", echoStart) + "; " + describe("chat", chatStart));
            List<Sample[]> timeline = new ArrayList<>();
            SoakLoad.Totals load = phase(echo, chat, main, 2, timeline, new ProcessStatsPair(echo, chat));
            Sample echoEnd = settle(echo, main.toSeconds());
            Sample chatEnd = settle(chat, main.toSeconds());
            out.println("soak: end   " + describe("echo", echoEnd) + "; " + describe("chat", chatEnd));
            List<String> failures = new ArrayList<>(warm.problems());
            failures.addAll(load.problems());
            check("echo", echo, echoStart, echoEnd, failures);
            check("chat", chat, chatStart, chatEnd, failures);
            Path report = writeReport(began, warmUp, main, load, echoStart, echoEnd, chatStart, chatEnd, timeline,
                    failures);
            out.printf("soak: %,d echo bytes and %,d chat lines verified, %,d connections, %,d resets; report: %s%n",
                    load.echoBytesVerified(), load.chatLinesVerified(), load.connections(), load.resets(), report);
            failures.forEach(failure -> System.err.println("soak: FAILED " + failure));
            out.println(failures.isEmpty() ? "soak: PASSED" : "soak: FAILED (" + failures.size() + " problems)");
            return failures.isEmpty() ? 0 : 1;
        }
    }

    private ServerProcess start(String command) throws IOException {
        int port = ServerProcess.freePort();
        List<String> argv = new ArrayList<>();
        argv.add(settings.java().toString());
        argv.addAll(SERVER_FLAGS);
        argv.addAll(List.of("-jar", settings.examplesJar().toString(), command, "--port", Integer.toString(port)));
        return ServerProcess.start(command, port, argv, settings.work().resolve("soak-" + command + ".log"));
    }

    /** Both servers, sampled together during the long phase. */
    private record ProcessStatsPair(ServerProcess echo, ServerProcess chat) {
    }

    private SoakLoad.Totals phase(ServerProcess echo, ServerProcess chat, Duration length, long seed,
            List<Sample[]> timeline, ProcessStatsPair sampled) throws IOException, InterruptedException {
        SoakLoad load = new SoakLoad(echo.port(), chat.port(), seed);
        long start = System.nanoTime();
        long end = start + length.toNanos();
        load.start();
        long nextSample = start + SAMPLE_EVERY.toNanos();
        for (long now; (now = System.nanoTime()) < end; ) {
            long wake = Math.min(end, nextSample);
            TimeUnit.NANOSECONDS.sleep(wake - now); // the load runs on its own threads; this one only samples
            if (sampled != null && System.nanoTime() >= nextSample) {
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                timeline.add(new Sample[] {sample(sampled.echo(), elapsed, false), sample(sampled.chat(), elapsed, false)});
                nextSample += SAMPLE_EVERY.toNanos();
            }
        }
        return load.stop();
    }

    /** Waits until the server's descriptors stop changing (its clients are gone), then measures it. */
    private Sample settle(ServerProcess server, long elapsed) throws IOException, InterruptedException {
        int last = -1;
        for (int stable = 0, round = 0; stable < 5 && round < 100; round++) {
            int now = descriptors(server.pid());
            stable = now == last ? stable + 1 : 0;
            last = now;
            TimeUnit.MILLISECONDS.sleep(200); // the server ends its connections on its own time
        }
        return sample(server, elapsed, true);
    }

    private Sample sample(ServerProcess server, long elapsed, boolean withHeap) throws IOException, InterruptedException {
        long heap = withHeap ? HeapHistogram.of(settings.jcmd(), server.pid()).totalBytes() : -1;
        return new Sample(elapsed, heap, ProcessStats.residentBytes(server.pid()), descriptors(server.pid()),
                ProcessStats.cpuSeconds(server.pid()));
    }

    static int descriptors(long pid) throws IOException {
        try (var entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) entries.count();
        }
    }

    private void check(String name, ServerProcess server, Sample start, Sample end, List<String> failures)
            throws IOException {
        if (end.descriptors() - start.descriptors() > DESCRIPTOR_TOLERANCE) {
            failures.add(name + ": open descriptors went from " + start.descriptors() + " to " + end.descriptors()
                    + " (tolerance +" + DESCRIPTOR_TOLERANCE + ")");
        }
        if (end.heapBytes() - start.heapBytes() > HEAP_TOLERANCE_BYTES) {
            failures.add(name + ": live heap went from " + mib(start.heapBytes()) + " to " + mib(end.heapBytes())
                    + " (tolerance +" + mib(HEAP_TOLERANCE_BYTES) + ")");
        }
        for (String line : Files.readAllLines(server.log())) {
            if (line.contains("LEAK:")) {
                failures.add(name + ": Netty reported a leaked buffer: " + line);
                break;
            }
        }
    }

    private static String describe(String name, Sample sample) {
        return name + " heap " + mib(sample.heapBytes()) + ", RSS " + mib(sample.rssBytes()) + ", " + sample.descriptors()
                + " descriptors";
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private Path writeReport(Instant began, Duration warmUp, Duration main, SoakLoad.Totals load, Sample echoStart,
            Sample echoEnd, Sample chatStart, Sample chatEnd, List<Sample[]> timeline, List<String> failures)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Soak\n\n");
        md.append("`./boucle soak --minutes ").append(duration.toMinutes()).append("`, started ")
                .append(began.truncatedTo(ChronoUnit.SECONDS)).append(" on ").append(Machine.describe()).append(".\n\n");
        md.append("The examples jar's `echo` and `chat` servers, each in its own JVM (`")
                .append(String.join(" ", SERVER_FLAGS)).append("`), under a mixed load for ")
                .append(warmUp.toSeconds()).append(" s of warm-up and then ").append(main.toSeconds())
                .append(" s: 4 full-duplex echo streams of 1 to 16 MiB each, one after another; 2 clients making short"
                        + " echo connections (1 B to 8 KiB, half-closed); 1 client resetting mid-write every 20 ms;"
                        + " a chat room of 40 listeners and 4 talkers (200 lines/s each), with members joining and"
                        + " leaving every 10 ms. Every echoed byte and every chat line (order, none missing) is"
                        + " checked. Start and end are measured in the same state: warm, no client, after the"
                        + " servers settled; the heap is the live heap after a full GC (`jcmd GC.class_histogram`).\n\n");
        md.append("**Verdict: ").append(failures.isEmpty() ? "PASSED" : "FAILED").append("**\n\n");
        md.append("| long phase | figure |\n|---|---|\n");
        md.append(String.format("| echo bytes verified | %,d (%s) |%n", load.echoBytesVerified(), mib(load.echoBytesVerified())));
        md.append(String.format("| chat lines sent / verified by the listeners | %,d / %,d |%n", load.chatLinesSent(),
                load.chatLinesVerified()));
        md.append(String.format("| connections opened | %,d |%n", load.connections()));
        md.append(String.format("| resets mid-write | %,d |%n", load.resets()));
        md.append("\n| server | | live heap | RSS | open descriptors | CPU used |\n|---|---|---|---|---|---|\n");
        row(md, "echo", "start", echoStart, 0);
        row(md, "echo", "end", echoEnd, echoStart.cpuSeconds());
        row(md, "chat", "start", chatStart, 0);
        row(md, "chat", "end", chatEnd, chatStart.cpuSeconds());
        md.append(String.format("%nTolerances: open descriptors +%d, live heap +%s, from start to end.%n",
                DESCRIPTOR_TOLERANCE, mib(HEAP_TOLERANCE_BYTES)));
        if (!timeline.isEmpty()) {
            md.append("\nDuring the long phase (with the load on):\n\n| s | echo RSS | echo descriptors | chat RSS"
                    + " | chat descriptors |\n|---|---|---|---|---|\n");
            for (Sample[] pair : timeline) {
                md.append(String.format("| %d | %s | %d | %s | %d |%n", pair[0].elapsedSeconds(), mib(pair[0].rssBytes()),
                        pair[0].descriptors(), mib(pair[1].rssBytes()), pair[1].descriptors()));
            }
        }
        md.append("\n").append(failures.isEmpty() ? "No problem found.\n" : "Problems:\n\n");
        failures.forEach(failure -> md.append("- ").append(failure).append('\n'));
        Path report = settings.results().resolve("SOAK.md");
        Files.writeString(report, md);
        return report;
    }

    private static void row(StringBuilder md, String server, String when, Sample sample, double cpuBefore) {
        md.append(String.format("| %s | %s | %s | %s | %d | %s |%n", server, when, mib(sample.heapBytes()),
                mib(sample.rssBytes()), sample.descriptors(),
                cpuBefore == 0 ? String.format("%.1f s", sample.cpuSeconds())
                        : String.format("%.1f s (+%.1f s)", sample.cpuSeconds(), sample.cpuSeconds() - cpuBefore)));
    }
}
