package dev.evaluator.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations counted in fixed log-linear buckets, so a percentile costs a scan, recording costs one atomic increment,
 * and histograms merge by adding counts.
 * <p>
 * Buckets are in microseconds: below {@value #SUB_BUCKETS} µs one bucket per microsecond; above, each power of two is
 * split into {@value #SUB_BUCKETS} equal buckets, so a bucket is at most 12.5% wide and its midpoint is within 6.25%
 * of any duration in it. Durations beyond 2^{@value #MAX_EXPONENT} µs (38 hours) count in the last bucket.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 3;
    static final int SUB_BUCKETS = 1 << SUB_BITS;
    static final int MAX_EXPONENT = 37;
    static final int BUCKETS = SUB_BUCKETS + (MAX_EXPONENT - SUB_BITS + 1) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Count a duration. */
    void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos) / 1000));
    }

    /** Add this histogram's counts to an array of {@link #BUCKETS} counts. */
    void addTo(long[] total) {
        for (int i = 0; i < BUCKETS; i++) {
            total[i] += counts.get(i);
        }
    }

    /**
     * A percentile of counted durations.
     *
     * @param counts   bucket counts, as {@link #addTo} fills them
     * @param fraction e.g. 0.99
     * @return the midpoint of the bucket holding that rank, in nanoseconds; 0 when nothing was counted
     */
    static long percentile(long[] counts, double fraction) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return midpointMicros(i) * 1000;
            }
        }
        return midpointMicros(counts.length - 1) * 1000;
    }

    static int bucket(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        if (exponent > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        int sub = (int) (micros >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS + (exponent - SUB_BITS) * SUB_BUCKETS + sub;
    }

    /** The middle of a bucket, in microseconds (exact for the one-microsecond buckets). */
    static long midpointMicros(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = (bucket - SUB_BUCKETS) / SUB_BUCKETS + SUB_BITS;
        int sub = (bucket - SUB_BUCKETS) % SUB_BUCKETS;
        long width = 1L << (exponent - SUB_BITS);
        long low = (1L << exponent) + sub * width;
        return low + width / 2;
    }
}
