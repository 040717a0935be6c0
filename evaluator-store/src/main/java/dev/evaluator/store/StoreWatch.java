package dev.evaluator.store;

/**
 * A subscription to a store's changes, from {@code watch}; closing it ends the calls to its listener.
 */
public interface StoreWatch extends AutoCloseable {
    /**
     * The revision of the last change heard, or the one before the watch's start revision when none was heard yet.
     *
     * @return the revision
     */
    long revision();

    /**
     * Stop watching. Idempotent; the listener hears nothing after this returns.
     */
    @Override
    void close();
}
