package dev.evaluator.runtime;

import java.util.Map;

/**
 * A snapshot of the runtime's load and of what it has stopped or cached since it was created, for monitoring.
 *
 * @param open                 whether the runtime takes calls: its engine is initialised and it is not closed
 * @param workers              execution slots now (the pool size, between the settings' workers and maxWorkers)
 * @param running              calls running now (slots held)
 * @param queued               calls waiting for a slot
 * @param queueCapacity        calls that may wait before more are refused with {@code BUSY}
 * @param timeouts             calls stopped for running past their time limit
 * @param memoryLimitStops     calls stopped for holding more than their budget, for a context keeping more than its
 *                             bound, or by the heap-pressure watchdog
 * @param busyRejections       calls refused with {@code BUSY} because the queue was full
 * @param libraryCacheHits     calls that found their library compiled and loaded in their slot
 * @param libraryCacheMisses   calls that had to load their library (first call in a slot, new code, or evicted)
 * @param maxWorkers           the pool's cap
 * @param runningByNamespace   slots held, by namespace key (only namespaces holding some)
 * @param queuedByNamespace    calls waiting, by namespace key (only namespaces with some)
 * @param cancellations        calls stopped before they returned, by cause (every cause present, zero or more)
 * @param contexts             library contexts open
 * @param retainedBytes        heap the library contexts keep between calls, as last measured (an upper bound)
 */
public record RuntimeStats(boolean open, int workers, int running, int queued, int queueCapacity, long timeouts,
                           long memoryLimitStops, long busyRejections, long libraryCacheHits,
                           long libraryCacheMisses, int maxWorkers, Map<String, Integer> runningByNamespace,
                           Map<String, Integer> queuedByNamespace, Map<CancelCause, Long> cancellations, int contexts,
                           long retainedBytes) {
    /**
     * Copy the maps.
     *
     * @throws NullPointerException if a map is null
     */
    public RuntimeStats {
        runningByNamespace = Map.copyOf(runningByNamespace);
        queuedByNamespace = Map.copyOf(queuedByNamespace);
        cancellations = Map.copyOf(cancellations);
    }
}
