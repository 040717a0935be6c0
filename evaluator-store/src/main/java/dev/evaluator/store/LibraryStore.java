package dev.evaluator.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

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
     * All libraries of all namespaces, in the order of {@link #list()}, handed over one at a time: an
     * implementation that can holds only their identities, never every library at once.
     *
     * @param action what to do with each library
     * @throws StoreException if the store cannot be read (some libraries may have been handed over)
     */
    default void forEach(Consumer<Library> action) {
        forEach(Optional.empty(), id -> true, library -> {
            action.accept(library);
            return true;
        });
    }

    /**
     * The libraries of all namespaces whose identities pass a test, in the order of {@link #list()} from just after
     * a given identity, handed over one at a time until the action asks to stop: a page of a long list, read
     * without holding the rest. The test sees identities only, so what it leaves out is never read.
     *
     * @param after   start after this identity (in {@link LibraryId#ORDER}); empty to start at the first
     * @param include which identities to hand over
     * @param action  takes each library and says whether to go on
     * @throws StoreException if the store cannot be read (some libraries may have been handed over)
     */
    default void forEach(Optional<LibraryId> after, Predicate<LibraryId> include, Predicate<Library> action) {
        for (Library library : list()) {
            if ((after.isEmpty() || LibraryId.ORDER.compare(library.id(), after.get()) > 0)
                    && include.test(library.id()) && !action.test(library)) {
                return;
            }
        }
    }

    /**
     * The libraries of one namespace, sorted by name.
     *
     * @param namespace the namespace
     * @return the libraries
     * @throws StoreException if the store cannot be read
     */
    List<Library> list(Namespace namespace);

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
