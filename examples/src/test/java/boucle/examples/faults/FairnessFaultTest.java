package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.millis;
import static boucle.examples.faults.FaultClients.percentile;
import static org.junit.jupiter.api.Assertions.fail;

import boucle.examples.ServerProcess;
import boucle.test.LineClient;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fairness: two clients flood the echo server full-duplex; a third, light client sends a 5-byte
 * ping every 5 ms. The server must serve it between the floods' reads and writes, not after a
 * flooding connection has run out of data (which, with a full-duplex flood, is never).
 *
 * <p>Two figures, from blocks of pings with and without the floods, alternating (a burst of load
 * from elsewhere on the machine then falls on both):
 * <ul>
 *   <li>the light client's p99 round trip under the floods, as a ratio to its p99 without them
 *       (the baseline), reported, and bounded only against starvation (see {@link #MAX_P99_RATIO});</li>
 *   <li>the work the server did for the floods while a ping waited: the bytes it echoed to them
 *       between the ping's send and its reply. This one is what decides on a loaded machine: when
 *       the scheduler deschedules the server, neither the floods nor the ping progress, so it
 *       counts the loop's choices, not the machine's load. A fair loop serves the ping after one
 *       bounded turn of each flood (a few MiB with the kernel's socket buffers between); a loop
 *       that serves a connection for as long as it has data echoes tens of MiB meanwhile.</li>
 * </ul>
 * The server runs in a process of its own, so the test JVM's collector and leak detector
 * (PARANOID) are not what is measured.
 */
@Tag("fault")
class FairnessFaultTest {
    private static final long GAP = TimeUnit.MILLISECONDS.toNanos(5);
    /** Blocks of pings with and without floods, alternating: 600 of each, the p99 is the 6th worst. */
    private static final int BLOCKS = 6;
    private static final int BLOCK = 100;
    /**
     * How much worse the p99 round trip may be under the floods: an outer bound, that catches a light
     * client starved for whole seconds. It cannot decide finer on the two-core machine shared with
     * other builds (load average 15 to 23 during these runs): a loop thread busy with floods then
     * waits for the scheduler far longer than an idle one, fair or not. Measured: main, which serves
     * a connection while it has data, 10x to 77x; with a budget per step, 2.7x to 37x.
     */
    private static final double MAX_P99_RATIO = 100;
    /**
     * The most bytes echoed to the floods while one ping waits, at the p99: the figure that decides.
     * Measured: main 25 to 45 MiB (max 37 to 150 MiB); with a budget per step 6 to 13 MiB, once 26.
     */
    private static final long MAX_P99_FLOOD_BYTES_PER_WAIT = 18L << 20;
    /**
     * The baseline is taken as at least this: on a quiet machine a loopback ping's p99 can be 100 µs,
     * below the scheduler's own jitter once two more busy threads share two cores with the client.
     */
    private static final long BASELINE_FLOOR = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Attempts at most: the test passes on the first attempt that meets both bounds. Load from
     * elsewhere only makes the figures worse (a descheduled flood client reads a backlog of
     * several MiB during one ping), so a fair loop fails one attempt now and then (1 in 7 here)
     * and three in a row almost never, while main failed every attempt.
     */
    private static final int ATTEMPTS = 3;

    @Test
    @Timeout(150)
    void aLightClientIsServedBetweenTheReadsOfTwoFullDuplexFloods() throws Exception {
        try (ServerProcess server = ServerProcess.start("echo"); Socket light = LineClient.openSocket(server.port());
             Flood flood = new Flood(server.port(), 2)) {
            flood.awaitEchoedEach(8 << 20); // warm-up: the server's code compiled, the client's too
            flood.pause();
            FaultClients.pings(light, 200, GAP);
            List<String> failures = new ArrayList<>();
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                String failure = attempt(light, flood);
                if (failure == null) {
                    break;
                }
                failures.add("attempt " + attempt + ": " + failure);
                System.out.println("fairness: attempt " + attempt + " failed");
            }
            long floodBytes = flood.stopAndVerify();
            System.out.println("fairness: " + (floodBytes >> 20) + " MiB flooded and echoed, every byte checked");
            if (failures.size() == ATTEMPTS) {
                fail("the light client was not served fairly in " + ATTEMPTS + " attempts:\n"
                        + String.join("\n", failures));
            }
        }
    }

    /** One measurement; returns what was unfair, or {@code null} if it met both bounds. */
    private static String attempt(Socket light, Flood flood) throws Exception {
        // Alternate blocks with and without the floods: a burst of load from elsewhere on the
        // machine then falls on both measurements, not on one.
        long[] alone = new long[BLOCKS * BLOCK];
        long[] flooded = new long[BLOCKS * BLOCK];
        long[] floodedBytes = new long[BLOCKS * BLOCK];
        long[] work = new long[BLOCK];
        for (int block = 0; block < BLOCKS; block++) {
            System.arraycopy(FaultClients.pings(light, BLOCK, GAP), 0, alone, block * BLOCK, BLOCK);
            flood.resume(1 << 20);
            System.arraycopy(FaultClients.pings(light, BLOCK, GAP, flood::bytesEchoed, work), 0, flooded,
                    block * BLOCK, BLOCK);
            System.arraycopy(work, 0, floodedBytes, block * BLOCK, BLOCK);
            flood.pause();
        }
        long bytesPerWait = percentile(floodedBytes, 99);
        String figures = "light client alone: " + summary(alone) + "; under two floods: " + summary(flooded)
                + "; echoed to the floods while a ping waited: p50 " + kib(percentile(floodedBytes, 50)) + ", p99 "
                + kib(bytesPerWait) + ", max " + kib(percentile(floodedBytes, 100));
        System.out.println("fairness: " + figures);
        if (bytesPerWait > MAX_P99_FLOOD_BYTES_PER_WAIT) {
            return "while the light client waited, the server served the floods for too long: p99 " + kib(bytesPerWait)
                    + " echoed to them per ping (at most " + kib(MAX_P99_FLOOD_BYTES_PER_WAIT) + " is fair); " + figures;
        }
        return ratioFailure(alone, flooded, 99, MAX_P99_RATIO, figures);
    }

    private static String ratioFailure(long[] alone, long[] flooded, double percentile, double maxRatio,
            String figures) {
        long baseline = Math.max(percentile(alone, percentile), BASELINE_FLOOR);
        long underFlood = percentile(flooded, percentile);
        if (underFlood <= maxRatio * baseline) {
            return null;
        }
        return String.format("the light client waited too long while two clients flooded: p%.0f %s is %.1fx the"
                + " baseline of %s (at most %.0fx is fair); %s", percentile, millis(underFlood),
                underFlood / (double) baseline, millis(baseline), maxRatio, figures);
    }

    private static String kib(long bytes) {
        return (bytes >> 10) + " KiB";
    }

    private static String summary(long[] roundTrips) {
        return "p50 " + millis(percentile(roundTrips, 50)) + ", p90 " + millis(percentile(roundTrips, 90)) + ", p99 "
                + millis(percentile(roundTrips, 99)) + ", max " + millis(percentile(roundTrips, 100));
    }
}
