package dev.evaluator.runtime;

/**
 * A snapshot of the runtime's load and of what it has stopped or cached since it was created, for monitoring.
 *
 * @param open                 whether the runtime takes calls: its engine is initialised and it is not closed
 * @param workers              execution slots: calls that may run at once
 * @param running              calls running now (slots held; an estimate while calls start and end)
 * @param queued               calls waiting for a worker or a slot
 * @param queueCapacity        calls that may wait before more are refused with {@code BUSY}
 * @param timeouts             calls stopped for running past their time limit
 * @param memoryLimitStops     calls stopped for allocating past their budget
 * @param busyRejections       calls refused with {@code BUSY} because the queue was full
 * @param libraryCacheHits     calls that found their library compiled and loaded in their slot
 * @param libraryCacheMisses   calls that had to load their library (first call in a slot, new code, or evicted)
 */
public record RuntimeStats(boolean open, int workers, int running, int queued, int queueCapacity, long timeouts,
                           long memoryLimitStops, long busyRejections, long libraryCacheHits,
                           long libraryCacheMisses) {
}
