package dev.evaluator.store;

import java.util.function.Function;

/**
 * An open store: the libraries, functions and users of one data directory (RocksDB) or one key prefix of an etcd
 * cluster. Closing it flushes and releases the directory, or the connection.
 */
public interface Store extends AutoCloseable {
    /**
     * The libraries.
     *
     * @return the library store
     */
    LibraryStore libraries();

    /**
     * The SQL++ function definitions.
     *
     * @return the function store
     */
    FunctionStore functions();

    /**
     * The users.
     *
     * @return the user store
     */
    UserStore users();

    /**
     * The libraries' version histories.
     *
     * @return the history store
     */
    HistoryStore history();

    /**
     * The audit log.
     *
     * @return the audit store
     */
    AuditStore audit();

    /**
     * Run a check and the writes it allows as one atomic transaction over libraries and functions: the writes are
     * applied together, and only if nothing the work read was changed meanwhile by another thread or another process
     * sharing the store; otherwise the work runs again on a fresh transaction. This is how a rule that spans records
     * (a function's library must exist; a library with bound functions is not deleted) holds across processes.
     * <p>
     * The work may therefore run more than once: it must have no effects outside the transaction. An exception it
     * throws ends the transaction with nothing written and reaches the caller unchanged.
     *
     * @param work reads through the transaction, decides, writes through it, and returns a result
     * @param <T>  the result
     * @return what the work returned on the run whose writes were applied
     * @throws StoreException if the store cannot be read or written (then nothing was changed; for reason
     *                        {@code UNAVAILABLE} after a timed-out commit, the writes may have been applied), with
     *                        reason {@code TOO_LARGE} when the writes cannot fit in one atomic write, or
     *                        {@code CONFLICT} when concurrent writers kept invalidating the work's reads
     */
    <T> T transact(Function<StoreTransaction, T> work);

    /**
     * Whether the store is open: not yet closed.
     *
     * @return true until {@link #close()} starts
     */
    boolean isOpen();

    /**
     * Whether this process hears every change other processes make to the store, so that what it caches is current.
     * A store only this process writes (RocksDB) is always in sync; a shared one (etcd) is not while its watch is
     * broken, and then serves every read from the shared store itself, never from a cache.
     *
     * @return true while caches of the store's records can be trusted
     */
    default boolean inSync() {
        return true;
    }

    /**
     * Prove that the store accepts durable writes now, by writing a small record (synced like every write).
     *
     * @throws StoreException when the write fails: the store is closed, the disk is full or read-only, or a background
     *                        error stopped the store taking writes
     */
    void checkWritable();

    /**
     * How much logged data the store had to replay when it opened, because it was not closed cleanly before. Writes
     * acknowledged before a crash are never lost; a non-zero figure tells the operator the last stop was not clean.
     *
     * @return bytes replayed at open; 0 after a clean close, and for stores that keep no local log
     */
    long recoveredLogBytes();

    /**
     * A snapshot of the store's size and background work.
     *
     * @return the statistics
     * @throws StoreException when the store is closed or cannot report them
     */
    StoreStats stats();

    /**
     * Flush and close. Idempotent.
     *
     * @throws StoreException if flushing fails
     */
    @Override
    void close();
}
