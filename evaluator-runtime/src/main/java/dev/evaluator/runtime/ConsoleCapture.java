package dev.evaluator.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * The console of one execution slot's contexts: the prelude's {@code console} methods call it with a level and the
 * formatted line (null for a line beyond the call's budget, which is only counted). Lines are kept for the current
 * call, up to its limits, and written to the server log as they come, tagged with the library and function.
 * <p>
 * Used by one thread at a time, the one holding the slot (handing a slot over through its queue publishes its
 * state to the next holder).
 */
final class ConsoleCapture implements ProxyExecutable {
    private static final System.Logger LOG = System.getLogger("dev.evaluator.udf");

    private String libraryKey = "";
    private String function = "";
    private int maxLines;
    private int maxChars = 1;
    private List<CallResult.LogLine> lines = List.of();
    private int dropped;

    /**
     * Start capturing a call's lines, forgetting the previous call's.
     *
     * @param libraryKey the library's key, for the server log
     * @param function   the function called, for the server log
     * @param limits     the call's bounds on lines and their length
     */
    void begin(String libraryKey, String function, CallLimits limits) {
        this.libraryKey = libraryKey;
        this.function = function;
        this.maxLines = limits.maxLogLines();
        this.maxChars = limits.maxLogLineChars();
        this.lines = List.of();
        this.dropped = 0;
    }

    /** Lines the call may still log. */
    int remaining() {
        return maxLines - lines.size();
    }

    /** The lines kept so far. */
    List<CallResult.LogLine> lines() {
        return lines;
    }

    /** Lines dropped so far. */
    int dropped() {
        return dropped;
    }

    /** Note in the server log how many lines the call dropped, if any. */
    void end() {
        if (dropped > 0 && LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, "[{0}] {1}: {2} more console line(s) dropped", libraryKey, function, dropped);
        }
    }

    @Override
    public Object execute(Value... arguments) {
        String level = arguments[0].asString();
        if (arguments[1].isNull() || lines.size() >= maxLines) {
            dropped++;
            return null;
        }
        String message = cut(arguments[1].asString());
        if (lines.isEmpty()) {
            lines = new ArrayList<>();
        }
        lines.add(new CallResult.LogLine(level, message));
        // A library's output is the tenant's text, never the server's: at most INFO whatever its console method
        // (console.error must not raise an operator's alarm), tagged as console output with its level, and with
        // line breaks and other control characters escaped, so it can never pass for another log line.
        Level serverLevel = level.equals("debug") ? Level.DEBUG : Level.INFO;
        if (LOG.isLoggable(serverLevel)) {
            LOG.log(serverLevel, "console.{0} [{1}] {2}: {3}", level, libraryKey, function, escaped(message));
        }
        return null;
    }

    /** Control characters as escapes ({@code \\n}, {@code \\u001b}), and backslashes doubled. */
    static String escaped(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                default -> c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029
                        ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : null;
            };
            if (escape != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private String cut(String message) {
        if (message.length() <= maxChars) {
            return message;
        }
        int end = maxChars;
        // Never keep half of a surrogate pair.
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end);
    }
}
