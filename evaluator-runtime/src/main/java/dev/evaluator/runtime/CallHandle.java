package dev.evaluator.runtime;

/**
 * A call submitted with {@link JsRuntime#submit}: its id at once, its outcome when it is over, and a way to stop it,
 * for example when the HTTP client that asked for it disconnects.
 */
public interface CallHandle {
    /**
     * The call's id, as {@link JsRuntime#calls()} lists it.
     *
     * @return the id
     */
    long id();

    /**
     * Wait for the outcome. The call is the same whichever thread waits; waiting twice gives the same outcome.
     *
     * @return the result and the console output
     * @throws JsExecutionException       as {@link JsRuntime#call} throws it
     * @throws JsCallCancelledException   if the call was cancelled ({@link #cancel}, {@link JsRuntime#cancel})
     * @throws JsSyntaxException          when the library's code does not parse
     * @throws IllegalArgumentException   when the arguments are not a JSON array
     * @throws IllegalStateException      when the runtime is closed, or the waiting thread is interrupted (the call
     *                                    itself is not stopped: cancel it for that)
     */
    CallResult await();

    /**
     * Stop the call: a queued call is removed and never starts, a running one is stopped (its context closed, which
     * ends even a tight loop or a long built-in within about a second) and its worker freed. Either way
     * {@link #await()} then throws {@link JsCallCancelledException} with this cause, and the cancellation is counted.
     *
     * @param cause why, usually {@link CancelCause#CLIENT_GONE} or {@link CancelCause#KILLED}
     * @return true if this stopped the call; false if it was already over or already being stopped
     * @throws NullPointerException if the cause is null
     */
    boolean cancel(CancelCause cause);

    /**
     * Whether the outcome is known: {@link #await()} would return or throw at once.
     *
     * @return true once the call is over
     */
    boolean isDone();
}
