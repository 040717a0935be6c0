package dev.evaluator.api;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line per request, on the logger {@value #LOGGER}: method, path (without the query string), status,
 * duration, user and client address; never credentials, query strings or bodies. In text the line is
 * {@code key=value} pairs; {@link JsonLogFormatter} writes the same fields as JSON properties.
 */
final class AccessLog {
    static final String LOGGER = "dev.evaluator.access";
    /** The user of a request that was not authenticated (public routes, 401, 429). */
    static final String NO_USER = "-";

    private final Logger logger = Logger.getLogger(LOGGER);

    /** A log record that carries its fields, for formatters that write them one by one. */
    static final class Entry extends LogRecord {
        private static final long serialVersionUID = 1L;

        private final transient Map<String, Object> fields;

        Entry(Map<String, Object> fields, String text) {
            super(Level.INFO, text);
            this.fields = fields;
            setLoggerName(LOGGER);
            // Set, so that no formatter makes JUL walk the stack to infer them: that costs more than the request.
            setSourceClassName(AccessLog.class.getName());
            setSourceMethodName("log");
        }

        Map<String, Object> fields() {
            return fields;
        }
    }

    /**
     * Log a request whose response was sent.
     *
     * @param path the path as the client sent it (still percent-encoded), without the query string
     */
    void log(String method, String path, int status, long nanos, String user, String remote, String requestId) {
        if (!logger.isLoggable(Level.INFO)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.put("path", path);
        fields.put("status", status);
        fields.put("durationMs", Math.round(nanos / 1000.0) / 1000.0);
        fields.put("user", user);
        fields.put("remote", remote);
        fields.put("requestId", requestId);
        StringBuilder text = new StringBuilder(128);
        fields.forEach((name, value) -> {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(name).append('=').append(quoted(String.valueOf(value)));
        });
        logger.log(new Entry(fields, text.toString()));
    }

    /** A value as it is, or in double quotes when it is empty or holds a space, a quote or an equals sign. */
    static String quoted(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return value;
        }
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
