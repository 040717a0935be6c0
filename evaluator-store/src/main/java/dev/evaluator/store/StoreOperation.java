package dev.evaluator.store;

import java.util.Locale;

/**
 * The kinds of operation a store performs, as a {@link StoreObserver} sees them.
 */
public enum StoreOperation {
    /** Read one library. */
    LIBRARY_READ,
    /** List libraries, all or one namespace's. */
    LIBRARY_LIST,
    /** Create or replace a library. */
    LIBRARY_WRITE,
    /** Delete a library. */
    LIBRARY_DELETE,
    /** Read one SQL++ function definition. */
    FUNCTION_READ,
    /** List function definitions, all or those bound to one library. */
    FUNCTION_LIST,
    /** Create or replace a function definition. */
    FUNCTION_WRITE,
    /** Delete a function definition. */
    FUNCTION_DELETE,
    /** Read one user. */
    USER_READ,
    /** List users. */
    USER_LIST,
    /** Create or replace a user. */
    USER_WRITE,
    /** Delete a user. */
    USER_DELETE,
    /** Read a library's versions or their code. */
    HISTORY_READ,
    /** Append to the audit log outside a transaction. */
    AUDIT_WRITE,
    /** Read the audit log. */
    AUDIT_READ,
    /** Delete old entries of the audit log. */
    AUDIT_PRUNE,
    /** A transaction over libraries and functions (see {@link Store#transact}), counted once however often it ran. */
    TRANSACTION,
    /** The write that proves the store accepts writes (see {@link Store#checkWritable()}). */
    WRITE_PROBE;

    /**
     * The operation's name in lower case, e.g. {@code library_read}, for metric labels.
     *
     * @return the label
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
