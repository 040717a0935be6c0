package dev.evaluator.store;

/**
 * An open store: the libraries, functions and users of one data directory. Closing it flushes and releases the directory.
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
     * Whether the store is open: not yet closed.
     *
     * @return true until {@link #close()} starts
     */
    boolean isOpen();

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
