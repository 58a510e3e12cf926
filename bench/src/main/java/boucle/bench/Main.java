package boucle.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of {@code boucle-bench.jar}. {@code ./boucle bench} runs {@code all}; the other
 * commands run one part, or are the processes the parts start (the anchor servers, the sleeping
 * tasks).
 *
 * <pre>
 *   java -jar bench/target/boucle-bench.jar all [--quick] [--before-jar JAR]   every part, then the report
 *   java -jar bench/target/boucle-bench.jar hardening [--quick] [--before-jar JAR]   its parts, then the report
 *   java -jar bench/target/boucle-bench.jar load|idle|tasks|micro|fairness|chat|before-after|redis|report [--quick]
 *   java -jar bench/target/boucle-bench.jar soak [--minutes N]    (./boucle soak)
 *   java -jar bench/target/boucle-bench.jar uring [--quick]    the io_uring comparison, bench/results/uring.md
 *   java -jar bench/target/boucle-bench.jar uring-report       that section again from its saved figures
 *   java -jar bench/target/boucle-bench.jar netty-echo|vt-echo|netty-chat --port P
 *   java -jar bench/target/boucle-bench.jar netty-echo --transport io_uring --port P
 * </pre>
 * Run from the project's root directory (or pass {@code --root DIR}). {@code --before-jar} names
 * another build's examples jar (say main's) to measure beside this one in the same run.
 */
public final class Main {
    private static final List<String> HARDENING = List.of("fairness", "chat", "before-after");
    private static final List<String> PARTS = List.of("micro", "tasks", "load", "idle", "fairness", "chat", "before-after",
            "redis", "redis-chat");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        List<String> options = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        switch (command) {
            case "netty-echo" -> {
                NettyAnchor.Transport transport = options.contains("--transport")
                        ? NettyAnchor.Transport.named(value(options, "--transport")) : NettyAnchor.Transport.NIO;
                try (NettyEchoServer server = NettyEchoServer.start(transport, port(options), 1)) {
                    return serveForever(out, "netty-echo", server.port());
                }
            }
            case "netty-tls-echo" -> {
                java.nio.file.Path keyStore = java.nio.file.Path.of(value(options, "--keystore"));
                try (NettyTlsEchoServer server = NettyTlsEchoServer.start(port(options), keyStore,
                        value(options, "--storepass").toCharArray())) {
                    return serveForever(out, "netty-tls-echo", server.port());
                }
            }
            case "tls" -> {
                new TlsLoad(settings(options)).run();
                return 0;
            }
            case "vt-echo" -> {
                try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(port(options))) {
                    return serveForever(out, "vt-echo", server.port());
                }
            }
            case "netty-chat" -> {
                try (NettyChatServer server = NettyChatServer.start(port(options))) {
                    return serveForever(out, "netty-chat", server.port());
                }
            }
            case "sleeping-tasks" -> {
                new SleepingTasks(Integer.parseInt(options.getFirst()), out).run();
                return 0;
            }
            case "soak" -> {
                return new Soak(settings(options), java.time.Duration.ofMinutes(minutes(options)), out).run();
            }
            case "uring" -> {
                // alone: it writes its own section and puts it into the report in place, so that a run
                // of this part does not rewrite the other parts' sections from figures it did not make
                int failures = new UringBench(settings(options)).run();
                out.println("bench: bench/results/" + UringReport.SECTION + " written, and its section in "
                        + Report.REPORT);
                return failures == 0 ? 0 : 1;
            }
            case "uring-report" -> { // after editing uring-analysis.md: the section again from the saved figures
                new UringReport(settings(options)).write();
                return 0;
            }
            case "all", "hardening", "micro", "tasks", "load", "idle", "fairness", "chat", "before-after", "loops",
                    "redis", "redis-chat", "report" -> {
                return runParts(command, settings(options), out);
            }
            default -> {
                usage(out);
                return command.equals("help") ? 0 : 2;
            }
        }
    }

    private static int runParts(String command, Settings settings, PrintStream out) throws Exception {
        List<String> parts = switch (command) {
            case "all" -> PARTS;
            case "hardening" -> HARDENING;
            case "report" -> List.of();
            default -> List.of(command);
        };
        List<String> failed = new ArrayList<>();
        for (String part : parts) {
            out.println("bench: " + part);
            try {
                runPart(part, settings);
            } catch (Exception failure) {
                // one part failing (a lost byte, an OOM) must not hide the figures of the others
                failed.add(part + ": " + failure.getMessage());
                System.err.println("bench: part '" + part + "' FAILED: " + failure.getMessage());
            }
        }
        Path report = new Report(settings).write();
        out.println("bench: report written to " + report);
        failed.forEach(failure -> System.err.println("bench: FAILED " + failure));
        return failed.isEmpty() ? 0 : 1;
    }

    private static void runPart(String part, Settings settings) throws Exception {
        switch (part) {
            case "micro" -> new MicroBenchmarks(settings).run();
            case "tasks" -> new TaskMemory(settings).run();
            case "load" -> new SocketLoad(settings).run();
            case "idle" -> new IdleConnections(settings).run();
            case "fairness" -> new Fairness(settings).run();
            case "chat" -> new ChatLoad(settings).run();
            case "before-after" -> new BeforeAfter(settings).run();
            case "loops" -> new LoopsBench(settings).run();
            case "redis" -> new RedisBench(settings).run();
            case "redis-chat" -> new RedisChat(settings).run();
            default -> throw new IllegalArgumentException("no part named '" + part + "'");
        }
    }

    private static Settings settings(List<String> options) {
        Path root = Path.of(".");
        int at = options.indexOf("--root");
        if (at >= 0 && at + 1 < options.size()) {
            root = Path.of(options.get(at + 1));
        }
        root = root.toAbsolutePath().normalize();
        Settings settings = options.contains("--quick") ? Settings.quick(root) : Settings.full(root);
        int before = options.indexOf("--before-jar");
        if (before >= 0) {
            if (before + 1 >= options.size() || !Files.isRegularFile(Path.of(options.get(before + 1)))) {
                throw new IllegalArgumentException("--before-jar needs the path of an examples jar");
            }
            settings = settings.withBeforeJar(Path.of(options.get(before + 1)).toAbsolutePath().normalize());
        }
        return settings;
    }

    private static String value(List<String> options, String name) {
        int at = options.indexOf(name);
        if (at < 0 || at + 1 >= options.size()) {
            throw new IllegalArgumentException("give " + name + " VALUE");
        }
        return options.get(at + 1);
    }

    private static int minutes(List<String> options) {
        int at = options.indexOf("--minutes");
        if (at < 0) {
            return 3;
        }
        if (at + 1 >= options.size() || !options.get(at + 1).matches("[1-9]\\d{0,3}")) {
            throw new IllegalArgumentException("--minutes needs a whole number of minutes, 1 or more");
        }
        return Integer.parseInt(options.get(at + 1));
    }

    private static int port(List<String> options) {
        int at = options.indexOf("--port");
        if (at < 0 || at + 1 >= options.size()) {
            throw new IllegalArgumentException("give the port to listen on: --port P (0: any free port)");
        }
        return Integer.parseInt(options.get(at + 1));
    }

    /** Serves until the process is killed, which is how the benchmark stops its servers. */
    private static int serveForever(PrintStream out, String name, int port) throws InterruptedException {
        out.println(name + " listening on 127.0.0.1:" + port);
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar boucle-bench.jar COMMAND [--quick] [--root DIR] [--before-jar JAR]");
        out.println("  all          every part below, then the report (what ./boucle bench runs)");
        out.println("  hardening    fairness, chat and before-after, then the report");
        out.println("  micro        JMH microbenchmarks against raw continuations and JDK baselines");
        out.println("  tasks        heap of 1,000,000 sleeping tasks in -Xmx1g, and the loop's CPU while they sleep");
        out.println("  load         socket load: Boucle's echo vs Netty NIO vs virtual threads, 5 scenarios");
        out.println("  idle         heap and CPU per idle connection, each server");
        out.println("  fairness     light client's latency while two clients flood each echo server");
        out.println("  chat         chat fan-out to 2,000 members, and a line flood: Boucle's chat vs a Netty chat");
        out.println("  before-after echo throughput of this build vs --before-jar's, alternating");
        out.println("  loops        every core: echo on 1 and 2 loops vs Netty 1 and 2 vs virtual threads, chat 2 vs 1 loop");
        out.println("  redis        Boucle's Redis client vs Lettuce (alone, and bridged into a loop) on one redis-server");
        out.println("  redis-chat   chat across two servers through Redis vs one server, 200 members (bench/results/redis-chat-table.md)");
        out.println("  uring        io_uring: Boucle io_uring and NIO vs Netty io_uring and NIO vs a C epoll server,");
        out.println("               5 scenarios, system calls per message, idle heap; writes bench/results/uring.md");
        out.println("  uring-report the io_uring section again from its last figures (after editing uring-analysis.md)");
        out.println("  report       rewrite bench/results/REPORT.md and throughput.png from the last figures");
        out.println("  tls          TLS echo and new connections/s: Boucle's echo --tls vs Netty's SslHandler (JDK");
        out.println("               provider), C client on OpenSSL (bench/target/tlsload); writes bench/results/TLS.md");
        out.println("  soak [--minutes N]  echo and chat under mixed load and churn for N minutes (default 3),");
        out.println("               every byte checked; writes bench/results/SOAK.md, fails on a loss or a leak");
        out.println("  netty-echo --port P [--transport nio|io_uring]   the Netty anchor server (NIO unless told)");
        out.println("  netty-tls-echo --port P --keystore F --storepass S   the Netty TLS anchor server");
        out.println("  vt-echo --port P      the virtual-thread-per-connection anchor server");
        out.println("  netty-chat --port P   the Netty NIO chat anchor server");
    }
}
