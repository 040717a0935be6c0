package dev.evaluator.runtime;

import java.lang.System.Logger.Level;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Hands the engine's log records to a platform logger, so they come out in the service's log format. Unlike the
 * engine's default stream handler, it has nothing to close, so a late message at JVM shutdown is never an error.
 */
final class ForwardingLogHandler extends Handler {
    private final System.Logger logger;

    ForwardingLogHandler(System.Logger logger) {
        this.logger = logger;
    }

    @Override
    public void publish(LogRecord record) {
        java.util.logging.Level level = record.getLevel();
        Level mapped = level.intValue() >= java.util.logging.Level.SEVERE.intValue() ? Level.ERROR
                : level.intValue() >= java.util.logging.Level.WARNING.intValue() ? Level.WARNING
                : level.intValue() >= java.util.logging.Level.INFO.intValue() ? Level.INFO
                : Level.DEBUG;
        logger.log(mapped, "[" + record.getLoggerName() + "] " + record.getMessage(), record.getThrown());
    }

    @Override
    public void flush() {
        // Nothing is buffered here.
    }

    @Override
    public void close() {
        // The platform logger outlives the engine.
    }
}
