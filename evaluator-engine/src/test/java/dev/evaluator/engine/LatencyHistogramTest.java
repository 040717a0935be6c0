package dev.evaluator.engine;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest {
    @Test
    void percentile_nothingCounted_zero() {
        assertEquals(0, LatencyHistogram.percentile(new long[LatencyHistogram.BUCKETS], 0.99));
    }

    @Test
    void percentile_belowEightMicroseconds_exact() {
        LatencyHistogram histogram = new LatencyHistogram();
        LongStream.rangeClosed(0, 7).forEach(micros -> histogram.record(micros * 1000 + 400));

        assertEquals(7000, percentile(histogram, 0.99));
        assertEquals(3000, percentile(histogram, 0.5));
    }

    @Test
    void percentile_ninetyNineFastOneSlow_theFastBucketThenTheSlowOne() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 99; i++) {
            histogram.record(1_000_000);
        }
        histogram.record(200_000_000);

        assertWithin(1_000_000, percentile(histogram, 0.99));
        assertWithin(200_000_000, percentile(histogram, 1.0));
    }

    @ParameterizedTest
    @ValueSource(longs = {8, 9, 15, 16, 17, 100, 999, 1_000, 123_456, 1_000_000, 86_400_000_000L})
    void midpoint_ofADurationsBucket_within6Point25Percent(long micros) {
        int bucket = LatencyHistogram.bucket(micros);

        assertWithin(micros, LatencyHistogram.midpointMicros(bucket));
    }

    @Test
    void bucket_increasingDurations_neverDecreaseAndStayInRange() {
        int previous = 0;
        for (long micros = 0; micros < 1L << 40; micros = micros * 5 / 4 + 1) {
            int bucket = LatencyHistogram.bucket(micros);
            assertTrue(bucket >= previous && bucket < LatencyHistogram.BUCKETS, micros + " -> " + bucket);
            previous = bucket;
        }
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucket(Long.MAX_VALUE / 1000));
    }

    @Test
    void record_negativeDuration_countedAsZero() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(-5);

        assertEquals(0, percentile(histogram, 0.99));
    }

    private static long percentile(LatencyHistogram histogram, double fraction) {
        long[] counts = new long[LatencyHistogram.BUCKETS];
        histogram.addTo(counts);
        return LatencyHistogram.percentile(counts, fraction);
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 16, "expected about " + expected + ", got " + actual);
    }
}
