package dev.evaluator.store;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage of SQL++ function definitions, with an index from each library to the functions bound to it.
 * A definition and its index entry change together, in one atomic write. Every write is durable before the method
 * returns. Cross-record rules (a function's library must exist) are the caller's: it checks them and makes the changes
 * they allow in one {@link Store#transact transaction}, which holds across processes sharing the store.
 */
public interface FunctionStore {
    /**
     * One function.
     *
     * @param id the function's identity
     * @return the definition, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<FunctionDefinition> find(FunctionId id);

    /**
     * All functions, sorted by namespace (global first, then bucket and scope) and name.
     *
     * @return the definitions
     * @throws StoreException if the store cannot be read
     */
    List<FunctionDefinition> list();

    /**
     * The functions bound to a library (through the index, not a scan of all functions).
     *
     * @param library the library
     * @return the definitions, sorted by namespace and name
     * @throws StoreException if the store cannot be read
     */
    List<FunctionDefinition> boundTo(LibraryId library);

    /**
     * Create the function, or replace it when it exists (moving its index entry if its library changes).
     *
     * @param definition the definition
     * @throws StoreException if the write fails; then nothing was changed
     */
    void upsert(FunctionDefinition definition);

    /**
     * Delete a function and its index entry.
     *
     * @param id the function's identity
     * @return whether the function existed
     * @throws StoreException if the write fails; then nothing was changed
     */
    boolean delete(FunctionId id);
}
