package dev.evaluator.store;

/**
 * Hears of the changes other processes (and this one) make to a shared store, so that caches of its records can be
 * dropped. Calls come in order, one at a time, on a thread of the store's: implementations must be quick and must
 * not throw.
 * <p>
 * A watch is connected, then hears changes; when it breaks it hears {@link #disconnected} and, once re-established
 * from the last revision it had seen, {@link #connected} again, and then the changes it missed meanwhile. Between the
 * two, changes may be happening unheard: cached records may be stale.
 */
public interface StoreListener {
    /**
     * The watch is established (first, or again after {@link #disconnected}).
     *
     * @param historyLost true when the store no longer has the history since the last revision seen (etcd compacted
     *                    it): changes were missed and will not be heard, so every cached record must be read again
     */
    void connected(boolean historyLost);

    /**
     * A record changed.
     *
     * @param change what changed
     */
    void changed(StoreChange change);

    /**
     * The watch broke (the store is unreachable, lost its quorum, or dropped the watch); it is being re-established.
     *
     * @param cause why, as the store reports it
     */
    void disconnected(StoreException cause);
}
