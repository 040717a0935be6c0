package dev.evaluator.engine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Couchbase reads and writes them, in Go's notation: {@code 500ms}, {@code 10s}, {@code 1h30m} in
 * requests; {@code 1.234ms}, {@code 56.7µs}, {@code 2.5s} in responses. The one place for both.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /**
     * Read a duration such as {@code 500ms}, {@code 10s}, {@code 2m} or {@code 1h30m}.
     *
     * @param name what the value is, for the message ({@code timeout})
     * @param text the text, surrounding white space ignored
     * @return the duration, positive
     * @throws EngineException {@code INVALID_ARGUMENT} when the text is not a positive duration
     */
    public static Duration parse(String name, String text) {
        String value = text.strip();
        Matcher m = PART.matcher(value);
        double nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double amount = Double.parseDouble(m.group(1));
            nanos += amount * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            end = m.end();
        }
        if (end != value.length() || end == 0 || nanos <= 0) {
            throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, name
                    + " must be a positive duration such as 500ms, 10s or 2m, not " + value);
        }
        return Duration.ofNanos((long) nanos);
    }

    /**
     * Write a duration as Couchbase does: {@code 91.234µs}, {@code 12.3457ms}, {@code 61.2346s}.
     *
     * @param nanos the duration in nanoseconds, not negative
     * @return the text
     */
    public static String format(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return decimal(nanos, 100_000L, 10_000) + "s";
        }
        if (nanos >= 1_000_000L) {
            return decimal(nanos, 100L, 10_000) + "ms";
        }
        return decimal(nanos, 1L, 1_000) + "µs";
    }

    /**
     * Write a duration as Go's {@code time.Duration.String()} does, which Couchbase uses in messages:
     * {@code 500ms}, {@code 1.5s}, {@code 1m30s}, {@code 2h0m0s}.
     *
     * @param duration the duration, not negative
     * @return the text
     */
    public static String go(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000L) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000L) {
            return fraction(nanos, 1_000L) + "µs";
        }
        if (nanos < 1_000_000_000L) {
            return fraction(nanos, 1_000_000L) + "ms";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        String seconds = fraction(nanos % 60_000_000_000L, 1_000_000_000L) + "s";
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds;
        }
        return minutes > 0 ? minutes + "m" + seconds : seconds;
    }

    /** {@code value / unit} with as many decimals as it has, none trailing. */
    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + rest).substring(1).replaceAll("0+$", "");
        return whole + "." + digits;
    }

    /**
     * Nanoseconds in units of {@code unit}, rounded half up, shown with {@code scale} (1,000 or 10,000) units to the
     * whole: what {@code %.3f} or {@code %.4f} gives, at a fraction of its cost (every invoke response has one).
     */
    private static String decimal(long nanos, long unit, int scale) {
        long units = (nanos + unit / 2) / unit;
        String fraction = Long.toString(units % scale);
        int digits = scale == 1_000 ? 3 : 4;
        return units / scale + "." + "0".repeat(digits - fraction.length()) + fraction;
    }
}
