package dev.evaluator.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable storage of libraries. Every write is durable before the method returns: in RocksDB's synced write-ahead
 * log, or committed by a majority of etcd's members.
 * Implementations are safe for concurrent use.
 */
public interface LibraryStore {
    /**
     * All libraries of all namespaces, sorted by name, then bucket, then scope (global libraries first on a tie).
     *
     * @return the libraries
     * @throws StoreException if the store cannot be read
     */
    List<Library> list();

    /**
     * The libraries of one namespace, sorted by name.
     *
     * @param namespace the namespace
     * @return the libraries
     * @throws StoreException if the store cannot be read
     */
    List<Library> list(Namespace namespace);

    /**
     * Hand every library to an action, a few at a time, without holding them all in memory (an export of many
     * libraries streams through this). The order is the store's own, the same on every call for the same records;
     * libraries written meanwhile may or may not be seen.
     *
     * @param action what to do with each library
     * @throws StoreException if the store cannot be read
     */
    default void forEach(Consumer<? super Library> action) {
        list().forEach(action);
    }

    /**
     * One library.
     *
     * @param id the library's identity
     * @return the library, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<Library> find(LibraryId id);

    /**
     * Create the library, or replace its whole code when it exists.
     *
     * @param id   the library's identity
     * @param code the JavaScript source of the whole library
     * @return the library as stored
     * @throws StoreException if the write fails; then nothing was changed
     */
    Library upsert(LibraryId id, String code);

    /**
     * Delete a library.
     *
     * @param id the library's identity
     * @return whether the library existed
     * @throws StoreException if the write fails; then nothing was changed
     */
    boolean delete(LibraryId id);
}
