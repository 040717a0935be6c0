package dev.evaluator.store.rocksdb;

import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Libraries in their column family.
 * <p>
 * Keys: see {@link Keys}; the libraries of one namespace are one prefix scan.
 * Values: {@code 0x02} (format), the modification time in epoch milliseconds (8 bytes), the number of top-level
 * functions (4 bytes, -1 when it was not counted), the code in UTF-8. Format {@code 0x01} (no count), written before
 * schema 2, is still read.
 */
final class RocksDbLibraryStore implements LibraryStore {
    private static final byte VALUE_FORMAT_1 = 0x01;
    private static final int VALUE_HEADER_1 = 1 + Long.BYTES;
    private static final byte VALUE_FORMAT = 0x02;
    private static final int VALUE_HEADER = 1 + Long.BYTES + Integer.BYTES;

    /** Libraries read at once by {@link #forEach}. */
    private static final int LIST_CHUNK = 256;
    /** Code characters the read cache keeps: a call reads its library every time. */
    private static final long CACHED_CHARS = 64L << 20;

    private final RocksDbStore store;
    private final ColumnFamilyHandle family;
    private final ReadCache<LibraryId, Library> cache;
    /**
     * Every library's identity, in {@link LibraryId#ORDER}, so that a page reads only what it hands over: built by
     * one scan of the keys when a page is first asked for, then kept by every transaction that writes a library
     * (after its batch is written, under the library's lock). Null until built.
     */
    private volatile ConcurrentSkipListSet<LibraryId> index;
    /** Guards the build and {@link #pending}. */
    private final Object indexLock = new Object();
    /** Set while the index is being built: the changes committed meanwhile, applied in order once it is. */
    private List<Change> pending;
    /** One object per namespace, shared by the identities in the index. */
    private final Map<Namespace, Namespace> namespaces = new ConcurrentHashMap<>();

    /** A library written (present) or deleted (absent) by a committed transaction. */
    private record Change(LibraryId id, boolean present) {
    }

    RocksDbLibraryStore(RocksDbStore store, ColumnFamilyHandle family) {
        this.store = store;
        this.family = family;
        this.cache = new ReadCache<>(store, CACHED_CHARS, (id, library) -> library.code().length() + 64);
    }

    /**
     * Forget a library's cached record after a transaction wrote or deleted it, also one that failed (it may have
     * happened).
     */
    void written(LibraryId id) {
        cache.written(id);
    }

    /**
     * Keep the index of identities after a transaction's batch was written, under the locks of its libraries (so
     * the changes of one library arrive in the order of its writes).
     *
     * @param states each library the batch wrote (true) or deleted (false)
     */
    void committed(Map<LibraryId, Boolean> states) {
        states.forEach((id, present) -> changed(new Change(id, present)));
    }

    /**
     * Bring the index in line with the store for libraries whose write may or may not have happened (the write
     * failed), under their locks.
     */
    void uncertain(Iterable<LibraryId> ids) {
        for (LibraryId id : ids) {
            boolean present;
            try {
                present = store.apply(StoreOperation.LIBRARY_READ, "Reading library " + id,
                        (db, writes) -> db.get(family, key(id))) != null;
            } catch (StoreException e) {
                // The store cannot be read: the index cannot be trusted for this library any more.
                synchronized (indexLock) {
                    index = null;
                    // A build under way is not kept either.
                    pending = null;
                    indexLock.notifyAll();
                }
                return;
            }
            changed(new Change(id, present));
        }
    }

    private void changed(Change change) {
        ConcurrentSkipListSet<LibraryId> built = index;
        if (built == null) {
            synchronized (indexLock) {
                built = index;
                if (built == null) {
                    // Not built: the build's scan, which starts after this write, sees it. Building: kept for after.
                    if (pending != null) {
                        pending.add(change);
                    }
                    return;
                }
            }
        }
        apply(built, change);
    }

    private void apply(ConcurrentSkipListSet<LibraryId> built, Change change) {
        if (change.present()) {
            built.add(new LibraryId(namespaces.computeIfAbsent(change.id().namespace(), n -> n), change.id().name()));
        } else {
            built.remove(change.id());
        }
    }

    /** The index, built first if it is not. */
    private ConcurrentSkipListSet<LibraryId> index() {
        ConcurrentSkipListSet<LibraryId> built = index;
        if (built != null) {
            return built;
        }
        synchronized (indexLock) {
            // One build at a time: readers that come meanwhile wait for it; writers do not (their changes wait).
            boolean interrupted = false;
            while (index == null && pending != null) {
                try {
                    indexLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (index != null) {
                return index;
            }
            pending = new ArrayList<>();
        }
        ConcurrentSkipListSet<LibraryId> fresh = new ConcurrentSkipListSet<>(LibraryId.ORDER);
        try {
            List<LibraryId> ids = store.apply(StoreOperation.LIBRARY_LIST, "Listing libraries", (db, writes) -> {
                List<LibraryId> found = new ArrayList<>();
                try (RocksIterator it = db.newIterator(family)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        LibraryId id = decodeKey(it.key());
                        found.add(new LibraryId(namespaces.computeIfAbsent(id.namespace(), n -> n), id.name()));
                    }
                    it.status();
                }
                return found;
            });
            ids.sort(LibraryId.ORDER);
            fresh.addAll(ids);
        } catch (RuntimeException e) {
            synchronized (indexLock) {
                pending = null;
                indexLock.notifyAll();
            }
            throw e;
        }
        synchronized (indexLock) {
            List<Change> changes = pending;
            pending = null;
            indexLock.notifyAll();
            if (changes == null) {
                // Given up meanwhile (a library's state could not be read): good for this list, not kept.
                return fresh;
            }
            for (Change change : changes) {
                apply(fresh, change);
            }
            index = fresh;
            return fresh;
        }
    }

    @Override
    public List<Library> list() {
        return scan(new byte[0]);
    }

    @Override
    public List<Library> list(Namespace namespace) {
        return scan(Keys.prefix(namespace));
    }

    @Override
    public Optional<Library> find(LibraryId id) {
        return cache.find(id, "Reading library", key -> {
            byte[] value = store.apply(StoreOperation.LIBRARY_READ, "Reading library " + key,
                    (db, writes) -> db.get(family, key(key)));
            return value == null ? null : decode(key, value);
        });
    }

    @Override
    public Library upsert(LibraryId id, String code) {
        return store.transaction(StoreOperation.LIBRARY_WRITE, "Writing library " + id,
                tx -> tx.upsertLibrary(id, code));
    }

    @Override
    public boolean delete(LibraryId id) {
        return store.transaction(StoreOperation.LIBRARY_DELETE, "Deleting library " + id,
                tx -> tx.deleteLibrary(id));
    }

    /**
     * The identities from the index, in order from {@code after}, tested as they come; the libraries of each chunk
     * of {@value #LIST_CHUNK} passing identities read with one multi-get: a page of n reads about n records whatever
     * the number of libraries. The store's lifecycle lock is held per chunk, never while a slow consumer writes to
     * its client. A library deleted meanwhile is left out; one replaced meanwhile is handed over as it is then; one
     * created meanwhile may or may not be.
     */
    @Override
    public void forEach(Optional<LibraryId> after, Predicate<LibraryId> include, Predicate<Library> action) {
        ConcurrentSkipListSet<LibraryId> ids = index();
        Iterator<LibraryId> next = (after.isPresent() ? ids.tailSet(after.get(), false) : ids).iterator();
        List<LibraryId> chunk = new ArrayList<>(LIST_CHUNK);
        while (true) {
            chunk.clear();
            while (chunk.size() < LIST_CHUNK && next.hasNext()) {
                LibraryId id = next.next();
                if (include.test(id)) {
                    chunk.add(id);
                }
            }
            if (chunk.isEmpty()) {
                return;
            }
            List<Library> libraries = store.apply(StoreOperation.LIBRARY_LIST, "Listing libraries",
                    (db, writes) -> {
                        List<byte[]> keys = chunk.stream().map(RocksDbLibraryStore::key).toList();
                        List<byte[]> values = db.multiGetAsList(Collections.nCopies(keys.size(), family), keys);
                        List<Library> read = new ArrayList<>(chunk.size());
                        for (int i = 0; i < chunk.size(); i++) {
                            if (values.get(i) != null) {
                                read.add(decode(chunk.get(i), values.get(i)));
                            }
                        }
                        return read;
                    });
            for (Library library : libraries) {
                if (!action.test(library)) {
                    return;
                }
            }
        }
    }

    private List<Library> scan(byte[] prefix) {
        List<Library> result = store.apply(StoreOperation.LIBRARY_LIST, "Listing libraries", (db, writes) -> {
            List<Library> found = new ArrayList<>();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    byte[] key = it.key();
                    found.add(decode(decodeKey(key), it.value()));
                }
                it.status();
            }
            return found;
        });
        result.sort(Library.ORDER);
        return result;
    }

    static byte[] key(LibraryId id) {
        return Keys.key(id.namespace(), id.name());
    }

    static LibraryId decodeKey(byte[] key) {
        Keys.Decoded decoded = Keys.decode(key, 0, key.length);
        return new LibraryId(decoded.namespace(), decoded.name());
    }

    static byte[] encode(Library library) {
        byte[] code = library.code().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(VALUE_HEADER + code.length)
                .put(VALUE_FORMAT)
                .putLong(library.modified().toEpochMilli())
                .putInt(library.functionCount().orElse(-1))
                .put(code)
                .array();
    }

    static Library decode(LibraryId id, byte[] value) {
        boolean counted = value.length >= VALUE_HEADER && value[0] == VALUE_FORMAT;
        if (!counted && (value.length < VALUE_HEADER_1 || value[0] != VALUE_FORMAT_1)) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of library " + id, null);
        }
        ByteBuffer header = ByteBuffer.wrap(value, 1, (counted ? VALUE_HEADER : VALUE_HEADER_1) - 1);
        long modified = header.getLong();
        int count = counted ? header.getInt() : -1;
        if (count < -1) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of library " + id, null);
        }
        int start = counted ? VALUE_HEADER : VALUE_HEADER_1;
        String code = new String(value, start, value.length - start, StandardCharsets.UTF_8);
        return new Library(id, code, Instant.ofEpochMilli(modified),
                count < 0 ? OptionalInt.empty() : OptionalInt.of(count));
    }
}
