package dev.evaluator.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * One JSON object per log line, for log collectors ({@code --log-format json}): {@code time} (ISO-8601, UTC),
 * {@code level}, {@code logger}, {@code message}, the access log's fields for request lines, and {@code exception}
 * (the stack trace) when there is one.
 */
final class JsonLogFormatter extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String format(LogRecord record) {
        Map<String, Object> fields = record instanceof AccessLog.Entry entry ? entry.fields() : Map.of();
        String exception = null;
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            exception = trace.toString();
        }
        return line(record.getInstant(), record.getLevel(), record.getLoggerName(), formatMessage(record), fields,
                exception);
    }

    /** A line the server prints itself (start-up, shutdown), in the same shape. */
    static String line(Level level, String logger, String message) {
        return line(Instant.now(), level, logger, message, Map.of(), null).stripTrailing();
    }

    private static String line(Instant time, Level level, String logger, String message, Map<String, Object> fields,
                               String exception) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", time.toString());
            json.writeStringField("level", level.getName());
            json.writeStringField("logger", logger == null ? "" : logger);
            json.writeStringField("message", message == null ? "" : message);
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                switch (field.getValue()) {
                    case Integer i -> json.writeNumberField(field.getKey(), i);
                    case Double d -> json.writeNumberField(field.getKey(), d);
                    default -> json.writeStringField(field.getKey(), String.valueOf(field.getValue()));
                }
            }
            if (exception != null) {
                json.writeStringField("exception", exception);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to a string cannot fail", e);
        }
        return out.append(System.lineSeparator()).toString();
    }
}
