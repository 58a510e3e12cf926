package boucle.bench;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.AsyncSocket;
import boucle.net.Net;
import boucle.net.TlsOptions;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS echo against Netty's {@code SslHandler} on the JDK provider, in the same run: Boucle's
 * {@code echo --tls} and {@link NettyTlsEchoServer}, each in its own JVM with the same flags and the
 * same key (an EC P-256 certificate made by {@code keytool} for this run), driven by the same
 * client, alternating server by server within each repetition.
 *
 * <ul>
 *   <li>{@code tls-echo 100x64B}: 100 connections, each sending 64 bytes and waiting for them back, again and again.</li>
 *   <li>{@code tls-echo 10x64KiB}: 10 connections with 64 KiB messages.</li>
 *   <li>{@code tls-handshakes}: 20 clients in a loop of connect, full TLS 1.3 handshake, one 64-byte
 *       echo, close: new TLS connections per second.</li>
 * </ul>
 * Server CPU per message is the server process's user+system CPU over the window, from
 * {@code /proc}. The client is Boucle's own TLS client on one loop thread in this JVM: the same for
 * both servers, so the ratio compares the servers. Both JVMs share the machine's cores with it.
 */
final class TlsLoad {
    static final String FILE = "tls.tsv";
    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("tls-echo 100x64B", 100, 64, false),
            new Scenario("tls-echo 10x64KiB", 10, 64 * 1024, false),
            new Scenario("tls-handshakes", 20, 64, true));

    private record Scenario(String name, int clients, int size, boolean newConnectionEach) {
    }

    private final Settings settings;

    TlsLoad(Settings settings) {
        this.settings = settings;
    }

    Table run() throws Exception {
        Files.createDirectories(settings.work());
        Path keyStore = settings.work().resolve("tls-bench.p12");
        char[] password = makeKeyStore(keyStore);
        TlsOptions client = TlsOptions.client(trusting(keyStore, password)).withoutHostnameVerification()
                .withHandshakeTimeout(Duration.ofSeconds(60)); // 100 handshakes at once on a busy machine take a while
        Table table = new Table("scenario", "server", "repetition", "msgs_per_s", "server_cpu_us_per_msg");
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(start("boucle-tls", List.of("-jar", settings.examplesJar().toString(), "echo", "--tls",
                    "--keystore", keyStore.toString()), password));
            servers.add(start("netty-tls", List.of("-cp", settings.benchJar().toString(), Main.class.getName(),
                    "netty-tls-echo", "--keystore", keyStore.toString()), password));
            for (ServerProcess server : servers) { // JIT-compile both paths the same way first
                for (Scenario scenario : SCENARIOS) {
                    measure(server, scenario, client, settings.quick() ? 0.5 : 2, 0.1);
                }
            }
            for (Scenario scenario : SCENARIOS) {
                for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
                    for (ServerProcess server : servers) {
                        double[] result = measure(server, scenario, client, settings.warmupSeconds(), settings.measureSeconds());
                        table.add(scenario.name(), server.name(), repetition, result[0], result[1]);
                        System.out.printf("  %-20s %-11s #%d %,10.0f msgs/s  server %.1f us/msg%n",
                                scenario.name(), server.name(), repetition, result[0], result[1]);
                    }
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
            Files.deleteIfExists(keyStore);
        }
        table.save(settings.work().resolve(FILE));
        printSummary(table);
        return table;
    }

    /** Medians per scenario and server, and Boucle's ratio to Netty (throughput: higher is better; CPU: lower). */
    private static void printSummary(Table table) {
        System.out.println();
        System.out.println("| scenario | Boucle msgs/s | Netty msgs/s | ratio | Boucle server us/msg | Netty server us/msg | ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Scenario scenario : SCENARIOS) {
            double[] boucle = medians(table, scenario.name(), "boucle-tls");
            double[] netty = medians(table, scenario.name(), "netty-tls");
            System.out.printf("| %s | %,.0f | %,.0f | %.2f | %.1f | %.1f | %.2f |%n", scenario.name(), boucle[0], netty[0],
                    boucle[0] / netty[0], boucle[1], netty[1], boucle[1] / netty[1]);
        }
    }

    private static double[] medians(Table table, String scenario, String server) {
        List<Double> rates = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        for (java.util.Map<String, String> row : table.rows()) {
            if (row.get("scenario").equals(scenario) && row.get("server").equals(server)) {
                rates.add(Double.parseDouble(row.get("msgs_per_s")));
                cpus.add(Double.parseDouble(row.get("server_cpu_us_per_msg")));
            }
        }
        return new double[] {median(rates), median(cpus)};
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

    /** Runs one scenario against one server: warm-up, then a window; returns {msgs/s, server us/msg}. */
    private static double[] measure(ServerProcess server, Scenario scenario, TlsOptions tls, double warmupSeconds,
            double measureSeconds) throws Exception {
        long[] messages = new long[1];
        boolean[] counting = new boolean[1];
        boolean[] stopping = new boolean[1];
        double[] window = new double[2];
        try (Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                List<Task<Void>> clients = new ArrayList<>();
                for (int i = 0; i < scenario.clients(); i++) {
                    // echo clients connect one after the other: the handshakes are not what they measure
                    AsyncSocket connected = scenario.newConnectionEach() ? null : connect(server.port(), tls);
                    clients.add(Boucle.spawn(() -> client(connected, server.port(), scenario, tls, messages, counting,
                            stopping)));
                }
                Boucle.sleep(Duration.ofNanos((long) (warmupSeconds * 1e9)));
                double cpuBefore = ProcessStats.cpuSeconds(server.pid());
                long started = System.nanoTime();
                messages[0] = 0;
                counting[0] = true;
                Boucle.sleep(Duration.ofNanos((long) (measureSeconds * 1e9)));
                counting[0] = false;
                long counted = messages[0];
                double seconds = (System.nanoTime() - started) / 1e9;
                double cpu = ProcessStats.cpuSeconds(server.pid()) - cpuBefore;
                stopping[0] = true;
                for (Task<Void> client : clients) {
                    client.await();
                }
                window[0] = counted / seconds;
                window[1] = counted == 0 ? Double.NaN : cpu * 1e6 / counted;
            });
        }
        return window;
    }

    private static AsyncSocket connect(int port, TlsOptions tls) throws IOException {
        AsyncSocket socket = AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(60), tls);
        socket.setReadTimeout(Duration.ofSeconds(60));
        return socket;
    }

    private static void client(AsyncSocket connected, int port, Scenario scenario, TlsOptions tls, long[] messages,
            boolean[] counting, boolean[] stopping) throws IOException {
        byte[] payload = new byte[scenario.size()];
        AsyncSocket socket = connected;
        try {
            while (!stopping[0]) {
                if (socket == null) {
                    socket = connect(port, tls);
                }
                socket.write(payload);
                ByteBuf back = socket.readExactly(payload.length);
                back.release();
                if (counting[0]) {
                    messages[0]++;
                }
                if (scenario.newConnectionEach()) {
                    socket.close();
                    socket = null;
                }
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
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

    /** A context trusting the certificate of the key store's key entry, for the client. */
    private static SSLContext trusting(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (String alias : Collections.list(store.aliases())) {
            trusted.setCertificateEntry(alias, store.getCertificate(alias));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
