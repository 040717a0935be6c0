package dev.evaluator.runtime;

/**
 * How the runtime runs calls.
 *
 * @param workers           execution slots, each with its own library contexts: calls that may run at once, and
 *                          the platform threads that run calls for virtual-thread callers
 * @param queueCapacity     calls that may wait for a free worker; a call beyond them fails at once with
 *                          {@link JsExecutionException.Kind#BUSY} (while in-process callers hold slots, the
 *                          workers waiting for those slots hold one waiting call each besides)
 * @param contextsPerWorker libraries each worker keeps loaded; beyond it the least recently used one is closed
 */
public record RuntimeSettings(int workers, int queueCapacity, int contextsPerWorker) {
    /** Waiting calls per worker by default. */
    private static final int QUEUE_PER_WORKER = 64;
    /** Libraries each worker keeps loaded by default. */
    private static final int CONTEXTS_PER_WORKER = 64;

    /**
     * Check the settings.
     *
     * @throws IllegalArgumentException if a setting is less than 1
     */
    public RuntimeSettings {
        if (workers < 1 || queueCapacity < 1 || contextsPerWorker < 1) {
            throw new IllegalArgumentException("workers, queue capacity and contexts per worker must be at least 1");
        }
    }

    /**
     * The defaults: one worker per available processor, 64 waiting calls per worker, 64 libraries per worker.
     * <p>
     * JavaScript is CPU-bound, so more workers than processors would only share them. A waiting call costs little
     * (its arguments), so the queue absorbs bursts of concurrent requests, far more than the workers, while still
     * refusing work when the workers fall behind for good.
     *
     * @return the default settings for this machine
     */
    public static RuntimeSettings defaults() {
        int processors = Runtime.getRuntime().availableProcessors();
        return new RuntimeSettings(processors, QUEUE_PER_WORKER * processors, CONTEXTS_PER_WORKER);
    }
}
