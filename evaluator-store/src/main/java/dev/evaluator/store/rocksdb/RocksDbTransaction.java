package dev.evaluator.store.rocksdb;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.StoreTransaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
    private final KeyLocks.Held locks;

    RocksDbTransaction(RocksDB db, WriteBatchWithIndex batch, ReadOptions reads, ColumnFamilyHandle libraries,
                       ColumnFamilyHandle functions, ColumnFamilyHandle bindings, KeyLocks.Held locks) {
        this.locks = locks;
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

    @Override
    public Optional<Library> findLibrary(LibraryId id) {
        locks.lock(id);
        byte[] value = get(libraries, RocksDbLibraryStore.key(id), "Reading library " + id);
        return value == null ? Optional.empty() : Optional.of(RocksDbLibraryStore.decode(id, value));
    }

    @Override
    public Library upsertLibrary(LibraryId id, String code, OptionalInt functionCount) {
        locks.lock(id);
        Library library = new Library(id, code, Instant.ofEpochMilli(System.currentTimeMillis()), functionCount);
        librariesWritten.add(id);
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
