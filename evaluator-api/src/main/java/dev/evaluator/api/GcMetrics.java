package dev.evaluator.api;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The collectors' figures, read when scraped: {@code jvm_gc_collections_seconds} (count and time of each collector,
 * e.g. ZGC's "ZGC Minor Pauses" and "ZGC Minor Cycles") and {@code jvm_gc_live_data_size_bytes} (the heap in use after
 * each pool's last collection).
 * <p>
 * Micrometer's {@code JvmGcMetrics} listens to the collectors' notifications instead, and the JVM builds a
 * notification per collection for its listeners: under a request load, with ZGC collecting a dozen times a second,
 * that cost 10 to 18% of the server's CPU (bench/invoke-vs-node.sh profiled with JFR). Reading counters at scrape
 * time costs nothing between scrapes.
 */
final class GcMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionTimer.builder("jvm.gc.collections", collector,
                            bean -> Math.max(0, bean.getCollectionCount()),
                            bean -> Math.max(0, bean.getCollectionTime()), TimeUnit.MILLISECONDS)
                    .tag("gc", collector.getName())
                    .description("Collections of this collector and the time they took (for ZGC's \"Pauses\""
                            + " collectors, time the application was stopped)")
                    .register(registry);
        }
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
        Gauge.builder("jvm.gc.live.data.size", heap, GcMetrics::usedAfterCollections)
                .baseUnit("bytes")
                .description("Heap in use after each heap pool's most recent collection")
                // A gauge holds its object weakly by default: the list would be collected and the series vanish.
                .strongReference(true)
                .register(registry);
    }

    private static double usedAfterCollections(List<MemoryPoolMXBean> pools) {
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage after = pool.getCollectionUsage();
            if (after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }
}
