package dev.evaluator.api;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The console's text lines ({@code --log-format text}, the default): {@code time level logger: message}, one record
 * per line whatever its text. Control characters in the message and in an exception's messages are escaped
 * ({@code \n}, {@code \u001b}), so that nothing a client or a library sends (a path, a header, a console line) can
 * start a line of its own that looks like the server's. A stack trace keeps its frames, one per line, each
 * starting with a tab: a continuation line never looks like a record.
 */
final class TextLogFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS",
            Locale.ROOT);
    /** Causes followed at most: a cycle or a very deep chain must not make a line unbounded. */
    private static final int MAX_CAUSES = 16;

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160)
                .append(TIME.format(LocalDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault())))
                .append(' ').append(record.getLevel().getLocalizedName())
                .append(' ').append(escaped(String.valueOf(record.getLoggerName())))
                .append(": ").append(escaped(formatMessage(record)));
        Throwable thrown = record.getThrown();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int depth = 0; thrown != null && depth < MAX_CAUSES && seen.add(thrown); depth++) {
            line.append(System.lineSeparator()).append(depth == 0 ? "" : "\tCaused by: ")
                    .append(escaped(thrown.toString()));
            for (StackTraceElement frame : thrown.getStackTrace()) {
                line.append(System.lineSeparator()).append("\tat ").append(escaped(frame.toString()));
            }
            thrown = thrown.getCause();
        }
        return line.append(System.lineSeparator()).toString();
    }

    /** Control characters (C0, DEL, C1 and the Unicode line separators) as escapes; everything else as it is. */
    static String escaped(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (control) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
