package dev.evaluator.api;

import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The JDK's log manager, except that the JDK's own shutdown hook does not close the log handlers: it runs at the
 * same time as the server's shutdown hook, which still logs the requests it lets finish. {@link Main} installs it
 * before anything logs, and flushes the handlers once the server has stopped.
 */
public final class ServerLogManager extends LogManager {
    /** The JDK's shutdown hook thread that resets logging. */
    private static final String JDK_CLEANER = "Logging-Cleaner";

    /** Called by the JDK (the {@code java.util.logging.manager} system property names this class). */
    public ServerLogManager() {
    }

    @Override
    public void reset() {
        if (Thread.currentThread().getName().equals(JDK_CLEANER)) {
            return;
        }
        super.reset();
    }

    /** Flush the root logger's and the access log's handlers: the last lines before the process ends. */
    static void flush() {
        for (String logger : new String[] {AccessLog.LOGGER, ""}) {
            for (Handler handler : Logger.getLogger(logger).getHandlers()) {
                handler.flush();
            }
        }
    }
}
