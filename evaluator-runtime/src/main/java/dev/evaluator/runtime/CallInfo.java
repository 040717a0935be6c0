package dev.evaluator.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A call the runtime is running or holding in its queue, as {@link JsRuntime#calls()} lists it.
 *
 * @param id         the call's id, unique for the runtime's life; {@link JsRuntime#cancel(long, CancelCause)} takes it
 * @param library    the library's key ({@link LibrarySource#key()})
 * @param function   the function called
 * @param namespace  the caller's namespace key
 * @param user       the calling user
 * @param entryPoint how the call arrived ({@link Caller#entryPoint()})
 * @param state      whether it runs or waits
 * @param started    when it started running, or, while queued, when it was queued
 * @param elapsed    time since {@code started}
 */
public record CallInfo(long id, String library, String function, String namespace, String user, String entryPoint,
                       State state, Instant started, Duration elapsed) {
    /** Whether a call runs or waits. */
    public enum State {
        /** Holds an execution slot. */
        RUNNING,
        /** Waits in the queue for a slot. */
        QUEUED
    }

    /**
     * Check that no field is null.
     *
     * @throws NullPointerException if a field is null
     */
    public CallInfo {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(entryPoint, "entryPoint");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
