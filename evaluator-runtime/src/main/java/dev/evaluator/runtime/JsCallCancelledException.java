package dev.evaluator.runtime;

import java.util.Objects;

/**
 * A call stopped on request before it returned: by {@link CallHandle#cancel} (its client went away) or by
 * {@link JsRuntime#cancel} (an operator). Calls stopped by their own limits throw {@link JsExecutionException}.
 */
public final class JsCallCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long callId;
    private final CancelCause reason;

    /**
     * Create the exception.
     *
     * @param callId the call's id
     * @param reason why it was stopped
     * @throws NullPointerException if the reason is null
     */
    public JsCallCancelledException(long callId, CancelCause reason) {
        super("call " + callId + " was cancelled (" + Objects.requireNonNull(reason, "reason").name()
                .toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")");
        this.callId = callId;
        this.reason = reason;
    }

    /**
     * The call's id.
     *
     * @return the id
     */
    public long callId() {
        return callId;
    }

    /**
     * Why the call was stopped.
     *
     * @return the cause given to cancel
     */
    public CancelCause reason() {
        return reason;
    }
}
