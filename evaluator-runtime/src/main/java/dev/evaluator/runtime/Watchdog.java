package dev.evaluator.runtime;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.management.GcInfo;

import org.graalvm.polyglot.Context;

/**
 * Stops calls that run past their timeout, hold more than their budget, or allocate the most while the heap is
 * nearly full.
 * <p>
 * One thread sweeps the running calls every {@value #PERIOD_MILLIS} ms: a call whose deadline passed is marked
 * stopped and its context closed with {@code close(true)}, which cancels the JavaScript wherever it is (closing waits
 * until the worker has left the context, so it runs on a separate thread and never holds up the sweep). Once a call's
 * thread has allocated its budget (HotSpot's per-thread allocation counter), the call's context is measured
 * ({@link HeapMeter}, bounded by the budget) and the call stopped only if it holds more than the budget: garbage does
 * not count. If it holds less, it is measured again once it has allocated the difference (what it holds can grow by
 * no more than that), at least an eighth of the budget later. Without a meter, allocating the budget stops the call.
 * <p>
 * After a garbage collection that leaves more than {@value RuntimeSettings#HEAP_PRESSURE_PERCENT}% of the maximum
 * heap in use, the next sweep stops the running call that has allocated the most, if that is at least
 * 1/{@value #PRESSURE_SHARE} of its budget (a small call is a bystander), and has idle contexts dropped, so that the
 * heap recovers before the JVM throws {@code OutOfMemoryError} on some other thread.
 * <p>
 * Registering a call costs a set insertion and a read of the thread's allocation counter: nothing is scheduled per
 * call.
 */
final class Watchdog implements AutoCloseable {
    static final long PERIOD_MILLIS = 10;
    /** Under heap pressure, a call is stopped only if it allocated at least this fraction (1/n) of its budget. */
    static final int PRESSURE_SHARE = 16;

    /** Why a call was stopped. */
    enum Stop {
        TIMEOUT,
        MEMORY_LIMIT,
        /** The heap was nearly full and this call had allocated the most. */
        HEAP_PRESSURE,
        /** Asked to stop: {@link Watch#cancel()}. */
        CANCELLED
    }

    private final com.sun.management.ThreadMXBean threads;
    private final boolean countsAllocations;
    private final Set<Watch> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper;
    private final ExecutorService stopper;
    private final Optional<HeapMeter> meter;
    private final Runnable onPressure;
    private final Set<String> heapPools = new HashSet<>();
    /** The collectors whose collections tell what the heap holds afterwards (ZGC's pauses' collectors do not). */
    private final List<com.sun.management.GarbageCollectorMXBean> collectors = new ArrayList<>();
    /** Each collector's count of collections at the last sweep (read and written by the sweeper only). */
    private final long[] collectionsSeen;
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private volatile boolean pressure;

    /**
     * Start sweeping.
     *
     * @param meter      measures what a call's context holds; without it the budget counts allocations
     * @param onPressure what to do, besides stopping a call, when the heap is nearly full (drop idle contexts)
     */
    Watchdog(Optional<HeapMeter> meter, Runnable onPressure) {
        this.meter = meter;
        this.onPressure = onPressure;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            // ZGC reports each cycle's pauses through collectors of their own ("ZGC Minor Pauses"), three or more
            // per cycle, whose last collection records no usage after it; the cycles' collectors tell what is left.
            if (collector instanceof com.sun.management.GarbageCollectorMXBean withInfo
                    && !collector.getName().endsWith(" Pauses")) {
                collectors.add(withInfo);
            }
        }
        this.collectionsSeen = new long[collectors.size()];
        for (int i = 0; i < collectionsSeen.length; i++) {
            collectionsSeen[i] = collectors.get(i).getCollectionCount();
        }
        this.threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        this.countsAllocations = threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled();
        if (!countsAllocations) {
            System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.WARNING,
                    "This JVM does not count allocations per thread: JavaScript calls have no memory limit");
        }
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "js-watchdog"));
        AtomicInteger count = new AtomicInteger();
        this.stopper = Executors.newCachedThreadPool(task -> daemon(task, "js-stopper-" + count.incrementAndGet()));
        sweeper.scheduleWithFixedDelay(this::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Watch a call that starts now on the calling thread.
     *
     * @param context the context the call runs in, closed if the call is stopped
     * @param limits  the call's limits
     * @return the watch; {@link Watch#finish()} it when the call is over, whatever the outcome
     */
    Watch start(Context context, CallLimits limits, Object meterHandle) {
        Thread thread = Thread.currentThread();
        long allocated = countsAllocations ? threads.getCurrentThreadAllocatedBytes() : 0;
        Watch watch = new Watch(context, thread, System.nanoTime() + limits.timeout().toNanos(),
                allocated, limits.maxAllocatedBytes(), meter.isPresent() ? meterHandle : null);
        running.add(watch);
        return watch;
    }

    /** Whether the heap was nearly full after the last collection: the pool must not grow. */
    boolean heapPressure() {
        return pressure;
    }

    /**
     * Whether a collection ended since the last sweep and left the heap nearly full, as the most recent such
     * collection recorded it. Polled here, not taken from the collectors' notifications: the JVM builds a
     * notification, and its open-data form, per collection for its listeners, which under a request load (ZGC
     * collecting a dozen times a second, three pauses' collections each) took 8 to 18% of the server's CPU (a JFR
     * profile of bench/invoke-vs-node.sh); a sweep reads a counter per collector.
     */
    private boolean collectedNearlyFull() {
        GcInfo latest = null;
        for (int i = 0; i < collectionsSeen.length; i++) {
            long count = collectors.get(i).getCollectionCount();
            if (count != collectionsSeen[i]) {
                collectionsSeen[i] = count;
                GcInfo info = collectors.get(i).getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return false;
        }
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : latest.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        boolean nearlyFull = used > maxHeap / 100 * RuntimeSettings.HEAP_PRESSURE_PERCENT;
        pressure = nearlyFull;
        return nearlyFull;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        stopper.shutdown();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            Watch biggest = null;
            long biggestAllocation = -1;
            for (Watch watch : running) {
                long allocated = countsAllocations ? threads.getThreadAllocatedBytes(watch.threadId) : 0;
                if (now - watch.deadline >= 0) {
                    stop(watch, Stop.TIMEOUT);
                    continue;
                }
                if (countsAllocations && allocated > watch.nextCheck) {
                    if (watch.meterHandle == null) {
                        stop(watch, Stop.MEMORY_LIMIT);
                        continue;
                    }
                    if (watch.checking.compareAndSet(false, true)) {
                        checkHeld(watch, allocated);
                    }
                }
                if (allocated - watch.startAllocated > biggestAllocation) {
                    biggest = watch;
                    biggestAllocation = allocated - watch.startAllocated;
                }
            }
            if (collectedNearlyFull()) {
                // Once per sweep after a collection that left the heap nearly full: the biggest allocator goes first.
                // Only a call that allocated a real share of its budget can be the cause: when none did, what fills
                // the heap is kept by contexts or is garbage, and dropping idle contexts is the remedy; stopping a
                // small call of another tenant would punish the bystander.
                if (biggest != null && biggestAllocation >= biggest.budget / PRESSURE_SHARE) {
                    stop(biggest, Stop.HEAP_PRESSURE);
                }
                stopper.execute(onPressure);
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the watchdog must outlive any one failure.
            System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.ERROR, "watchdog sweep failed", e);
        }
    }

    private void stop(Watch watch, Stop stop) {
        if (watch.stop(stop)) {
            running.remove(watch);
            stopper.execute(watch::closeContext);
        }
    }

    /**
     * A call allocated what could put it over its budget: stop it only if its context holds more than the budget, so garbage
     * it made does not count. The measurement runs on the call's own thread at its next safepoint (Truffle measures
     * only there), bounded by the budget; the call goes on meanwhile.
     */
    private void checkHeld(Watch watch, long allocated) {
        try {
            meter.orElseThrow().measureOn(watch.meterHandle, watch.thread, watch.budget + 1, held -> {
                if (held > watch.budget) {
                    stop(watch, Stop.MEMORY_LIMIT);
                } else {
                    // What it holds can grow by at most what it allocates: measure again once it may be over, but
                    // not more often than every eighth of the budget (a measurement costs about what is held).
                    watch.nextCheck = allocated + Math.max(watch.budget - held, watch.budget / 8);
                }
                watch.checking.set(false);
            });
        } catch (UnsupportedOperationException e) {
            System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot measure a context's heap; the call budget counts allocations", e);
            stop(watch, Stop.MEMORY_LIMIT);
        } catch (RuntimeException e) {
            // The context was closed meanwhile: the call is over or stopped anyway.
            System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.DEBUG, "measuring a call's heap", e);
            watch.checking.set(false);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** One running call. Either its worker finishes it or the watchdog stops it, never both. */
    final class Watch {
        private static final int RUNNING = -1;

        private final Context context;
        private final Thread thread;
        private final long threadId;
        private final long deadline;
        private final long startAllocated;
        private final long budget;
        private final Object meterHandle;
        private final AtomicBoolean checking = new AtomicBoolean();
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        /** The thread's allocation counter past which the call's held memory is checked. */
        private volatile long nextCheck;

        private Watch(Context context, Thread thread, long deadline, long startAllocated, long budget,
                      Object meterHandle) {
            this.context = context;
            this.thread = thread;
            this.threadId = thread.threadId();
            this.deadline = deadline;
            this.startAllocated = startAllocated;
            this.budget = budget;
            this.meterHandle = meterHandle;
            this.nextCheck = startAllocated + budget;
        }

        /** Bytes the calling thread allocated since the watch started; call it on the call's thread. */
        long allocated() {
            return countsAllocations ? threads.getCurrentThreadAllocatedBytes() - startAllocated : 0;
        }

        private void closeContext() {
            try {
                context.close(true);
            } catch (RuntimeException e) {
                // The context is cancelled or already gone either way; the worker reports the stop.
                System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.DEBUG, "closing a stopped context", e);
            }
        }

        private boolean stop(Stop stop) {
            return state.compareAndSet(RUNNING, stop.ordinal());
        }

        /** Stop the call now, unless it is over or already stopped: its context is closed on another thread. */
        void cancel() {
            if (stop(Stop.CANCELLED)) {
                running.remove(this);
                stopper.execute(this::closeContext);
            }
        }

        /**
         * End the watch.
         *
         * @return null if the call finished first; otherwise why the watchdog stopped it (its context is closed
         *         or being closed)
         */
        Stop finish() {
            running.remove(this);
            if (state.compareAndSet(RUNNING, Integer.MAX_VALUE)) {
                return null;
            }
            return Stop.values()[state.get()];
        }
    }
}
