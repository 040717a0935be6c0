package dev.evaluator.store.rocksdb;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.StoreTransaction;
import dev.evaluator.store.User;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * A transaction on RocksDB: its writes go to an indexed batch (so its reads see them), written in one synced write
 * when the work returns. Isolation comes from the locks of what it touches ({@link KeyLocks}): each read or write
 * of a library, a function or a library's index of bound functions first locks that library or function, and the
 * store holds the locks until the batch is written, so what the work read still holds then. A lock another
 * transaction holds ends the attempt ({@link KeyLocks.Conflict}); the store runs the work again.
 */
final class RocksDbTransaction implements StoreTransaction {
    private static final byte[] NO_VALUE = new byte[0];

    private final RocksDB db;
    private final WriteBatchWithIndex batch;
    private final ReadOptions reads;
    private final ColumnFamilyHandle libraries;
    private final ColumnFamilyHandle functions;
    private final ColumnFamilyHandle bindings;
    private final Set<LibraryId> librariesWritten = new HashSet<>();
    /** What this transaction leaves of each library it wrote: present (true) or deleted (false). */
    private final Map<LibraryId, Boolean> libraryStates = new HashMap<>();
    private final KeyLocks.Held locks;
    private final RocksDbHistoryStore history;
    private final RocksDbAuditStore audit;
    private final RocksDbUserStore users;
    private final Set<String> usersWritten = new HashSet<>();

    RocksDbTransaction(RocksDB db, WriteBatchWithIndex batch, ReadOptions reads, ColumnFamilyHandle libraries,
                       ColumnFamilyHandle functions, ColumnFamilyHandle bindings, KeyLocks.Held locks,
                       RocksDbHistoryStore history, RocksDbAuditStore audit, RocksDbUserStore users) {
        this.locks = locks;
        this.users = users;
        this.history = history;
        this.audit = audit;
        this.db = db;
        this.batch = batch;
        this.reads = reads;
        this.libraries = libraries;
        this.functions = functions;
        this.bindings = bindings;
    }

    /** The libraries this transaction wrote or deleted, whose cached records its commit makes stale. */
    Set<LibraryId> librariesWritten() {
        return librariesWritten;
    }

    /** Each library this transaction wrote (true) or deleted (false), as its commit leaves it. */
    Map<LibraryId, Boolean> libraryStates() {
        return libraryStates;
    }

    @Override
    public Optional<Library> findLibrary(LibraryId id) {
        locks.lock(id);
        byte[] value = get(libraries, RocksDbLibraryStore.key(id), "Reading library " + id);
        return value == null ? Optional.empty() : Optional.of(RocksDbLibraryStore.decode(id, value));
    }

    @Override
    public Library upsertLibrary(LibraryId id, String code, OptionalInt functionCount, Instant modified) {
        locks.lock(id);
        Library library = new Library(id, code, Instant.ofEpochMilli(modified.toEpochMilli()), functionCount);
        librariesWritten.add(id);
        libraryStates.put(id, true);
        run("Writing library " + id, () -> batch.put(libraries, RocksDbLibraryStore.key(id),
                RocksDbLibraryStore.encode(library)));
        return library;
    }

    @Override
    public boolean deleteLibrary(LibraryId id) {
        locks.lock(id);
        byte[] key = RocksDbLibraryStore.key(id);
        if (get(libraries, key, "Reading library " + id) == null) {
            return false;
        }
        librariesWritten.add(id);
        libraryStates.put(id, false);
        run("Deleting library " + id, () -> batch.delete(libraries, key));
        return true;
    }

    @Override
    public Optional<FunctionDefinition> findFunction(FunctionId id) {
        locks.lock(id);
        return readFunction(id);
    }

    /** A function, without its lock: for one bound to a library this transaction holds (which guards it). */
    private Optional<FunctionDefinition> readFunction(FunctionId id) {
        byte[] value = get(functions, RocksDbFunctionStore.key(id), "Reading function " + id);
        return value == null ? Optional.empty() : Optional.of(RocksDbFunctionStore.decode(id, value));
    }

    @Override
    public List<FunctionDefinition> boundTo(LibraryId library) {
        // The library's lock guards its index entries: whoever adds or removes one holds it.
        locks.lock(library);
        byte[] prefix = RocksDbFunctionStore.bindingPrefix(library);
        String action = "Listing functions bound to library " + library;
        List<FunctionDefinition> found = new ArrayList<>();
        run(action, () -> {
            try (RocksIterator base = db.newIterator(bindings, reads);
                 RocksIterator it = batch.newIteratorWithBase(bindings, base, reads)) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    byte[] key = it.key();
                    FunctionId id = RocksDbFunctionStore.decodeKey(key, prefix.length, key.length);
                    readFunction(id).ifPresent(found::add);
                }
                it.status();
            }
        });
        found.sort(FunctionDefinition.ORDER);
        return found;
    }

    @Override
    public void upsertFunction(FunctionDefinition definition) {
        byte[] key = RocksDbFunctionStore.key(definition.id());
        Optional<FunctionDefinition> old = findFunction(definition.id());
        old.ifPresent(f -> locks.lock(f.library()));
        locks.lock(definition.library());
        run("Writing function " + definition.id(), () -> {
            if (old.isPresent()) {
                batch.delete(bindings, RocksDbFunctionStore.bindingKey(old.get().library(), key));
            }
            batch.put(functions, key, RocksDbFunctionStore.encode(definition));
            batch.put(bindings, RocksDbFunctionStore.bindingKey(definition.library(), key), NO_VALUE);
        });
    }

    @Override
    public boolean deleteFunction(FunctionId id) {
        byte[] key = RocksDbFunctionStore.key(id);
        Optional<FunctionDefinition> old = findFunction(id);
        if (old.isEmpty()) {
            return false;
        }
        locks.lock(old.get().library());
        run("Deleting function " + id, () -> {
            batch.delete(functions, key);
            batch.delete(bindings, RocksDbFunctionStore.bindingKey(old.get().library(), key));
        });
        return true;
    }

    /** The users this transaction wrote, whose cached records its commit makes stale. */
    Set<String> usersWritten() {
        return usersWritten;
    }

    @Override
    public Optional<User> findUser(String name) {
        byte[] value = get(users.family(), RocksDbStore.bytes(name), "Reading user " + name);
        return value == null ? Optional.empty() : Optional.of(RocksDbUserStore.decode(name, value));
    }

    @Override
    public void upsertUser(User user) {
        locks.lock("user:" + user.name());
        usersWritten.add(user.name());
        run("Writing user " + user.name(), () -> batch.put(users.family(), RocksDbStore.bytes(user.name()),
                RocksDbUserStore.encode(user)));
    }

    @Override
    public Optional<LibraryVersion> latestVersion(LibraryId library) {
        // A library's history changes with it, under its lock.
        locks.lock(library);
        long last = lastNumber(library);
        if (last == 0) {
            return Optional.empty();
        }
        byte[] value = get(history.versionFamily(), RocksDbHistoryStore.key(library, last),
                "Reading the history of library " + library);
        return value == null ? Optional.empty() : Optional.of(RocksDbHistoryStore.decode(library, last, value));
    }

    @Override
    public Optional<LibraryVersion> findVersion(LibraryId library, long number) {
        locks.lock(library);
        if (number < 1) {
            return Optional.empty();
        }
        byte[] value = get(history.versionFamily(), RocksDbHistoryStore.key(library, number),
                "Reading the history of library " + library);
        return value == null ? Optional.empty() : Optional.of(RocksDbHistoryStore.decode(library, number, value));
    }

    @Override
    public long lastVersionNumber(LibraryId library) {
        locks.lock(library);
        return lastNumber(library);
    }

    @Override
    public LibraryVersion appendVersion(LibraryId library, String code, String user, String message, int keep) {
        LibraryVersion.requireKeep(keep);
        locks.lock(library);
        byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
        long number = lastNumber(library) + 1;
        LibraryVersion version = LibraryVersion.made(library, number, bytes, user, message);
        write(version, bytes, keep, true);
        return version;
    }

    @Override
    public LibraryVersion restoreVersion(LibraryVersion version, String code, int keep) {
        LibraryVersion.requireKeep(keep);
        LibraryId library = version.library();
        locks.lock(library);
        byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
        version.requireCode(bytes);
        long last = lastNumber(library);
        if (version.number() <= last) {
            throw new IllegalArgumentException("version " + version.number() + " of library " + library
                    + " cannot be restored: numbers up to " + last + " were given already, and are never reused");
        }
        write(version, bytes, keep, false);
        return version;
    }

    /**
     * Write a version numbered above the counter, make it the counter, and prune beyond the newest keep.
     *
     * @param consecutive whether the version is numbered right after the counter (an append): then the kept
     *                    versions are one run ending at it, and the pruned ones are found by point reads
     */
    private void write(LibraryVersion version, byte[] bytes, int keep, boolean consecutive) {
        LibraryId library = version.library();
        long number = version.number();
        String action = "Writing the history of library " + library;
        List<Long> pruned;
        if (consecutive) {
            pruned = new ArrayList<>();
            // The kept versions are consecutive, ending at the new one: the oldest beyond the newest keep go, which
            // are there when the newest of them is (point reads, not a seek over pruned versions' markers).
            long newestGone = number - keep;
            long oldestGone = newestGone >= 1 && versionKept(library, newestGone) ? firstKept(library, newestGone)
                    : newestGone + 1;
            for (long old = oldestGone; old <= newestGone; old++) {
                pruned.add(old);
            }
        } else {
            // A restored version may follow a gap while a backup's history is written (versions beyond retention
            // skipped): every kept version numbered up to number - keep goes, found by a scan.
            pruned = keptBelow(library, number - keep + 1);
        }
        run(action, () -> {
            byte[] key = RocksDbHistoryStore.key(library, number);
            batch.put(history.versionFamily(), key, RocksDbHistoryStore.encode(version));
            batch.put(history.codeFamily(), key, bytes);
            batch.put(history.counterFamily(), RocksDbLibraryStore.key(library),
                    RocksDbHistoryStore.counterValue(number));
            for (long old : pruned) {
                batch.delete(history.versionFamily(), RocksDbHistoryStore.key(library, old));
                batch.delete(history.codeFamily(), RocksDbHistoryStore.key(library, old));
            }
        });
    }

    /** The numbers of a library's kept versions below a number, oldest first. */
    private List<Long> keptBelow(LibraryId library, long below) {
        byte[] prefix = RocksDbHistoryStore.prefix(library);
        List<Long> found = new ArrayList<>();
        if (below <= 1) {
            return found;
        }
        byte[] end = RocksDbHistoryStore.key(library, below);
        run("Reading the history of library " + library, () -> {
            try (RocksIterator base = db.newIterator(history.versionFamily(), reads);
                 RocksIterator it = batch.newIteratorWithBase(history.versionFamily(), base, reads)) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix)
                        && Arrays.compareUnsigned(it.key(), end) < 0; it.next()) {
                    found.add(RocksDbHistoryStore.number(it.key()));
                }
                it.status();
            }
        });
        return found;
    }

    @Override
    public int purgeHistory(LibraryId library) {
        locks.lock(library);
        Optional<Range> kept = kept(library);
        if (kept.isEmpty()) {
            return 0;
        }
        Range range = kept.get();
        run("Purging the history of library " + library, () -> {
            for (long old = range.first(); old <= range.last(); old++) {
                batch.delete(history.versionFamily(), RocksDbHistoryStore.key(library, old));
                batch.delete(history.codeFamily(), RocksDbHistoryStore.key(library, old));
            }
        });
        return Math.toIntExact(range.last() - range.first() + 1);
    }

    @Override
    public AuditEntry appendAudit(AuditEntry entry) {
        AuditEntry stored = audit.stamped(entry);
        run("Appending to the audit log", () -> batch.put(audit.family(), RocksDbAuditStore.key(stored.id()),
                RocksDbAuditStore.encode(stored)));
        return stored;
    }

    /** The numbers of a library's kept versions, first to last. */
    private record Range(long first, long last) {
    }

    /**
     * The numbers of a library's kept versions, if it has any. They are one run of consecutive numbers ending at the
     * counter (see {@link RocksDbHistoryStore}), so whether a number is kept tells on which side of the first it
     * is, and point reads find the first: a seek from the library's prefix would step over the deletion marker of
     * every version pruned since the last compaction, a cost growing with each write of a much-edited library.
     */
    private Optional<Range> kept(LibraryId library) {
        long last = lastNumber(library);
        if (last == 0 || !versionKept(library, last)) {
            return Optional.empty();
        }
        return Optional.of(new Range(firstKept(library, last), last));
    }

    /**
     * The first kept version, given one that is kept: steps back doubling from it until a number is not kept (or
     * below 1), then halves the gap: one read when the number before it is not kept, as when a write prunes the
     * one version beyond the count it keeps.
     */
    private long firstKept(LibraryId library, long kept) {
        long low = kept;
        long step = 1;
        long probe = kept - 1;
        while (probe >= 1 && versionKept(library, probe)) {
            low = probe;
            step *= 2;
            probe = kept - step;
        }
        // low is kept; every number at or below probe (which may be 0 or less) is not.
        long notKept = Math.max(0, probe);
        while (low - notKept > 1) {
            long middle = notKept + (low - notKept) / 2;
            if (versionKept(library, middle)) {
                low = middle;
            } else {
                notKept = middle;
            }
        }
        return low;
    }

    private boolean versionKept(LibraryId library, long number) {
        return get(history.versionFamily(), RocksDbHistoryStore.key(library, number),
                "Reading the history of library " + library) != null;
    }

    /** The highest number the library's versions ever had; 0 for none. */
    private long lastNumber(LibraryId library) {
        byte[] value = get(history.counterFamily(), RocksDbLibraryStore.key(library),
                "Reading the history of library " + library);
        return value == null ? 0 : RocksDbHistoryStore.counter(value);
    }

    private byte[] get(ColumnFamilyHandle family, byte[] key, String action) {
        try {
            return batch.getFromBatchAndDB(db, family, reads, key);
        } catch (RocksDBException e) {
            throw RocksDbStore.wrap(action, e);
        }
    }

    /** One step on the batch or database. */
    @FunctionalInterface
    private interface Step {
        void run() throws RocksDBException;
    }

    private static void run(String action, Step step) {
        try {
            step.run();
        } catch (RocksDBException e) {
            throw RocksDbStore.wrap(action, e);
        }
    }
}
