package dev.evaluator.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The reads and writes of one {@link Store#transact transaction} over libraries and functions: a check and the writes
 * it allows, applied together or not at all.
 * <p>
 * Reads see one consistent state of the store, plus the transaction's own writes. Writes are buffered and applied
 * when the work returns, atomically, and only if nothing the transaction read was changed by anyone else meanwhile
 * (another thread, or another process on the same etcd cluster); otherwise the store runs the work again on a fresh
 * transaction. A transaction is used by one thread, only while its work runs.
 */
public interface StoreTransaction {
    /**
     * One library.
     *
     * @param id the library's identity
     * @return the library, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<Library> findLibrary(LibraryId id);

    /**
     * Create the library, or replace its whole code when it exists, when the transaction commits.
     *
     * @param id   the library's identity
     * @param code the JavaScript source of the whole library
     * @return the library as it will be stored
     * @throws StoreException if the store cannot be read, or with reason {@code TOO_LARGE} when the library cannot
     *                        fit in one write (then nothing is changed)
     */
    default Library upsertLibrary(LibraryId id, String code) {
        return upsertLibrary(id, code, OptionalInt.empty());
    }

    /**
     * Create the library, or replace its whole code when it exists, with the number of top-level functions the
     * code defines, when the transaction commits.
     *
     * @param id            the library's identity
     * @param code          the JavaScript source of the whole library
     * @param functionCount how many top-level functions the code defines, if the caller counted them
     * @return the library as it will be stored
     * @throws StoreException if the store cannot be read, or with reason {@code TOO_LARGE} when the library cannot
     *                        fit in one write (then nothing is changed)
     */
    default Library upsertLibrary(LibraryId id, String code, OptionalInt functionCount) {
        return upsertLibrary(id, code, functionCount, Instant.ofEpochMilli(System.currentTimeMillis()));
    }

    /**
     * Create the library, or replace its whole code when it exists, with the number of top-level functions the
     * code defines and the time it is said to have been written (an import restoring a backup keeps the
     * backup's), when the transaction commits.
     *
     * @param id            the library's identity
     * @param code          the JavaScript source of the whole library
     * @param functionCount how many top-level functions the code defines, if the caller counted them
     * @param modified      its modification time (kept to the millisecond)
     * @return the library as it will be stored
     * @throws StoreException if the store cannot be read, or with reason {@code TOO_LARGE} when the library cannot
     *                        fit in one write (then nothing is changed)
     */
    Library upsertLibrary(LibraryId id, String code, OptionalInt functionCount, Instant modified);

    /**
     * Delete a library when the transaction commits.
     *
     * @param id the library's identity
     * @return whether the library exists now
     * @throws StoreException if the store cannot be read
     */
    boolean deleteLibrary(LibraryId id);

    /**
     * One function.
     *
     * @param id the function's identity
     * @return the definition, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<FunctionDefinition> findFunction(FunctionId id);

    /**
     * The functions bound to a library. A function bound to it by anyone else before the transaction commits makes
     * the transaction run again, so "none are bound" holds when a delete that relied on it is applied.
     *
     * @param library the library
     * @return the definitions, sorted by namespace and name
     * @throws StoreException if the store cannot be read
     */
    List<FunctionDefinition> boundTo(LibraryId library);

    /**
     * Create the function, or replace it when it exists (moving its index entry if its library changes), when the
     * transaction commits.
     *
     * @param definition the definition
     * @throws StoreException if the store cannot be read
     */
    void upsertFunction(FunctionDefinition definition);

    /**
     * Delete a function and its index entry when the transaction commits.
     *
     * @param id the function's identity
     * @return whether the function exists now
     * @throws StoreException if the store cannot be read
     */
    boolean deleteFunction(FunctionId id);

    /**
     * One user, as this transaction sees it (its own writes included).
     *
     * @param name the user's login name
     * @return the user, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<User> findUser(String name);

    /**
     * Create the user, or replace its hash and roles, when the transaction commits (imports write users with the
     * libraries they go with; {@link UserStore} writes them alone).
     *
     * @param user the user
     * @throws StoreException if the store cannot be read
     */
    void upsertUser(User user);

    /**
     * A library's newest version, as this transaction sees it (its own appends included).
     *
     * @param library the library
     * @return the newest version, or empty when the library has no history
     * @throws StoreException if the store cannot be read
     */
    Optional<LibraryVersion> latestVersion(LibraryId library);

    /**
     * Append a version of a library to its history when the transaction commits, numbered one above every number
     * the library ever had (also after a delete or a purge), and delete its versions older than the newest
     * {@code keep}, in the same write.
     *
     * @param library the library
     * @param code    the version's code
     * @param user    who made it
     * @param message what its author said of it, or empty
     * @param keep    how many versions to keep, at least 1
     * @return the version as it will be stored
     * @throws StoreException if the store cannot be read
     */
    LibraryVersion appendVersion(LibraryId library, String code, String user, String message, int keep);

    /**
     * One of a library's kept versions, as this transaction sees it (its own writes included).
     *
     * @param library the library
     * @param number  the version's number
     * @return the version, or empty when there is none of that number (never made, pruned or purged)
     * @throws StoreException if the store cannot be read
     */
    Optional<LibraryVersion> findVersion(LibraryId library, long number);

    /**
     * The highest number a library's versions ever had, as this transaction sees it: kept, pruned or purged, the
     * next version is numbered above it.
     *
     * @param library the library
     * @return the number, 0 when the library never had a version
     * @throws StoreException if the store cannot be read
     */
    long lastVersionNumber(LibraryId library);

    /**
     * Restore a version of a library to its history when the transaction commits, as a backup brings it back: with
     * its own number, creation time, user and message, and its code. The number must be above every number the
     * library ever had ({@link #lastVersionNumber}), as numbers are never reused; it becomes the library's highest.
     * Its versions older than the newest {@code keep} are deleted in the same write, as by {@link #appendVersion}.
     * Versions restored one after another (in increasing numbers) keep the history consecutive when each is one
     * above the last.
     *
     * @param version the version; its {@code sha256} and {@code size} must be those of {@code code}
     * @param code    the version's code
     * @param keep    how many versions to keep, at least 1
     * @return the version as it will be stored
     * @throws IllegalArgumentException if the number is not above every number the library had, the hash or size
     *                                  are not the code's, or {@code keep} is below 1 (then nothing is written)
     * @throws StoreException           if the store cannot be read
     */
    LibraryVersion restoreVersion(LibraryVersion version, String code, int keep);

    /**
     * Delete a library's whole history when the transaction commits (its numbering goes on from where it was).
     *
     * @param library the library
     * @return how many versions there were
     * @throws StoreException if the store cannot be read
     */
    int purgeHistory(LibraryId library);

    /**
     * Append an entry to the audit log when the transaction commits.
     *
     * @param entry the entry; its {@code id} and {@code time} are ignored: the store stamps both
     * @return the entry as it will be stored, with its position and time
     * @throws StoreException if the store cannot be read
     */
    AuditEntry appendAudit(AuditEntry entry);
}
