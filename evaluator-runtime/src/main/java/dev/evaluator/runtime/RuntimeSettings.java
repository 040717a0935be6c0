package dev.evaluator.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How the runtime runs calls.
 * <p>
 * <b>Memory per worker.</b> A worker's heap is bounded by what its running call may hold plus what its contexts keep
 * between calls. A running call is stopped once it <em>holds</em> more than its {@link CallLimits#maxAllocatedBytes()}
 * (garbage it made does not count). A context is measured after a call once what it kept when last measured plus what
 * its calls allocated since exceeds {@code maxContextBytes}, and dropped, failing that call, if it keeps more; a
 * slot's contexts together keep at most {@code max(maxContextBytes, maxRetainedBytes / maxWorkers)} (least recently
 * used closed first), so all contexts keep at most about {@code maxRetainedBytes} when it is at least
 * {@code maxWorkers x maxContextBytes}. So:
 * <pre>
 * heap held by the runtime  &lt;=  maxRetainedBytes + (running calls) x maxAllocatedBytes
 *                           &lt;=  maxRetainedBytes + maxWorkers x maxAllocatedBytes
 * </pre>
 * With the defaults on 2 cores, a 6 GiB heap and a 256 MiB call budget: 1.5 GiB kept between calls, 48 MiB per
 * slot, plus up to 32 x 256 MiB = 8 GiB for 32 calls that all hold their whole budget at once, which the heap has no
 * room for. The pool grows only for calls that run long, and never while the heap is under pressure; the
 * heap-pressure watchdog covers the rest: after a collection that leaves more than {@value #HEAP_PRESSURE_PERCENT}%
 * of the maximum heap in use, it stops the running call that allocated the most and drops idle contexts, before the
 * JVM would throw {@code OutOfMemoryError} on some other thread.
 *
 * @param workers           execution slots kept even when idle, and the platform threads that run calls for
 *                          virtual-thread callers
 * @param queueCapacity     calls that may wait for a slot; a call beyond them fails at once with
 *                          {@link JsExecutionException.Kind#BUSY} (while in-process callers hold slots, that many
 *                          more may wait)
 * @param contextsPerWorker library contexts each slot keeps loaded; beyond it the least recently used one is closed
 * @param maxWorkers        slots the pool may grow to while every slot is held by a call running longer than
 *                          {@code growAfter}; at least {@code workers}
 * @param maxNamespaceShare the share of the slots one namespace may hold while another namespace has calls waiting,
 *                          in (0, 1]; at least one slot whatever the share
 * @param growAfter         how long every running call must have run before the pool grows by a slot
 * @param idleAfter         how long a slot beyond {@code workers} may stay unused before it is closed
 * @param workerStackBytes  the workers' thread stack: it bounds recursion, and the time the engine needs to unwind
 *                          a runaway recursion (see {@link JsRuntime#call})
 * @param maxContextBytes   heap one library context may keep between calls
 * @param maxRetainedBytes  heap all library contexts together may keep between calls
 */
public record RuntimeSettings(int workers, int queueCapacity, int contextsPerWorker, int maxWorkers,
                              double maxNamespaceShare, Duration growAfter, Duration idleAfter, long workerStackBytes,
                              long maxContextBytes, long maxRetainedBytes) {
    /** Percentage of the maximum heap in use after a collection from which the heap-pressure watchdog acts. */
    public static final int HEAP_PRESSURE_PERCENT = 80;
    /** Waiting calls per worker by default. */
    private static final int QUEUE_PER_WORKER = 64;
    /** Libraries each worker keeps loaded by default. */
    private static final int CONTEXTS_PER_WORKER = 64;
    /** Maximum workers per processor by default. */
    private static final int MAX_WORKERS_PER_PROCESSOR = 16;
    /**
     * 2 MiB: deep enough for about 1,000 frames of cold (interpreted) code and several thousand compiled ones, and
     * small enough that a runaway recursion unwinds within a second or so even when the JIT has compiled the function
     * (unwinding deoptimizes compiled frames one by one). Measured on 2 cores, 19 runaway recursions each on a
     * worker: 16 MiB up to 26.6 s, 4 MiB up to 4.3 s, 2 MiB at most 39 ms, 1 MiB at most 158 ms but only about 500
     * cold frames deep (500 may fail).
     */
    private static final long WORKER_STACK_BYTES = 2L << 20;
    private static final long CONTEXT_BYTES = 16L << 20;

    /**
     * Check the settings.
     *
     * @throws IllegalArgumentException if a count is less than 1, {@code maxWorkers < workers}, the share is not in
     *                                  (0, 1], a duration is not positive, or a size is below 64 KiB
     * @throws NullPointerException     if a duration is null
     */
    public RuntimeSettings {
        Objects.requireNonNull(growAfter, "growAfter");
        Objects.requireNonNull(idleAfter, "idleAfter");
        if (workers < 1 || queueCapacity < 1 || contextsPerWorker < 1) {
            throw new IllegalArgumentException("workers, queue capacity and contexts per worker must be at least 1");
        }
        if (maxWorkers < workers) {
            throw new IllegalArgumentException("maxWorkers must be at least workers");
        }
        if (!(maxNamespaceShare > 0 && maxNamespaceShare <= 1)) {
            throw new IllegalArgumentException("maxNamespaceShare must be in (0, 1], was " + maxNamespaceShare);
        }
        if (!growAfter.isPositive() || !idleAfter.isPositive()) {
            throw new IllegalArgumentException("growAfter and idleAfter must be positive");
        }
        if (workerStackBytes < 64 << 10 || maxContextBytes < 64 << 10 || maxRetainedBytes < maxContextBytes) {
            throw new IllegalArgumentException("stack and memory sizes must be at least 64 KiB, and the retained"
                    + " total at least one context's bound");
        }
    }

    /**
     * Settings with the given slots and the defaults for everything else: no growth beyond {@code 16 x processors}
     * (at least {@code workers}), half the slots per namespace, growth after 1 s, idle slots closed after 30 s.
     *
     * @param workers           execution slots kept even when idle
     * @param queueCapacity     calls that may wait
     * @param contextsPerWorker library contexts per slot
     * @throws IllegalArgumentException if a setting is less than 1
     */
    public RuntimeSettings(int workers, int queueCapacity, int contextsPerWorker) {
        this(workers, queueCapacity, contextsPerWorker,
                Math.max(workers, MAX_WORKERS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors()), 0.5,
                Duration.ofSeconds(1), Duration.ofSeconds(30), WORKER_STACK_BYTES, CONTEXT_BYTES,
                Math.max(CONTEXT_BYTES, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * The defaults: one worker per available processor, growing to 16 per processor, 64 waiting calls per worker,
     * 64 libraries per worker, half the slots per namespace while others wait.
     * <p>
     * JavaScript is CPU-bound, so more workers than processors only share them: the pool grows only when every slot
     * is held by a long call, so that runaway calls share the CPU with new calls instead of blocking them. A waiting
     * call costs little (its arguments), so the queue absorbs bursts of concurrent requests while still refusing
     * work when the workers fall behind for good.
     *
     * @return the default settings for this machine
     */
    public static RuntimeSettings defaults() {
        int processors = Runtime.getRuntime().availableProcessors();
        return new RuntimeSettings(processors, QUEUE_PER_WORKER * processors, CONTEXTS_PER_WORKER);
    }

    /**
     * The same settings with another pool cap.
     *
     * @param maxWorkers the cap, at least {@link #workers()}
     * @return the settings
     * @throws IllegalArgumentException if the cap is below {@link #workers()}
     */
    public RuntimeSettings withMaxWorkers(int maxWorkers) {
        return new RuntimeSettings(workers, queueCapacity, contextsPerWorker, maxWorkers, maxNamespaceShare, growAfter,
                idleAfter, workerStackBytes, maxContextBytes, maxRetainedBytes);
    }

    /**
     * The same settings with another namespace share.
     *
     * @param share the share, in (0, 1]
     * @return the settings
     * @throws IllegalArgumentException if the share is not in (0, 1]
     */
    public RuntimeSettings withMaxNamespaceShare(double share) {
        return new RuntimeSettings(workers, queueCapacity, contextsPerWorker, maxWorkers, share, growAfter,
                idleAfter, workerStackBytes, maxContextBytes, maxRetainedBytes);
    }

    /**
     * The same settings with other pool growth timings.
     *
     * @param growAfter how long every running call must have run before the pool grows
     * @param idleAfter how long an extra slot may stay unused before it is closed
     * @return the settings
     * @throws IllegalArgumentException if a duration is not positive
     */
    public RuntimeSettings withGrowth(Duration growAfter, Duration idleAfter) {
        return new RuntimeSettings(workers, queueCapacity, contextsPerWorker, maxWorkers, maxNamespaceShare, growAfter,
                idleAfter, workerStackBytes, maxContextBytes, maxRetainedBytes);
    }

    /**
     * The same settings with other memory bounds for what contexts keep between calls.
     *
     * @param maxContextBytes  per context
     * @param maxRetainedBytes all contexts together
     * @return the settings
     * @throws IllegalArgumentException if a size is below 64 KiB or the total is below the per-context bound
     */
    public RuntimeSettings withRetainedMemory(long maxContextBytes, long maxRetainedBytes) {
        return new RuntimeSettings(workers, queueCapacity, contextsPerWorker, maxWorkers, maxNamespaceShare, growAfter,
                idleAfter, workerStackBytes, maxContextBytes, maxRetainedBytes);
    }
}
