package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.test.LogCapture;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link RateLimitedLog}: a count per interval instead of a line per occurrence. */
class RateLimitedLogTest {
    private static final System.Logger LOG = System.getLogger("boucle.net");

    @Test
    void firstOccurrenceIsLoggedAtOnceTheRestAsOneCountPerInterval() throws Exception {
        AtomicLong now = new AtomicLong();
        try (LogCapture log = LogCapture.of("boucle.net"); Loop loop = Net.newLoop(now::get)) {
            loop.runTask(() -> {
                Duration interval = Duration.ofSeconds(10);
                RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARNING, "accept on X failed", interval, loop);
                failures.record("Too many open files", null);
                for (int i = 0; i < 523; i++) {
                    failures.record(i == 522 ? "Too many open files (last)" : "Too many open files", null);
                }
                assertEquals(List.of("accept on X failed: Too many open files"), log.messages());
                passes(now, Duration.ofSeconds(10)); // the first interval ends
                assertEquals("accept on X failed 523 more times in the last 10 s: Too many open files (last)",
                        log.messages().get(1));
                passes(now, Duration.ofSeconds(5));
                failures.record("again", null); // within the second interval, which the summary opened
                passes(now, Duration.ofSeconds(5)); // the second interval ends with its one count...
                passes(now, Duration.ofSeconds(10)); // ...and a quiet third one ends the limiting
                failures.record("after a quiet interval", null);
                assertEquals(List.of("accept on X failed: Too many open files",
                        "accept on X failed 523 more times in the last 10 s: Too many open files (last)",
                        "accept on X failed 1 more time in the last 10 s: again",
                        "accept on X failed: after a quiet interval"), log.messages());
                failures.record("counted", null);
                failures.close(); // the server ends: what was counted is said, and no timer is left behind
                assertEquals("accept on X failed 1 more time in the last 10 s: counted", log.messages().get(4));
                assertEquals(0, loop.pendingTimers());
            });
        }
    }

    /** Moves the fake clock on, then lets the loop run the timers that became due. */
    private static void passes(AtomicLong now, Duration time) {
        now.addAndGet(time.toNanos());
        Boucle.interrupt(); // each turn runs the due timers before the ready tasks
    }

    @Test
    void aLoggerThatThrowsDoesNotThrowOut() {
        try (var broken = ThrowingLogHandler.install("boucle.net.broken", "simulated: the logger cannot open its time-zone data")) {
            RateLimitedLog.safely(System.getLogger("boucle.net.broken"), Level.WARNING, () -> "accept failed", null);
        }
    }
}
