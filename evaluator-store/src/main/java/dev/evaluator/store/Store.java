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
     * Flush and close. Idempotent.
     *
     * @throws StoreException if flushing fails
     */
    @Override
    void close();
}
