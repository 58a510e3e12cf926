package boucle.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what a logger logs, from any thread: Boucle logs through {@link System.Logger}, which
 * goes to {@code java.util.logging} unless another backend is installed.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("boucle.net")) {
 *     ...
 *     LogRecord record = log.await("handler failed", Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Threads: any; records arrive from whichever thread logs.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Starts recording what {@code loggerName} (and the loggers under it) logs; {@link #close()} stops. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** Every record so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The messages so far, in order. */
    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /** The messages at {@code level} or above that contain {@code text}. */
    public List<String> messages(Level level, String text) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(LogRecord::getMessage).filter(m -> m != null && m.contains(text)).toList();
    }

    /**
     * Waits up to {@code timeout} for a record whose message contains {@code text}, and returns it;
     * fails with what was logged instead. For logs made on another thread (a background server).
     * Not from a loop's thread: it blocks.
     */
    public LogRecord await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (LogRecord record : records) {
                if (record.getMessage() != null && record.getMessage().contains(text)) {
                    return record;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("nothing logged containing '" + text + "' within " + timeout
                        + "; got " + messages());
            }
            Thread.sleep(5); // a poll of a list filled by other threads; not a test's timing
        }
    }

    @Override
    public void flush() {
    }

    /** Stops recording. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
