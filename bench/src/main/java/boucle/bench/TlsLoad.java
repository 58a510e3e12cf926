package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TLS echo against Netty's {@code SslHandler} on the JDK provider, in the same run: Boucle's
 * {@code echo --tls --loops 1} and {@link NettyTlsEchoServer} (one event loop), each in its own JVM
 * with the same flags and the same key (an EC P-256 certificate made by {@code keytool} for this
 * run), driven by the same client, alternating server by server within each repetition.
 *
 * <ul>
 *   <li>{@code tls-echo 100x64B}: 100 connections, each sending 64 bytes and waiting for them back, again and again.</li>
 *   <li>{@code tls-echo 10x64KiB}: 10 connections with 64 KiB messages.</li>
 *   <li>{@code tls-handshakes}: 20 clients in a loop of connect, full TLS 1.3 handshake, one 64-byte
 *       echo, close_notify, close: new TLS connections per second.</li>
 * </ul>
 *
 * <h2>The client</h2>
 * {@code bench/src/main/c/tlsload.c}: C on OpenSSL, one thread, its own process; it checks every
 * echoed byte. A Java client (the JDK's engine on a Boucle loop, as this part first used) does the
 * server's key agreement plus an ECDSA verification and certificate path checks, in pure Java, on
 * one thread: it capped the rate (the servers used 10 to 35 % of a core), so new connections per
 * second measured the client. This one spent about half the server's CPU per connection (0.6 ms
 * against 1.1 to 1.2, the kernel's work for both ends included), so the server limits. It offers
 * no session for resumption (every handshake is a full one, whatever either server's session
 * cache does: the JDK client resumed with Boucle's server and not with Netty's, which made the two
 * servers do different work) and does not verify the certificate (its cost is not the servers').
 *
 * <p>Server CPU per message is the server process's user+system CPU over the window, from
 * {@code /proc}; for {@code tls-handshakes} a message is a whole connection. Writes per message
 * are the server's write system calls ({@code /proc/PID/io}). The negotiated cipher suite of each
 * server is reported: each keeps its own default order (the JDK's puts AES-256-GCM first,
 * Netty's AES-128-GCM).
 */
final class TlsLoad {
    static final String FILE = "tls.tsv";
    static final String SECTION = "TLS.md";
    /** What the profiles of the two servers showed (written by hand), after the figures in the report. */
    static final String ANALYSIS = "tls-analysis.md";
    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("tls-echo 100x64B", 100, 64, false, 200_000),
            new Scenario("tls-echo 10x64KiB", 10, 64 * 1024, false, 20_000),
            new Scenario("tls-handshakes", 20, 64, true, 5_000));
    private static final List<String> SERVERS = List.of("boucle-tls", "netty-tls");

    /** {@code jitWork}: messages (connections, for handshakes) that compile a server's path before it is measured. */
    private record Scenario(String name, int clients, int size, boolean newConnectionEach, int jitWork) {
    }

    private final Settings settings;
    private final Map<String, String> ciphers = new LinkedHashMap<>();

    TlsLoad(Settings settings) {
        this.settings = settings;
    }

    Table run() throws Exception {
        Path client = settings.tlsload();
        if (!Files.isExecutable(client)) {
            throw new IllegalStateException("no TLS client at " + client + ": build it with 'gcc -O2 -o "
                    + "bench/target/tlsload bench/src/main/c/tlsload.c -lssl -lcrypto' (./boucle bench does; it "
                    + "needs OpenSSL's headers: apt-get install libssl-dev)");
        }
        Files.createDirectories(settings.work());
        Path keyStore = settings.work().resolve("tls-bench.p12");
        char[] password = makeKeyStore(keyStore);
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "server_cpu_us_per_msg",
                "server_writes_per_msg");
        double loadBefore = Machine.loadAverage();
        Instant started = Instant.now();
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(start("boucle-tls", List.of("-jar", settings.examplesJar().toString(), "echo", "--tls",
                    "--loops", "1", "--keystore", keyStore.toString()), password));
            servers.add(start("netty-tls", List.of("-cp", settings.benchJar().toString(), Main.class.getName(),
                    "netty-tls-echo", "--keystore", keyStore.toString()), password));
            for (ServerProcess server : servers) { // JIT-compile both paths the same way first
                for (Scenario scenario : SCENARIOS) {
                    // by amount of work, not time: on a loaded machine the JDK's handshake code took
                    // minutes of a few hundred handshakes a second to reach its compiled speed
                    measure(client, server, scenario, 0, settings.quick() ? 0.5 : 60,
                            settings.quick() ? Long.MAX_VALUE : scenario.jitWork());
                }
            }
            for (Scenario scenario : SCENARIOS) {
                for (int repetition = 1; repetition <= settings.tlsRepetitions(); repetition++) {
                    for (ServerProcess server : servers) {
                        LoadResult result = measure(client, server, scenario, settings.warmupSeconds(),
                                settings.measureSeconds(), Long.MAX_VALUE);
                        table.add(scenario.name(), server.name(), repetition, result.get("msgs_per_s"),
                                result.get("server_cpu_us_per_msg"), result.get("server_writes_per_msg"));
                        System.out.printf(Locale.ROOT, "  %-20s %-11s #%d %,10.0f msgs/s  server %.1f us/msg, %.2f writes/msg%n",
                                scenario.name(), server.name(), repetition, result.get("msgs_per_s"),
                                result.get("server_cpu_us_per_msg"), result.get("server_writes_per_msg"));
                    }
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
            Files.deleteIfExists(keyStore);
        }
        table.save(settings.work().resolve(FILE));
        String section = section(table, started, loadBefore, Machine.loadAverage());
        Files.createDirectories(settings.results());
        Files.writeString(settings.results().resolve(SECTION), section);
        System.out.println();
        System.out.print(section);
        return table;
    }

    /** The report: medians per scenario and server, Boucle's ratios to Netty (throughput: higher is better; CPU: lower). */
    private String section(Table table, Instant started, double loadBefore, double loadAfter) {
        StringBuilder md = new StringBuilder();
        md.append("\n## TLS: Boucle's `echo --tls` against Netty's `SslHandler`\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(started.truncatedTo(ChronoUnit.MINUTES)).append(" |\n");
        md.append("| machine | ").append(Machine.describe()).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" |\n");
        md.append("| command | `java -jar bench/target/boucle-bench.jar tls").append(settings.quick() ? " --quick" : "")
                .append("` (`./boucle bench tls`) |\n");
        md.append(String.format(Locale.ROOT, "| load average (1 min) | %.1f before, %.1f after |%n", loadBefore, loadAfter));
        md.append("| servers | `echo --tls --loops 1`; `netty-tls-echo` (`SslHandler`, JDK provider, one event loop); "
                + "same JVM flags, same EC P-256 key |\n");
        md.append("| client | `bench/src/main/c/tlsload.c` (OpenSSL, one thread, every byte checked, full handshakes only) |\n");
        md.append("| cipher suites chosen | ");
        ciphers.forEach((server, cipher) -> md.append(server).append(": ").append(cipher).append("; "));
        md.append("|\n\n");
        md.append(String.format(Locale.ROOT, "%d runs of %.1f s (after %.1f s of warm-up) per scenario and server,"
                + " alternating server by server. Figures are medians; a ratio is the median of the %d runs' ratios"
                + " (Boucle's run over the Netty run right after it: the pair saw the same moment of a shared machine),"
                + " with their range. Server CPU is the server process's user+system time per message (per connection"
                + " for handshakes); lower is better.%n%n", settings.tlsRepetitions(), settings.measureSeconds(),
                settings.warmupSeconds(), settings.tlsRepetitions()));
        md.append("| scenario | Boucle msgs/s | Netty msgs/s | ratio (range) | Boucle CPU µs/msg | Netty CPU µs/msg "
                + "| CPU ratio (range) | Boucle writes/msg | Netty writes/msg |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Scenario scenario : SCENARIOS) {
            List<double[]> boucle = runs(table, scenario.name(), "boucle-tls");
            List<double[]> netty = runs(table, scenario.name(), "netty-tls");
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %.1f | %.1f | %s | %.2f | %.2f |%n",
                    scenario.name(), median(boucle, 0), median(netty, 0), pairedRatio(boucle, netty, 0),
                    median(boucle, 1), median(netty, 1), pairedRatio(boucle, netty, 1), median(boucle, 2),
                    median(netty, 2)));
        }
        return md.toString();
    }

    /** Each repetition's {msgs/s, CPU µs/msg, writes/msg} for one server, in repetition order. */
    private static List<double[]> runs(Table table, String scenario, String server) {
        List<double[]> runs = new ArrayList<>();
        for (Map<String, String> row : table.rows()) {
            if (row.get("scenario").equals(scenario) && row.get("server").equals(server)) {
                runs.add(new double[] {Double.parseDouble(row.get("msgs_per_s")),
                        Double.parseDouble(row.get("server_cpu_us_per_msg")),
                        Double.parseDouble(row.get("server_writes_per_msg"))});
            }
        }
        return runs;
    }

    private static double median(List<double[]> runs, int figure) {
        return median(runs.stream().map(run -> run[figure]).toList());
    }

    /** The median of Boucle's figure over Netty's, repetition by repetition, and their range: "0.98 (0.91–1.04)". */
    private static String pairedRatio(List<double[]> boucle, List<double[]> netty, int figure) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(boucle.size(), netty.size()); i++) {
            ratios.add(boucle.get(i)[figure] / netty.get(i)[figure]);
        }
        if (ratios.isEmpty()) {
            return "n/a";
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median(ratios), sorted.getFirst(), sorted.getLast());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
    }

    private ServerProcess start(String name, List<String> arguments, char[] password) throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.addAll(Settings.SERVER_JVM_FLAGS);
        command.addAll(arguments);
        command.addAll(List.of("--storepass", new String(password), "--port", Integer.toString(port)));
        return ServerProcess.start(name, port, command, settings.work().resolve(name + ".log"));
    }

    /** Runs one scenario against one server with the TLS client: warm-up, then a window (of at most {@code count} messages). */
    private LoadResult measure(Path client, ServerProcess server, Scenario scenario, double warmupSeconds,
            double measureSeconds, long count) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(client.toString(),
                "--port", Integer.toString(server.port()),
                "--connections", Integer.toString(scenario.clients()),
                "--size", Integer.toString(scenario.size()),
                "--warmup", Double.toString(warmupSeconds),
                "--duration", Double.toString(measureSeconds),
                "--server-pid", Long.toString(server.pid())));
        if (scenario.newConnectionEach()) {
            command.add("--new");
        }
        if (count != Long.MAX_VALUE) {
            command.addAll(List.of("--count", Long.toString(count)));
        }
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        String errors = new String(process.getErrorStream().readAllBytes());
        if (!process.waitFor((long) (warmupSeconds + measureSeconds) + 120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("the TLS client did not finish: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IOException("TLS run '" + scenario.name() + "' against " + server.name() + " failed (exit "
                    + process.exitValue() + "): " + errors.strip());
        }
        output.lines().filter(line -> line.startsWith("cipher ")).findFirst()
                .ifPresent(line -> ciphers.put(server.name(), line.substring("cipher ".length()).strip()));
        return LoadResult.parse(output.lines().filter(line -> line.startsWith(LoadResult.PREFIX))
                .findFirst().orElse(null));
    }

    /** A PKCS12 key store with a fresh EC P-256 key and self-signed certificate, made by the JDK's keytool. */
    private char[] makeKeyStore(Path file) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
        Path keytool = settings.java().resolveSibling("keytool");
        ProcessBuilder builder = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "bench",
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass:env", "BENCH_STOREPASS", "-keypass:env", "BENCH_STOREPASS",
                "-noprompt").redirectErrorStream(true);
        builder.environment().put("BENCH_STOREPASS", new String(password));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return password;
    }
}
