package boucle.net;

import boucle.core.Handle;
import boucle.core.Loop;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One kind of repeated trouble logged as a count per interval, not one line per occurrence, so a
 * hostile client or a full file table cannot flood the log:
 *
 * <pre>
 *   WARNING boucle.net: accept on /127.0.0.1:7000 failed: Too many open files
 *   WARNING boucle.net: accept on /127.0.0.1:7000 failed 523 more times in the last 10 s: Too many open files
 * </pre>
 * The first occurrence after a quiet interval is logged at once, with its stack if it has one.
 * Later ones within the interval are counted; when the interval ends (a timer on the loop), one
 * line tells how many there were and the last one's detail, and a new interval starts. An
 * interval with no occurrence ends the limiting: the next one is logged at once again.
 *
 * <h2>Logging never throws</h2>
 * A logger can fail: the JDK's, on its first record, opens its time-zone data, which at EMFILE
 * throws an {@link Error} ({@link AsyncServer} reads that data ahead to avoid it). A log call in
 * the accept loop or a connection's cleanup must not end the server, so {@link #safely} catches
 * what the logger throws (but a {@link VirtualMachineError}) and writes the line to
 * {@code System.err} instead.
 *
 * <p>Loop-thread only.
 */
final class RateLimitedLog {
    private final System.Logger log;
    private final Level level;
    private final String subject;
    private final Duration interval;
    private final Loop loop;
    private final Runnable endInterval = this::endInterval;
    private Handle intervalEnd;
    private int suppressed;
    private String lastDetail;

    /** @param subject what happened, as the start of each line ("accept on X failed") */
    RateLimitedLog(System.Logger log, Level level, String subject, Duration interval, Loop loop) {
        this.log = log;
        this.level = level;
        this.subject = subject;
        this.interval = interval;
        this.loop = loop;
    }

    /** One occurrence: logged now if the log was quiet for an interval, else counted. */
    void record(String detail, Throwable thrown) {
        if (intervalEnd == null) {
            safely(log, level, () -> subject + ": " + detail, thrown);
            intervalEnd = loop.callLater(interval, endInterval);
        } else {
            suppressed++;
            lastDetail = detail;
        }
    }

    /** How many occurrences were counted and not logged yet. */
    int suppressed() {
        return suppressed;
    }

    private void endInterval() {
        intervalEnd = null;
        if (suppressed > 0) {
            logSummary();
            intervalEnd = loop.callLater(interval, endInterval); // still going on: keep counting
        }
    }

    private void logSummary() {
        int count = suppressed;
        String detail = lastDetail;
        suppressed = 0;
        lastDetail = null;
        safely(log, level, () -> subject + " " + count + " more " + (count == 1 ? "time" : "times") + " in the last "
                + span() + ": " + detail, null);
    }

    private String span() {
        return interval.toMillis() % 1000 == 0 ? interval.toSeconds() + " s" : interval.toMillis() + " ms";
    }

    /** Logs what is counted and stops the timer: the server that owns it is done. */
    void close() {
        if (intervalEnd != null) {
            intervalEnd.cancel();
            intervalEnd = null;
        }
        if (suppressed > 0) {
            logSummary();
        }
    }

    /** Logs, and if the logger itself fails, writes the line to {@code System.err} instead of throwing. */
    static void safely(System.Logger log, Level level, Supplier<String> message, Throwable thrown) {
        try {
            if (log.isLoggable(level)) {
                log.log(level, message.get(), thrown);
            }
        } catch (VirtualMachineError fatal) {
            throw fatal; // out of memory or stack: nothing here can go on
        } catch (RuntimeException | Error loggerFailed) {
            // e.g. an Error as the JDK logger opens its time-zone data with no file descriptor left:
            // losing a log line is better than losing the server
            System.err.println(level + " " + log.getName() + ": " + message.get()
                    + (thrown != null ? " (" + thrown + ")" : "") + " [the logger failed: " + loggerFailed + "]");
        }
    }
}
