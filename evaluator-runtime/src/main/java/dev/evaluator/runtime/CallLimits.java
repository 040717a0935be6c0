package dev.evaluator.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * What one call may use.
 *
 * @param timeout            wall-clock time for the call, from when it starts running (not while queued)
 * @param maxAllocatedBytes  bytes the call's thread may allocate before the call is stopped
 * @param maxResultBytes     largest result, as UTF-8 JSON
 * @param maxLogLines        console lines kept per call; more are counted but dropped
 * @param maxLogLineChars    longest console line kept; longer ones are cut
 */
public record CallLimits(Duration timeout, long maxAllocatedBytes, int maxResultBytes, int maxLogLines,
                         int maxLogLineChars) {
    /** Defaults: 120 s, 256 MiB allocated, 10 MiB result, 100 lines of 2,000 characters. */
    public static final CallLimits DEFAULT = new CallLimits(Duration.ofSeconds(120), 256L << 20, 10 << 20, 100, 2000);

    /**
     * Check the limits.
     *
     * @throws IllegalArgumentException if a limit is not positive
     * @throws NullPointerException     if the timeout is null
     */
    public CallLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || maxAllocatedBytes <= 0 || maxResultBytes <= 0
                || maxLogLines < 0 || maxLogLineChars <= 0) {
            throw new IllegalArgumentException("call limits must be positive");
        }
    }

    /**
     * The same limits with another timeout.
     *
     * @param timeout the timeout
     * @return the limits
     */
    public CallLimits withTimeout(Duration timeout) {
        return new CallLimits(timeout, maxAllocatedBytes, maxResultBytes, maxLogLines, maxLogLineChars);
    }
}
