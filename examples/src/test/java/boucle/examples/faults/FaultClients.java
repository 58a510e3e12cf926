package boucle.examples.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/** The checks the fault suite's blocking clients share (every byte verified); the clients connect with {@link boucle.test.LineClient#openSocket}. */
final class FaultClients {
    private FaultClients() {
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Fails with the first differing offset (a 5 MiB array in a message says nothing). */
    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        int at = Arrays.mismatch(expected, actual);
        if (at >= 0) {
            fail(what + ": " + actual.length + " bytes came back for " + expected.length + " sent; first difference at "
                    + at);
        }
    }

    /**
     * Sends {@code bytes} from a thread of its own while this one reads the echo, so neither side
     * waits for the other to drain (as a full-duplex client does), and checks every byte.
     */
    static void echoFullDuplex(Socket socket, byte[] bytes, String who) throws Exception {
        CompletableFuture<Void> writing = writeAsync(socket, bytes, false);
        byte[] back = readExactly(socket.getInputStream(), bytes.length);
        writing.get(10, TimeUnit.SECONDS);
        assertSameBytes(bytes, back, who);
    }

    /** Writes {@code bytes} in 64 KiB pieces from another thread, then half-closes if asked. */
    static CompletableFuture<Void> writeAsync(Socket socket, byte[] bytes, boolean thenShutdownOutput) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int at = 0; at < bytes.length; at += 65536) {
                    out.write(bytes, at, Math.min(65536, bytes.length - at));
                }
                if (thenShutdownOutput) {
                    socket.shutdownOutput();
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "client-writer");
        writer.setDaemon(true);
        writer.start();
        return done;
    }

    /** Reads exactly {@code n} bytes; fails if the stream ends first. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        assertEquals(n, bytes.length, "the stream ended after " + bytes.length + " of " + n + " bytes");
        return bytes;
    }

    /**
     * Ping-pongs {@code count} small messages, one every {@code gapNanos} (a light interactive
     * client: the pace of its sends does not depend on the replies), and returns each round trip
     * in nanoseconds. Every reply is checked.
     */
    static long[] pings(Socket socket, int count, long gapNanos) throws IOException {
        return pings(socket, count, gapNanos, () -> 0, new long[count]);
    }

    /**
     * The same, and for each ping how far {@code work} (a count that grows as the server does other
     * work, such as bytes echoed to other clients) went on while the ping waited, into {@code workDuring}.
     */
    static long[] pings(Socket socket, int count, long gapNanos, java.util.function.LongSupplier work,
            long[] workDuring) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        long[] roundTrips = new long[count];
        byte[] ping = new byte[5];
        byte[] pong = new byte[5];
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            for (long wait; (wait = next - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait); // pacing the client, not waiting for the server
            }
            next += gapNanos;
            ping[0] = 'p';
            ping[1] = (byte) (i >> 16);
            ping[2] = (byte) (i >> 8);
            ping[3] = (byte) i;
            ping[4] = '\n';
            long workBefore = work.getAsLong();
            long start = System.nanoTime();
            out.write(ping);
            if (in.readNBytes(pong, 0, 5) != 5) {
                throw new IOException("the server closed the connection at ping " + i);
            }
            roundTrips[i] = System.nanoTime() - start;
            workDuring[i] = work.getAsLong() - workBefore;
            if (!Arrays.equals(ping, pong)) {
                fail("ping " + i + " came back as " + Arrays.toString(pong));
            }
        }
        return roundTrips;
    }

    /** The {@code p}-th percentile (0 to 100) of {@code samples}, by the nearest-rank rule. */
    static long percentile(long[] samples, double p) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String millis(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }

    /**
     * Runs {@code work} on a thread of its own. Not the common pool: on two cores it has one
     * thread, and clients that block in reads would then run one after the other, not together.
     */
    static <T> CompletableFuture<T> inThread(String name, java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Exception | AssertionError e) {
                result.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** Waits for {@code future}, unwrapping what it failed with. */
    static <T> T await(CompletableFuture<T> future, long seconds) throws Exception {
        try {
            return future.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw failed;
        } catch (TimeoutException late) {
            throw new AssertionError("not done within " + seconds + " s", late);
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }

    /**
     * Asks {@code condition} every 10 ms until it holds; fails after {@code seconds}. For state a
     * test cannot be told about (a server's count of connections after its clients vanished).
     */
    static void eventually(String what, long seconds, Check condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": still not so after " + seconds + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** A condition that may need a round trip to find out. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }
}
