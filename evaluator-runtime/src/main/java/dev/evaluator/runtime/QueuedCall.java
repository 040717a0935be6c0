package dev.evaluator.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One call from submission to outcome: what to run, for whom, its state in the scheduler, and its cancellation.
 * <p>
 * Cancelling a running call needs its watch, which the runner attaches once the call's context exists. Both sides
 * write their part (the cause, the watch) before reading the other's, through volatile fields, so whichever comes
 * second sees the first and stops the call.
 */
final class QueuedCall implements CallHandle {
    /** Where a call is in the scheduler; guarded by the scheduler's lock. */
    enum Phase {
        QUEUED,
        RUNNING,
        DONE
    }

    final long id;
    final LibrarySource library;
    final String function;
    final String argsJson;
    final CallLimits limits;
    final Caller caller;
    final Instant queuedAt = Instant.now();
    final long queuedNanos = System.nanoTime();
    private final CallScheduler scheduler;
    private final CompletableFuture<CallResult> outcome = new CompletableFuture<>();
    /** Guarded by the scheduler's lock. */
    Phase phase = Phase.QUEUED;
    volatile Instant startedAt;
    volatile long startedNanos;
    /** How long its namespace rests after this call (it was stopped for memory); set and read by its worker. */
    long restNanos;
    private volatile CancelCause cancelled;
    private volatile Watchdog.Watch watch;

    QueuedCall(CallScheduler scheduler, long id, LibrarySource library, String function, String argsJson,
               CallLimits limits, Caller caller) {
        this.scheduler = scheduler;
        this.id = id;
        this.library = Objects.requireNonNull(library, "library");
        this.function = Objects.requireNonNull(function, "function");
        this.argsJson = Objects.requireNonNull(argsJson, "argsJson");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.caller = Objects.requireNonNull(caller, "caller");
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public CallResult await() {
        try {
            return outcome.get();
        } catch (InterruptedException | ExecutionException | CancellationException e) {
            throw failure(e);
        }
    }

    @Override
    public boolean isDone() {
        return outcome.isDone();
    }

    /** What the waiter gets when the outcome is a failure, or waiting failed. */
    private RuntimeException failure(Exception thrown) {
        if (thrown instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("Interrupted while calling " + function + " of library "
                    + library.name(), thrown);
        }
        if (thrown instanceof CancellationException) {
            return new IllegalStateException("the runtime is closed", thrown);
        }
        if (thrown.getCause() instanceof RuntimeException failure) {
            return failure;
        }
        return new IllegalStateException("calling " + function + " failed", thrown.getCause());
    }

    @Override
    public boolean cancel(CancelCause cause) {
        Objects.requireNonNull(cause, "cause");
        return scheduler.cancel(this, cause);
    }

    void complete(CallResult result) {
        outcome.complete(result);
    }

    void fail(Throwable failure) {
        outcome.completeExceptionally(failure);
    }

    /** Mark the call started: its time and budget count from now. */
    void started() {
        startedNanos = System.nanoTime();
        startedAt = Instant.now();
    }

    Duration elapsed(long now) {
        return Duration.ofNanos(now - (phase == Phase.RUNNING ? startedNanos : queuedNanos));
    }

    /**
     * Ask a running call to stop.
     *
     * @return false if it was asked before
     */
    boolean requestCancel(CancelCause cause) {
        synchronized (this) {
            if (cancelled != null) {
                return false;
            }
            cancelled = cause;
        }
        Watchdog.Watch current = watch;
        if (current != null) {
            current.cancel();
        }
        return true;
    }

    /** Why the call was asked to stop, if it was. */
    CancelCause cancelCause() {
        return cancelled;
    }

    /**
     * Attach the running call's watch; if a cancellation came first, it takes effect now.
     *
     * @param running the watch of the call's context
     */
    void attach(Watchdog.Watch running) {
        watch = running;
        if (cancelled != null) {
            running.cancel();
        }
    }
}
