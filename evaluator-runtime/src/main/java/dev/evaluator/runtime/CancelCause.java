package dev.evaluator.runtime;

/**
 * Why a call was stopped before it returned, as counted in {@link RuntimeStats#cancellations()}.
 */
public enum CancelCause {
    /** It ran past its timeout (also while loading its library). */
    TIMEOUT,
    /** Its client went away: {@link CallHandle#cancel(CancelCause)} from the embedder. */
    CLIENT_GONE,
    /** An operator stopped it: {@link JsRuntime#cancel(long, CancelCause)}. */
    KILLED,
    /** It held more memory than its budget, its context kept more than its bound, or the heap ran short. */
    MEMORY,
    /** It recursed too deeply. */
    STACK
}
