package dev.evaluator.store;

/**
 * Told about every store operation when it completes, on the thread that ran it. Implementations must be cheap and
 * must not throw: they run on every request's path.
 */
@FunctionalInterface
public interface StoreObserver {
    /** An observer that ignores everything. */
    StoreObserver NONE = (operation, nanos, failed) -> { };

    /**
     * An operation completed.
     *
     * @param operation what it was
     * @param nanos     how long it took, waiting for the store's lifecycle lock included
     * @param failed    whether it threw
     */
    void completed(StoreOperation operation, long nanos, boolean failed);
}
