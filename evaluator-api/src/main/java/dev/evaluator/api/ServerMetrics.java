package dev.evaluator.api;

import dev.evaluator.engine.FunctionStats;
import dev.evaluator.engine.StatementRunner;
import dev.evaluator.runtime.CancelCause;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.runtime.RuntimeStats;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreObserver;
import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.StoreStats;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The server's metrics, one Micrometer registry per server, scraped in the Prometheus text format or OpenMetrics:
 * HTTP requests by route and status with latency histograms, store operations with latency histograms and RocksDB's
 * figures, the JavaScript runtime's load and counters, and the JVM's basics.
 * <p>
 * Recording (a request, a store operation) is a map lookup and a timer update; gauges read the store and the
 * runtime only when scraped, and the store's figures at most once a second.
 */
final class ServerMetrics implements StoreObserver, AutoCloseable {
    /** The OpenMetrics content type Prometheus asks for; anything else gets the classic text format. */
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] REQUEST_BUCKETS = durations(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
            5000, 10_000, 30_000, 60_000);
    private static final Duration[] STORE_BUCKETS = durations(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250,
            1000);
    private static final Duration STORE_STATS_AGE = Duration.ofSeconds(1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Created on first use, so the scrape lists only operations that happened. */
    private final Map<StoreOperation, Timer> storeSucceeded = new ConcurrentHashMap<>();
    private final Map<StoreOperation, Timer> storeFailed = new ConcurrentHashMap<>();
    private final Map<RequestKey, Timer> requests = new ConcurrentHashMap<>();
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    /** Brings the series that are set rather than read (the per-namespace gauges) up to date. */
    private volatile Runnable beforeScrape = () -> { };

    /** The labels of a request's timer. */
    private record RequestKey(String method, String route, int status) {
    }

    ServerMetrics() {
        this(StatementRunner.LOCAL_NODE);
    }

    /**
     * @param node this node's name, a label ({@code node}) of every series: each node reports its own figures
     */
    ServerMetrics(String node) {
        registry.config().commonTags("node", node);
        new JvmMemoryMetrics().bindTo(registry);
        new GcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Gauge.builder("http.server.requests.active", requestsInFlight, AtomicInteger::get)
                .description("HTTP requests being handled")
                .register(registry);
    }

    private Timer storeTimer(StoreOperation operation, String outcome) {
        return Timer.builder("evaluator.store.operations")
                .description("Store operations, waiting for the store's lifecycle lock included")
                .tags("operation", operation.label(), "outcome", outcome)
                .serviceLevelObjectives(STORE_BUCKETS)
                .register(registry);
    }

    @Override
    public void completed(StoreOperation operation, long nanos, boolean failed) {
        Timer timer = failed
                ? storeFailed.computeIfAbsent(operation, op -> storeTimer(op, "failure"))
                : storeSucceeded.computeIfAbsent(operation, op -> storeTimer(op, "success"));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request starts: counted in flight until {@link #requestEnded}. */
    void requestStarted() {
        requestsInFlight.incrementAndGet();
    }

    /** A request's handling ended, whether or not its response went out. */
    void requestEnded() {
        requestsInFlight.decrementAndGet();
    }

    /** Requests being handled now. */
    int requestsInFlight() {
        return requestsInFlight.get();
    }

    /**
     * A response was sent.
     *
     * @param route the route's pattern from the access policy, never the raw path (library names would make
     *              unbounded label values)
     */
    void requestCompleted(String method, String route, int status, long nanos) {
        requests.computeIfAbsent(new RequestKey(method, route, status), key -> Timer.builder("http.server.requests")
                        .description("HTTP requests by method, route pattern and status")
                        .tags("method", key.method(), "route", key.route(), "status", String.valueOf(key.status()))
                        .serviceLevelObjectives(REQUEST_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** RocksDB's figures, read at most once a second however often metrics are scraped. */
    void bindStore(Store store) {
        Supplier<Optional<StoreStats>> stats = new Recent<>(() -> {
            try {
                return Optional.of(store.stats());
            } catch (StoreException e) {
                return Optional.empty();
            }
        }, STORE_STATS_AGE);
        storeGauge("evaluator.store.disk", "bytes", "Every file in the data directory", stats,
                StoreStats::diskBytes);
        storeGauge("evaluator.store.sst", "bytes", "Live sorted tables", stats, StoreStats::sstBytes);
        storeGauge("evaluator.store.wal", "bytes", "Write-ahead log files not yet obsolete", stats,
                StoreStats::walBytes);
        storeGauge("evaluator.store.memtable", "bytes", "Data in memory, not yet flushed", stats,
                StoreStats::memtableBytes);
        storeGauge("evaluator.store.compaction.pending", "bytes", "Bytes compaction is estimated to rewrite", stats,
                StoreStats::pendingCompactionBytes);
        storeGauge("evaluator.store.compaction.needed", null, "1 when RocksDB wants a compaction", stats,
                s -> s.compactionPending() ? 1 : 0);
        storeGauge("evaluator.store.compactions.running", null, "Compactions running", stats,
                StoreStats::runningCompactions);
        storeGauge("evaluator.store.background.errors", null, "Failed flushes or compactions since start", stats,
                StoreStats::backgroundErrors);
        storeGauge("evaluator.store.keys.estimated", null, "Records, as RocksDB estimates them", stats,
                StoreStats::estimatedKeys);
        Gauge.builder("evaluator.store.in.sync", () -> store.inSync() ? 1 : 0)
                .description("1 while this node hears every change of the store (always on RocksDB; on etcd, while"
                        + " its watch is connected and its cache is used)")
                .register(registry);
    }

    private void storeGauge(String name, String unit, String description, Supplier<Optional<StoreStats>> stats,
                            ToDoubleFunction<StoreStats> value) {
        Gauge.builder(name, () -> stats.get().map(value::applyAsDouble).orElse(Double.NaN))
                .baseUnit(unit)
                .description(description)
                .register(registry);
    }

    /** A listener's connections: open now, and refused at its cap since start. */
    void bindConnections(String listener, ConnectionGate gate) {
        Gauge.builder("evaluator.connections.open", gate, ConnectionGate::open)
                .description("Connections the listener holds, refused ones included").tags("listener", listener)
                .register(registry);
        FunctionCounter.builder("evaluator.connections.refused", gate, ConnectionGate::refused)
                .description("Connections answered 503 because the listener held its cap")
                .tags("listener", listener).register(registry);
    }

    /** The JavaScript runtime's load and counters. */
    void bindRuntime(JsRuntime runtime) {
        Supplier<RuntimeStats> stats = new Recent<>(runtime::stats, Duration.ofMillis(100));
        Gauge.builder("evaluator.js.open", () -> stats.get().open() ? 1 : 0)
                .description("1 while the JavaScript engine takes calls").register(registry);
        Gauge.builder("evaluator.js.workers", () -> stats.get().workers())
                .description("Threads that run calls").register(registry);
        Gauge.builder("evaluator.js.calls.running", () -> stats.get().running())
                .description("Calls running now").register(registry);
        Gauge.builder("evaluator.js.calls.queued", () -> stats.get().queued())
                .description("Calls waiting for a worker").register(registry);
        Gauge.builder("evaluator.js.queue.capacity", () -> stats.get().queueCapacity())
                .description("Calls that may wait before more are refused").register(registry);
        counter("evaluator.js.timeouts", "Calls stopped at their time limit", stats, RuntimeStats::timeouts);
        counter("evaluator.js.memory.limit.stops", "Calls stopped for allocating past their budget", stats,
                RuntimeStats::memoryLimitStops);
        counter("evaluator.js.busy.rejections", "Calls refused because the queue was full", stats,
                RuntimeStats::busyRejections);
        counter("evaluator.js.library.cache.hits", "Calls that found their library compiled and loaded", stats,
                RuntimeStats::libraryCacheHits);
        counter("evaluator.js.library.cache.misses", "Calls that had to load their library", stats,
                RuntimeStats::libraryCacheMisses);
        Gauge.builder("evaluator.js.workers.max", () -> stats.get().maxWorkers())
                .description("How far the pool of workers may grow while every worker runs a long call")
                .register(registry);
        Gauge.builder("evaluator.js.contexts", () -> stats.get().contexts())
                .description("JavaScript contexts kept (one per library, namespace and user in each slot)")
                .register(registry);
        Gauge.builder("evaluator.js.retained.bytes", () -> stats.get().retainedBytes())
                .description("Memory the kept contexts were last measured to hold").baseUnit("bytes")
                .register(registry);
        Gauge.builder("evaluator.js.namespaces.running", () -> stats.get().runningByNamespace().size())
                .description("Namespaces with calls running now").register(registry);
        Gauge.builder("evaluator.js.namespaces.queued", () -> stats.get().queuedByNamespace().size())
                .description("Namespaces with calls waiting for a worker").register(registry);
        // One series per namespace holding slots or waiting now (at most the slots plus the queue), set at each scrape.
        MultiGauge slots = MultiGauge.builder("evaluator.js.namespace.slots")
                .description("Execution slots a namespace holds now (namespaces holding none are not listed)")
                .register(registry);
        MultiGauge waiting = MultiGauge.builder("evaluator.js.namespace.queued")
                .description("Calls of a namespace waiting for a slot now (namespaces with none are not listed)")
                .register(registry);
        beforeScrape = () -> {
            RuntimeStats now = stats.get();
            slots.register(rows(now.runningByNamespace()), true);
            waiting.register(rows(now.queuedByNamespace()), true);
        };
        for (CancelCause cause : CancelCause.values()) {
            FunctionCounter.builder("evaluator.js.cancellations", stats,
                            s -> s.get().cancellations().getOrDefault(cause, 0L))
                    .description("Calls stopped before they returned, by cause")
                    .tag("cause", cause.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
    }

    /** A row per namespace key, labelled {@code namespace} ("global" or "bucket/scope"). */
    private static List<MultiGauge.Row<?>> rows(Map<String, Integer> byNamespace) {
        return byNamespace.entrySet().stream()
                .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("namespace", e.getKey()), e.getValue()))
                .toList();
    }

    private <T> void counter(String name, String description, Supplier<T> source, ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, source, s -> value.applyAsDouble(s.get()))
                .description(description)
                .register(registry);
    }

    /** Calls of functions beyond those the per-function statistics track. */
    void bindFunctionStats(FunctionStats stats) {
        FunctionCounter.builder("evaluator.function.stats.untracked.calls", stats, FunctionStats::untrackedCalls)
                .description("Calls of functions beyond the 4096 whose statistics are kept")
                .register(registry);
    }

    /**
     * The metrics in the format a Prometheus {@code Accept} header asks for.
     *
     * @param accept the request's Accept header, if any
     * @return the content type and the text
     */
    Scrape scrape(Optional<String> accept) {
        boolean openMetrics = accept.map(a -> a.toLowerCase(Locale.ROOT).contains("application/openmetrics-text"))
                .orElse(false);
        String type = openMetrics ? OPENMETRICS : PROMETHEUS_TEXT;
        beforeScrape.run();
        return new Scrape(type, registry.scrape(type));
    }

    /** Scraped metrics and their content type. */
    record Scrape(String contentType, String text) {
    }

    @Override
    public void close() {
        registry.close();
    }

    private static Duration[] durations(double... millis) {
        Duration[] durations = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            durations[i] = Duration.ofNanos((long) (millis[i] * 1_000_000));
        }
        return durations;
    }

    /** A value computed at most once per period; gauges read from the same snapshot within it. */
    private static final class Recent<T> implements Supplier<T> {
        private final Supplier<T> source;
        private final long periodNanos;
        private T value;
        private long readAt;

        Recent(Supplier<T> source, Duration period) {
            this.source = source;
            this.periodNanos = period.toNanos();
        }

        @Override
        public synchronized T get() {
            long now = System.nanoTime();
            if (value == null || now - readAt >= periodNanos) {
                value = source.get();
                readAt = now;
            }
            return value;
        }
    }
}
