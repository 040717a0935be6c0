package dev.evaluator.store;

import java.util.List;
import java.util.Optional;

/**
 * The version history of libraries: every version a library had, kept when the library is deleted, written only in
 * {@link Store#transact transactions} together with the library ({@link StoreTransaction#appendVersion}).
 * Implementations are safe for concurrent use.
 */
public interface HistoryStore {
    /**
     * A page of a library's versions, newest first.
     *
     * @param library the library
     * @param below   only versions numbered below this ({@link Long#MAX_VALUE} for the newest)
     * @param limit   at most this many, at least 1
     * @return the versions, newest first; empty when the library has no history
     * @throws StoreException if the store cannot be read
     */
    List<LibraryVersion> versions(LibraryId library, long below, int limit);

    /**
     * One version's metadata.
     *
     * @param library the library
     * @param number  the version's number
     * @return the version, or empty when there is none of that number (never made, pruned or purged)
     * @throws StoreException if the store cannot be read
     */
    Optional<LibraryVersion> find(LibraryId library, long number);

    /**
     * One version's code.
     *
     * @param library the library
     * @param number  the version's number
     * @return the code, or empty when there is no such version
     * @throws StoreException if the store cannot be read
     */
    Optional<String> code(LibraryId library, long number);

    /**
     * The libraries that have a history, existing or deleted, sorted as {@link Library#ORDER} sorts libraries.
     *
     * @return the libraries' identities
     * @throws StoreException if the store cannot be read
     */
    List<LibraryId> libraries();
}
