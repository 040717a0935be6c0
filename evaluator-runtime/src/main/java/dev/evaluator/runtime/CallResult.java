package dev.evaluator.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a call that returned.
 *
 * @param json     the result as JSON text; empty when the function returned {@code undefined}
 * @param logs     what the call wrote to the console, in order (at most the limit's number of lines)
 * @param dropped  console lines dropped beyond the limit
 * @param elapsed  how long the call ran
 */
public record CallResult(Optional<String> json, List<LogLine> logs, int dropped, Duration elapsed) {
    /**
     * Copy the logs.
     *
     * @throws NullPointerException if a field is null
     */
    public CallResult {
        Objects.requireNonNull(json, "json");
        logs = List.copyOf(logs);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * One console line.
     *
     * @param level   {@code log}, {@code info}, {@code warn}, {@code error} or {@code debug}
     * @param message the arguments, formatted as the console formats them and joined with spaces
     */
    public record LogLine(String level, String message) {
    }
}
