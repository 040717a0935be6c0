package dev.evaluator.engine;

import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Calls, errors, timeouts and service times of each library function since the server started, whichever way it
 * was called (invoke or SQL++). Recording is lock-free: counters are {@link LongAdder}s, minimum and maximum are
 * compare-and-set, the percentile comes from a {@link LatencyHistogram}.
 * <p>
 * A service time runs from the hand-off of the call to the JavaScript runtime until its result or failure, waiting
 * for a worker included. At most {@value #MAX_FUNCTIONS} functions are tracked (callers choose function names, so
 * the table must be bounded); calls of functions beyond them are only counted as untracked.
 * <p>
 * Calls through SQL++ are also counted per SQL++ function, for {@code system:functions_cache}, in a second table
 * recorded the same lock-free way and bounded the same: at most {@value #MAX_FUNCTIONS} SQL++ functions, calls of
 * others not counted there. Dropping a SQL++ function forgets its figures ({@link #forget}), as Couchbase clears its
 * cache entry.
 */
public final class FunctionStats {
    /** How many functions are tracked at most. */
    public static final int MAX_FUNCTIONS = 4096;
    private static final Comparator<Snapshot> ORDER = Comparator
            .comparing((Snapshot s) -> s.library().name())
            .thenComparing(s -> bucket(s.library().namespace()))
            .thenComparing(s -> scope(s.library().namespace()))
            .thenComparing(Snapshot::function);

    /** A function of a library. */
    private record Key(LibraryId library, String function) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Map<FunctionId, Entry> sqlFunctions = new ConcurrentHashMap<>();
    private final LongAdder untracked = new LongAdder();

    /**
     * What is known of one function, or of a namespace's functions together.
     *
     * @param library    the library (for a namespace, any library of it; only its namespace counts)
     * @param function   the function's name; empty for a namespace
     * @param calls      calls that ran, or were refused because every worker was busy
     * @param errors     calls that failed, timeouts included
     * @param timeouts   calls stopped at their time limit
     * @param minNanos   the shortest service time
     * @param maxNanos   the longest service time
     * @param totalNanos all service times added
     * @param p99Nanos   the 99th percentile of service times, within 6.25%
     * @param lastCall   when the last call ended
     */
    public record Snapshot(LibraryId library, String function, long calls, long errors, long timeouts, long minNanos,
                    long maxNanos, long totalNanos, long p99Nanos, Instant lastCall) {
        /**
         * The mean service time.
         *
         * @return nanoseconds; 0 without calls
         */
        public long avgNanos() {
            return calls == 0 ? 0 : totalNanos / calls;
        }
    }

    /** One function's counters. */
    private static final class Entry {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder totalNanos = new LongAdder();
        final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong max = new AtomicLong();
        final LatencyHistogram histogram = new LatencyHistogram();
        volatile long lastCallMillis;

        void record(long nanos, boolean failed, boolean timeout) {
            calls.increment();
            totalNanos.add(nanos);
            histogram.record(nanos);
            if (failed) {
                errors.increment();
            }
            if (timeout) {
                timeouts.increment();
            }
            long low = min.get();
            while (nanos < low && !min.compareAndSet(low, nanos)) {
                low = min.get();
            }
            long high = max.get();
            while (nanos > high && !max.compareAndSet(high, nanos)) {
                high = max.get();
            }
            lastCallMillis = System.currentTimeMillis();
        }
    }

    /**
     * Count a call.
     *
     * @param library  the function's library
     * @param function the function's name
     * @param nanos    its service time
     * @param failed   whether it failed
     * @param timeout  whether it was stopped at its time limit
     */
    public void record(LibraryId library, String function, long nanos, boolean failed, boolean timeout) {
        Key key = new Key(library, function);
        Entry entry = entries.get(key);
        if (entry == null) {
            if (entries.size() >= MAX_FUNCTIONS) {
                untracked.increment();
                return;
            }
            entry = entries.computeIfAbsent(key, k -> new Entry());
        }
        entry.record(nanos, failed, timeout);
    }

    /**
     * Count a call made through a SQL++ function (besides its library function's count, {@link #record}).
     *
     * @param function the SQL++ function
     * @param nanos    its service time
     * @param failed   whether it failed
     * @param timeout  whether it was stopped at its time limit
     */
    public void recordSqlFunction(FunctionId function, long nanos, boolean failed, boolean timeout) {
        Entry entry = sqlFunctions.get(function);
        if (entry == null) {
            if (sqlFunctions.size() >= MAX_FUNCTIONS) {
                return;
            }
            entry = sqlFunctions.computeIfAbsent(function, k -> new Entry());
        }
        entry.record(nanos, failed, timeout);
    }

    /**
     * Forget a SQL++ function's figures, when it is dropped.
     *
     * @param function the SQL++ function
     */
    public void forget(FunctionId function) {
        sqlFunctions.remove(function);
    }

    /**
     * What is known of the calls through one SQL++ function.
     *
     * @param function   the SQL++ function
     * @param calls      calls that ran
     * @param minNanos   the shortest service time
     * @param maxNanos   the longest service time
     * @param totalNanos all service times added
     * @param lastCall   when the last call ended
     */
    public record SqlFunctionSnapshot(FunctionId function, long calls, long minNanos, long maxNanos, long totalNanos,
                                      Instant lastCall) {
        /**
         * The mean service time.
         *
         * @return nanoseconds; 0 without calls
         */
        public long avgNanos() {
            return calls == 0 ? 0 : totalNanos / calls;
        }
    }

    /**
     * The figures of one SQL++ function.
     *
     * @param function the SQL++ function
     * @return its figures, or empty when it was not called since the server started or it was last created
     */
    public Optional<SqlFunctionSnapshot> sqlFunction(FunctionId function) {
        Entry entry = sqlFunctions.get(function);
        if (entry == null || entry.calls.sum() == 0) {
            return Optional.empty();
        }
        long max = entry.max.get();
        return Optional.of(new SqlFunctionSnapshot(function, entry.calls.sum(), Math.min(entry.min.get(), max), max,
                entry.totalNanos.sum(), Instant.ofEpochMilli(entry.lastCallMillis)));
    }

    /**
     * Calls of functions beyond the {@value #MAX_FUNCTIONS} tracked ones.
     *
     * @return the count
     */
    public long untrackedCalls() {
        return untracked.sum();
    }

    /**
     * The functions of the namespaces a caller may see, and each such namespace's functions together.
     *
     * @param functions      each function, sorted by library name, bucket, scope and function
     * @param namespaces     each namespace with functions, global first, then by bucket and scope; their
     *                       {@code function} is empty and their {@code library} is one of the namespace's
     * @param untrackedCalls calls of functions beyond the {@value #MAX_FUNCTIONS} tracked ones (of any namespace)
     */
    public record Report(List<Snapshot> functions, List<Snapshot> namespaces, long untrackedCalls) {
    }

    /**
     * The report for the namespaces {@code visible} accepts.
     *
     * @param visible which namespaces the caller may see ({@link NamespaceAccess#visibleStatistics})
     * @return the report
     */
    public Report report(Predicate<Namespace> visible) {
        List<Snapshot> functions = new ArrayList<>();
        Map<Namespace, Aggregate> namespaces = new HashMap<>();
        entries.forEach((key, entry) -> {
            Namespace namespace = key.library().namespace();
            if (!visible.test(namespace) || entry.calls.sum() == 0) {
                return;
            }
            long[] counts = new long[LatencyHistogram.BUCKETS];
            entry.histogram.addTo(counts);
            Snapshot function = snapshot(key.library(), key.function(), entry, counts);
            functions.add(function);
            namespaces.computeIfAbsent(namespace, n -> new Aggregate(key.library())).add(function, counts);
        });
        functions.sort(ORDER);
        List<Snapshot> aggregates = new ArrayList<>(namespaces.values().stream().map(Aggregate::snapshot).toList());
        aggregates.sort(Comparator.comparing((Snapshot s) -> bucket(s.library().namespace()))
                .thenComparing(s -> scope(s.library().namespace())));
        return new Report(functions, aggregates, untracked.sum());
    }

    /** A namespace's functions added up; their histograms merge by adding counts. */
    private static final class Aggregate {
        private final LibraryId library;
        private final long[] counts = new long[LatencyHistogram.BUCKETS];
        private long calls;
        private long errors;
        private long timeouts;
        private long total;
        private long min = Long.MAX_VALUE;
        private long max;
        private Instant last = Instant.EPOCH;

        Aggregate(LibraryId library) {
            this.library = library;
        }

        void add(Snapshot function, long[] functionCounts) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += functionCounts[i];
            }
            calls += function.calls();
            errors += function.errors();
            timeouts += function.timeouts();
            total += function.totalNanos();
            min = Math.min(min, function.minNanos());
            max = Math.max(max, function.maxNanos());
            last = last.isAfter(function.lastCall()) ? last : function.lastCall();
        }

        Snapshot snapshot() {
            return new Snapshot(library, "", calls, errors, timeouts, min, max, total,
                    clamp(LatencyHistogram.percentile(counts, 0.99), min, max), last);
        }
    }

    private static Snapshot snapshot(LibraryId library, String function, Entry entry, long[] counts) {
        long calls = entry.calls.sum();
        long max = entry.max.get();
        long min = Math.min(entry.min.get(), max);
        long p99 = clamp(LatencyHistogram.percentile(counts, 0.99), min, max);
        return new Snapshot(library, function, calls, entry.errors.sum(), entry.timeouts.sum(), min, max,
                entry.totalNanos.sum(), p99, Instant.ofEpochMilli(entry.lastCallMillis));
    }

    private static long clamp(long value, long min, long max) {
        return Math.max(min, Math.min(max, value));
    }

    /**
     * A namespace's bucket as the statistics show it.
     *
     * @return the bucket, or empty for global
     */
    public static String bucket(Namespace namespace) {
        return namespace instanceof Namespace.Scoped s ? s.bucket() : "";
    }

    /**
     * A namespace's scope as the statistics show it.
     *
     * @return the scope, or empty for global
     */
    public static String scope(Namespace namespace) {
        return namespace instanceof Namespace.Scoped s ? s.scope() : "";
    }
}
