package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.millis;
import static boucle.examples.faults.FaultClients.percentile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fairness: two clients flood the echo server full-duplex; a third, light client sends a 5-byte
 * ping every 5 ms. The server must serve it between the floods' reads and writes, not after a
 * flooding connection has run out of data (which, with a full-duplex flood, is never).
 *
 * <p>The light client's round trips under the floods are compared to its round trips without them,
 * measured the same way in the same test, in alternating blocks (a burst of load from elsewhere on the
 * machine then falls on both): the p90 and the p99, each as a ratio to its baseline. The server runs in a process of its own,
 * so the test JVM's collector and leak detector (PARANOID) are not what is measured.
 */
@Tag("fault")
class FairnessFaultTest {
    private static final long GAP = TimeUnit.MILLISECONDS.toNanos(5);
    /** Blocks of pings with and without floods, alternating: 600 of each, the p99 is the 6th worst. */
    private static final int BLOCKS = 6;
    private static final int BLOCK = 100;
    /**
     * How much worse the p90 may be under floods. A loop that serves a flooding connection for as long
     * as it has data makes every tenth ping wait for a flood's step: measured on main, a p90 of
     * 28 to 38 ms under floods against 0.8 ms alone (35x to 45x). A fair loop serves the ping after
     * one bounded turn of each flood. The p90 is the discriminating figure because on a shared
     * two-core machine (load average 16 during these runs) the scheduler alone puts 1 to 2% of
     * pings past 10 ms, with or without floods: the p99 is then the machine's, not the loop's.
     */
    private static final double MAX_P90_RATIO = 8;
    /** The tail, bounded generously for the same reason: main's p99 under floods was 10x to 120x, its max 1.4 s. */
    private static final double MAX_P99_RATIO = 20;
    /**
     * The baseline is taken as at least this: on a quiet machine a loopback ping's p90 can be 50 µs,
     * below the scheduler's own jitter once two more busy threads share two cores with the client.
     */
    private static final long BASELINE_FLOOR = TimeUnit.MICROSECONDS.toNanos(500);

    @Test
    @Timeout(90)
    @Disabled("fails on main (p99 30 to 100x the baseline): enabled once the fairness budget (issue 9) is merged")
    void aLightClientIsServedBetweenTheReadsOfTwoFullDuplexFloods() throws Exception {
        try (ServerProcess server = ServerProcess.start("echo"); Socket light = FaultClients.connect(server.port());
             Flood flood = new Flood(server.port(), 2)) {
            flood.awaitEchoedEach(8 << 20); // warm-up: the server's code compiled, the client's too
            flood.pause();
            FaultClients.pings(light, 200, GAP);
            // Alternate blocks with and without the floods: a burst of load from elsewhere on the
            // machine then falls on both measurements, not on one.
            long[] alone = new long[BLOCKS * BLOCK];
            long[] flooded = new long[BLOCKS * BLOCK];
            for (int block = 0; block < BLOCKS; block++) {
                System.arraycopy(FaultClients.pings(light, BLOCK, GAP), 0, alone, block * BLOCK, BLOCK);
                flood.resume(1 << 20);
                System.arraycopy(FaultClients.pings(light, BLOCK, GAP), 0, flooded, block * BLOCK, BLOCK);
                flood.pause();
            }
            long floodBytes = flood.stopAndVerify();
            String figures = "light client alone: " + summary(alone) + "; under two floods: " + summary(flooded)
                    + "; " + (floodBytes >> 20) + " MiB flooded and echoed, every byte checked";
            System.out.println("fairness: " + figures);
            assertRatio(alone, flooded, 90, MAX_P90_RATIO, figures);
            assertRatio(alone, flooded, 99, MAX_P99_RATIO, figures);
        }
    }

    private static void assertRatio(long[] alone, long[] flooded, double percentile, double maxRatio, String figures) {
        long baseline = Math.max(percentile(alone, percentile), BASELINE_FLOOR);
        long underFlood = percentile(flooded, percentile);
        assertTrue(underFlood <= maxRatio * baseline, String.format(
                "the light client waited too long while two clients flooded: p%.0f %s is %.1fx the baseline of %s"
                        + " (at most %.0fx is fair); %s",
                percentile, millis(underFlood), underFlood / (double) baseline, millis(baseline), maxRatio, figures));
    }

    private static String summary(long[] roundTrips) {
        return "p50 " + millis(percentile(roundTrips, 50)) + ", p90 " + millis(percentile(roundTrips, 90)) + ", p99 "
                + millis(percentile(roundTrips, 99)) + ", max " + millis(percentile(roundTrips, 100));
    }
}
