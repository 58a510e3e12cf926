package boucle.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Short connections against an echo server: each of {@code clients} threads connects, sends one
 * byte, reads it back and resets the connection (no TIME_WAIT left behind to exhaust the ports),
 * over and over. What it measures is accepting: how connections reach the loops.
 */
final class ConnectionChurn {
    private ConnectionChurn() {
    }

    /** Connections per second over {@code measure} seconds, after {@code warmup}; and the server's CPU µs per connection. */
    static double[] run(int port, long serverPid, int clients, double warmup, double measure)
            throws IOException, InterruptedException {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + (long) ((warmup + measure) * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        once(port);
                        done.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    failures.add(e);
                }
            }, "churn-" + i);
            threads.add(thread);
            thread.start();
        }
        Thread.sleep((long) (warmup * 1000));
        long atStart = done.get();
        double cpuAtStart = ProcessStats.cpuSeconds(serverPid);
        long from = System.nanoTime();
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - from) / 1e9;
        long connections = done.get() - atStart;
        double cpu = ProcessStats.cpuSeconds(serverPid) - cpuAtStart;
        if (!failures.isEmpty()) {
            throw new IOException("a churning client failed: " + failures.getFirst(), failures.getFirst());
        }
        return new double[] {connections / seconds, cpu * 1e6 / connections};
    }

    private static void once(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            InputStream in = socket.getInputStream();
            if (in.read() != 42) {
                throw new IOException("the echo did not come back");
            }
            socket.setSoLinger(true, 0); // reset on close: no TIME_WAIT
        }
    }
}
