package dev.evaluator.store;

import java.util.Objects;

/**
 * A failure of the store itself (as opposed to a missing record, which the API reports with an empty result).
 * RocksDB's and etcd's exceptions are wrapped in this once, at the store's edge.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong.
     */
    public enum Reason {
        /** Another process holds the data directory's lock. */
        LOCKED,
        /** The data directory cannot be created, read or written. */
        NOT_WRITABLE,
        /** The stored data is damaged or unreadable. */
        CORRUPTED,
        /** The data was written by a newer version of the service. */
        UNSUPPORTED_SCHEMA,
        /**
         * The store's servers (etcd) cannot be reached or have no quorum: nothing was changed, or, for a write that
         * timed out, it may have been applied; retrying later may succeed.
         */
        UNAVAILABLE,
        /** A record is larger than the store can take in one write (etcd's request size limit); nothing was changed. */
        TOO_LARGE,
        /** A transaction kept conflicting with concurrent writers and gave up; nothing was changed. */
        CONFLICT,
        /** Any other I/O or storage engine failure. */
        IO
    }

    private final Reason reason;

    /**
     * Create an exception.
     *
     * @param reason  what went wrong
     * @param message what happened and, where it helps, what to do
     * @param cause   the underlying failure, or null
     */
    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    /**
     * What went wrong.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
