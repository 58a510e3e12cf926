package boucle.net;

import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A logging handler that throws an {@link Error} on every record, as the JDK's logger does at
 * EMFILE when its first record opens the time-zone data: for the tests that logging cannot break.
 */
final class ThrowingLogHandler extends Handler {
    private final String message;

    private ThrowingLogHandler(String message) {
        this.message = message;
    }

    /** Adds one to the logger {@code loggerName} until the returned scope is closed. */
    static Installed install(String loggerName, String message) {
        Logger logger = Logger.getLogger(loggerName);
        ThrowingLogHandler handler = new ThrowingLogHandler(message);
        logger.addHandler(handler);
        return new Installed(logger, handler);
    }

    /** The logger is held here too: java.util.logging keeps its loggers only weakly. */
    record Installed(Logger logger, Handler handler) implements AutoCloseable {
        @Override
        public void close() {
            logger.removeHandler(handler);
        }
    }

    @Override
    public void publish(LogRecord record) {
        throw new Error(message);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
