package boucle.core;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what Boucle logs through System.Logger (backed by java.util.logging in tests). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("boucle.core");
    final List<LogRecord> records = new ArrayList<>();

    LogCapture() {
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
