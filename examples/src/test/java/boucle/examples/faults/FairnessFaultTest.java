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
 * <p>The light client's p99 round trip under the floods is compared to its p99 without them,
 * measured the same way a moment before in the same test. The server runs in a process of its own,
 * so the test JVM's collector and leak detector (PARANOID) are not what is measured.
 */
@Tag("fault")
class FairnessFaultTest {
    private static final long GAP = TimeUnit.MILLISECONDS.toNanos(5);
    /** Blocks of pings with and without floods, alternating; p99 of 600 is the 6th worst: one hiccup does not decide it. */
    private static final int BLOCKS = 6;
    private static final int BLOCK = 100;
    /**
     * How much worse the p99 may be under floods. A fair loop serves the light client after at most
     * a bounded turn of each flood (~2x to 5x its p99 alone here); one that serves a connection for as
     * long as it has data is ~30x to 100x. Generous, for a shared two-core machine.
     */
    private static final double MAX_RATIO = 12;
    /**
     * The baseline is taken as at least this: on a quiet machine a loopback ping's p99 can be 50 µs,
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
            long baseline = Math.max(percentile(alone, 99), BASELINE_FLOOR);
            long underFlood = percentile(flooded, 99);
            String figures = "light client alone: p50 " + millis(percentile(alone, 50)) + ", p99 "
                    + millis(percentile(alone, 99)) + "; under two floods: p50 " + millis(percentile(flooded, 50))
                    + ", p99 " + millis(underFlood) + " (" + String.format("%.1f", underFlood / (double) baseline)
                    + "x the baseline of " + millis(baseline) + "); " + (floodBytes >> 20) + " MiB flooded and echoed";
            System.out.println("fairness: " + figures);
            assertTrue(underFlood <= MAX_RATIO * baseline,
                    "the light client waited too long while two clients flooded: " + figures
                            + "; at most " + MAX_RATIO + "x the baseline is fair");
        }
    }
}
