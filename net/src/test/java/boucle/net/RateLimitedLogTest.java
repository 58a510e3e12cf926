package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import boucle.core.Boucle;
import boucle.core.Loop;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RateLimitedLog}: a count per interval instead of a line per occurrence. */
class RateLimitedLogTest {
    private static final System.Logger LOG = System.getLogger("boucle.net");

    @Test
    void firstOccurrenceIsLoggedAtOnceTheRestAsOneCountPerInterval() throws Exception {
        try (LogCapture log = new LogCapture(); Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                Duration interval = Duration.ofMillis(200);
                RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARNING, "accept on X failed", interval, loop);
                failures.record("Too many open files", null);
                for (int i = 0; i < 522; i++) {
                    failures.record(i == 521 ? "Too many open files (last)" : "Too many open files", null);
                }
                assertEquals(List.of("accept on X failed: Too many open files"), log.messages());
                Boucle.sleep(interval.multipliedBy(3).dividedBy(2)); // past the end of the first interval
                assertEquals("accept on X failed 522 more times in the last 200 ms: Too many open files (last)",
                        log.messages().get(1));
                failures.record("again", null); // within the second interval, which the summary opened
                Boucle.sleep(interval.multipliedBy(2)); // the second interval ends with its one count...
                Boucle.sleep(interval.multipliedBy(2)); // ...and a quiet third one ends the limiting
                failures.record("after a quiet interval", null);
                assertEquals(List.of("accept on X failed: Too many open files",
                        "accept on X failed 522 more times in the last 200 ms: Too many open files (last)",
                        "accept on X failed 1 more time in the last 200 ms: again",
                        "accept on X failed: after a quiet interval"), log.messages());
                failures.close(); // nothing counted: nothing to say, and no timer left behind
                assertEquals(4, log.messages().size());
                assertEquals(0, loop.pendingTimers());
            });
        }
    }

    @Test
    void aLoggerThatThrowsDoesNotThrowOut() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("boucle.net.broken");
        java.util.logging.Handler broken = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                throw new Error("simulated: the logger cannot open its time-zone data");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(broken);
        try {
            RateLimitedLog.safely(System.getLogger("boucle.net.broken"), Level.WARNING, () -> "accept failed", null);
        } finally {
            logger.removeHandler(broken);
        }
    }
}
