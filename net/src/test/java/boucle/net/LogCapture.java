package boucle.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what {@code boucle.net} logs (System.Logger goes to java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("boucle.net");
    private final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    private final List<LogRecord> seen = new ArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** Waits (up to 10 s) for a record whose message contains {@code text}. */
    LogRecord await(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (LogRecord record : seen) {
            if (record.getMessage().contains(text)) {
                return record;
            }
        }
        while (System.nanoTime() < deadline) {
            LogRecord next = records.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next != null) {
                seen.add(next);
                if (next.getMessage().contains(text)) {
                    return next;
                }
            }
        }
        assertNotNull(null, "nothing logged containing '" + text + "'; got " + messages());
        return null;
    }

    /** The messages recorded so far, in order. */
    List<String> messages() {
        records.drainTo(seen);
        return seen.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
