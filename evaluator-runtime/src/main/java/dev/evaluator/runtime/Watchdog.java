package dev.evaluator.runtime;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.graalvm.polyglot.Context;

/**
 * Stops calls that run past their timeout or allocate past their budget.
 * <p>
 * One thread sweeps the running calls every {@value #PERIOD_MILLIS} ms: a call whose deadline passed, or whose thread
 * allocated more than its budget since the call started (HotSpot's per-thread allocation counter), is marked stopped
 * and its context closed with {@code close(true)}, which cancels the JavaScript wherever it is. Closing waits until
 * the worker has left the context, so it runs on a separate thread and never holds up the sweep.
 * <p>
 * Registering a call costs a set insertion and a read of the thread's allocation counter: nothing is scheduled per
 * call.
 */
final class Watchdog implements AutoCloseable {
    static final long PERIOD_MILLIS = 10;

    /** Why a call was stopped. */
    enum Stop {
        TIMEOUT,
        MEMORY_LIMIT
    }

    private final com.sun.management.ThreadMXBean threads;
    private final boolean countsAllocations;
    private final Set<Watch> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper;
    private final ExecutorService stopper;

    Watchdog() {
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
    Watch start(Context context, CallLimits limits) {
        Thread thread = Thread.currentThread();
        long allocated = countsAllocations ? threads.getCurrentThreadAllocatedBytes() : 0;
        Watch watch = new Watch(context, thread.threadId(), System.nanoTime() + limits.timeout().toNanos(),
                allocated + limits.maxAllocatedBytes());
        running.add(watch);
        return watch;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        stopper.shutdown();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Watch watch : running) {
                Stop stop = now - watch.deadline >= 0 ? Stop.TIMEOUT
                        : countsAllocations && threads.getThreadAllocatedBytes(watch.threadId) > watch.allocationLimit
                        ? Stop.MEMORY_LIMIT : null;
                if (stop != null && watch.stop(stop)) {
                    running.remove(watch);
                    stopper.execute(watch::closeContext);
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the watchdog must outlive any one failure.
            System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.ERROR, "watchdog sweep failed", e);
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
        private final long threadId;
        private final long deadline;
        private final long allocationLimit;
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        private Watch(Context context, long threadId, long deadline, long allocationLimit) {
            this.context = context;
            this.threadId = threadId;
            this.deadline = deadline;
            this.allocationLimit = allocationLimit;
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
