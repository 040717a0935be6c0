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
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Libraries in their column family.
 * <p>
 * Keys: see {@link Keys}; the libraries of one namespace are one prefix scan.
 * Values: {@code 0x01} (format), the modification time in epoch milliseconds (8 bytes), the code in UTF-8.
 */
final class RocksDbLibraryStore implements LibraryStore {
    private static final byte VALUE_FORMAT = 0x01;
    private static final int VALUE_HEADER = 1 + Long.BYTES;

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

    /** Read in pages of this many, each under the store's lock for a moment only, so a slow reader holds nothing. */
    private static final int PAGE = 256;

    @Override
    public void forEach(Consumer<? super Library> action) {
        byte[] after = null;
        while (true) {
            byte[] from = after;
            List<Library> page = store.apply(StoreOperation.LIBRARY_LIST, "Listing libraries", (db, writes) -> {
                List<Library> found = new ArrayList<>();
                try (RocksIterator it = db.newIterator(family)) {
                    if (from == null) {
                        it.seekToFirst();
                    } else {
                        it.seek(from);
                        if (it.isValid() && java.util.Arrays.equals(it.key(), from)) {
                            it.next();
                        }
                    }
                    for (; it.isValid() && found.size() < PAGE; it.next()) {
                        found.add(decode(decodeKey(it.key()), it.value()));
                    }
                    it.status();
                }
                return found;
            });
            page.forEach(action);
            if (page.size() < PAGE) {
                return;
            }
            after = key(page.getLast().id());
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
                .put(code)
                .array();
    }

    static Library decode(LibraryId id, byte[] value) {
        if (value.length < VALUE_HEADER || value[0] != VALUE_FORMAT) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of library " + id, null);
        }
        long modified = ByteBuffer.wrap(value, 1, Long.BYTES).getLong();
        String code = new String(value, VALUE_HEADER, value.length - VALUE_HEADER, StandardCharsets.UTF_8);
        return new Library(id, code, Instant.ofEpochMilli(modified));
    }
}
