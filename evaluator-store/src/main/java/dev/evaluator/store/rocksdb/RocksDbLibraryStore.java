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
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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
     * The identities first, sorted (one scan of the keys), then the libraries in chunks read with one multi-get
     * each: the store's lifecycle lock is held per chunk, never while a slow consumer writes to its client. A
     * library deleted meanwhile is left out; one replaced meanwhile is handed over as it is then.
     */
    @Override
    public void forEach(Optional<LibraryId> after, Predicate<LibraryId> include, Predicate<Library> action) {
        List<LibraryId> ids = store.apply(StoreOperation.LIBRARY_LIST, "Listing libraries", (db, writes) -> {
            List<LibraryId> found = new ArrayList<>();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    LibraryId id = decodeKey(it.key());
                    if ((after.isEmpty() || LibraryId.ORDER.compare(id, after.get()) > 0) && include.test(id)) {
                        found.add(id);
                    }
                }
                it.status();
            }
            return found;
        });
        ids.sort(LibraryId.ORDER);
        for (int from = 0; from < ids.size(); from += LIST_CHUNK) {
            List<LibraryId> chunk = ids.subList(from, Math.min(ids.size(), from + LIST_CHUNK));
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
