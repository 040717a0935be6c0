package dev.evaluator.engine;

import dev.evaluator.runtime.CallHandle;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.CancelCause;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Stops the calls whose clients went away: one thread asks each waiting call's client, every half
 * {@code checkAfter}, whether it is still there, once the call has waited {@code checkAfter} (calls that end sooner
 * never cause a check), and cancels the call of a client found gone. The waiters themselves wait without a timeout;
 * a waiter of a call that is over is woken again by the watch, in case its wake-up was lost.
 * <p>
 * Waiting in timed steps instead, each waiter asking for itself, armed and cancelled a timer per call on the virtual
 * threads' scheduler: its thread woke for most calls, 5 us of CPU and a context switch per call on 2 cores. The thread
 * runs only while calls wait, so an idle server (or a test's) keeps none.
 */
final class PresenceWatch {
    private static final System.Logger LOG = System.getLogger(PresenceWatch.class.getName());

    /** A waiting call, equal only to itself. */
    private static final class Watched {
        final CallHandle handle;
        final ClientPresence client;
        final long since;
        final Thread waiter = Thread.currentThread();
        boolean cancelled;

        Watched(CallHandle handle, ClientPresence client, long since) {
            this.handle = handle;
            this.client = client;
            this.since = since;
        }
    }

    private final long checkAfterNanos;
    private final Set<Watched> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    PresenceWatch(Duration checkAfter) {
        this.checkAfterNanos = checkAfter.toNanos();
    }

    /**
     * Wait for a call while its client is there; a client found gone stops the call (a queued one never starts), and
     * the wait ends with the cancellation.
     */
    CallResult await(CallHandle handle, ClientPresence client) {
        Watched watched = new Watched(handle, client, System.nanoTime());
        waiting.add(watched);
        if (sweeping.compareAndSet(false, true)) {
            Thread.ofPlatform().name("client-presence").daemon().start(this::sweep);
        }
        try {
            return handle.await();
        } finally {
            waiting.remove(watched);
        }
    }

    /** Calls waiting now (for tests). */
    int waiting() {
        return waiting.size();
    }

    private void sweep() {
        while (true) {
            LockSupport.parkNanos(this, checkAfterNanos / 2);
            long now = System.nanoTime();
            for (Watched watched : waiting) {
                if (watched.handle.isDone()) {
                    // Over, and its waiter still waits: the wake-up was lost (an OutOfMemoryError in the worker as it
                    // woke the waiter, when the heap is exhausted). Waiting has no timeout, so this is its backstop.
                    LockSupport.unpark(watched.waiter);
                    continue;
                }
                // Only this thread reads and writes cancelled.
                if (!watched.cancelled && now - watched.since >= checkAfterNanos) {
                    try {
                        if (watched.client.gone()) {
                            watched.cancelled = true;
                            watched.handle.cancel(CancelCause.CLIENT_GONE);
                        }
                    } catch (RuntimeException e) {
                        // One failing check must not leave the other calls unwatched.
                        LOG.log(System.Logger.Level.WARNING, "asking whether a client is still there failed", e);
                    }
                }
            }
            if (waiting.isEmpty()) {
                sweeping.set(false);
                // A call that came in after the check above found the flag still set: this thread goes on for it.
                if (waiting.isEmpty() || !sweeping.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }
}
