package dev.evaluator.store.rocksdb;

import dev.evaluator.store.HistoryStore;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Library versions in three column families: {@code versions} (metadata), {@code version_code} (the code, read only
 * when asked for) and {@code version_counters} (each library's highest number ever given, kept by a purge so that
 * numbers are never reused).
 * <p>
 * Keys of versions and their code: the library's key ({@link Keys}), {@code 0x00}, the number as 8 bytes big-endian,
 * so one library's versions are one prefix scan in number order. Names never contain {@code 0x00}, so no library's
 * prefix is another's. Pruning removes the oldest and a purge all, so a library's versions are always one run of
 * consecutive numbers ending at its counter, or none.
 * <p>
 * Metadata values: {@code 0x01} (format), created (epoch milliseconds, 8 bytes), size (4 bytes), SHA-256 (32 bytes),
 * the user's length (4 bytes) and UTF-8, the message in UTF-8.
 */
final class RocksDbHistoryStore implements HistoryStore {
    private static final byte VALUE_FORMAT = 0x01;
    private static final int SHA_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final RocksDbStore store;
    private final ColumnFamilyHandle versions;
    private final ColumnFamilyHandle code;
    private final ColumnFamilyHandle counters;

    RocksDbHistoryStore(RocksDbStore store, ColumnFamilyHandle versions, ColumnFamilyHandle code,
                        ColumnFamilyHandle counters) {
        this.store = store;
        this.versions = versions;
        this.code = code;
        this.counters = counters;
    }

    ColumnFamilyHandle versionFamily() {
        return versions;
    }

    ColumnFamilyHandle codeFamily() {
        return code;
    }

    ColumnFamilyHandle counterFamily() {
        return counters;
    }

    @Override
    public List<LibraryVersion> versions(LibraryId library, long below, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        if (below <= 1) {
            return List.of();
        }
        byte[] prefix = prefix(library);
        return store.apply(StoreOperation.HISTORY_READ, "Listing versions of library " + library, (db, writes) -> {
            List<LibraryVersion> found = new ArrayList<>();
            try (RocksIterator it = db.newIterator(versions)) {
                for (it.seekForPrev(key(library, below - 1)); it.isValid() && Keys.startsWith(it.key(), prefix)
                        && found.size() < limit; it.prev()) {
                    found.add(decode(library, number(it.key()), it.value()));
                }
                it.status();
            }
            return found;
        });
    }

    @Override
    public Optional<LibraryVersion> find(LibraryId library, long number) {
        if (number < 1) {
            return Optional.empty();
        }
        byte[] value = store.apply(StoreOperation.HISTORY_READ, "Reading version " + number + " of library "
                + library, (db, writes) -> db.get(versions, key(library, number)));
        return value == null ? Optional.empty() : Optional.of(decode(library, number, value));
    }

    @Override
    public Optional<String> code(LibraryId library, long number) {
        if (number < 1) {
            return Optional.empty();
        }
        byte[] value = store.apply(StoreOperation.HISTORY_READ, "Reading the code of version " + number
                + " of library " + library, (db, writes) -> db.get(code, key(library, number)));
        return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.UTF_8));
    }

    @Override
    public List<LibraryId> libraries() {
        List<LibraryId> found = store.apply(StoreOperation.HISTORY_READ, "Listing library histories",
                (db, writes) -> {
                    List<LibraryId> ids = new ArrayList<>();
                    try (RocksIterator it = db.newIterator(counters)) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            LibraryId id = RocksDbLibraryStore.decodeKey(it.key());
                            if (db.get(versions, key(id, counter(it.value()))) != null) {
                                ids.add(id);
                            }
                        }
                        it.status();
                    }
                    return ids;
                });
        // The order of Library.ORDER: by name, then bucket, then scope, global first.
        found.sort(Comparator.comparing((LibraryId id) -> new Library(id, "", Instant.EPOCH), Library.ORDER));
        return found;
    }

    static byte[] prefix(LibraryId library) {
        return Keys.concat(RocksDbLibraryStore.key(library), new byte[] {Keys.SEPARATOR});
    }

    static byte[] key(LibraryId library, long number) {
        return Keys.concat(prefix(library), ByteBuffer.allocate(Long.BYTES).putLong(number).array());
    }

    static long number(byte[] key) {
        return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
    }

    static byte[] counterValue(long number) {
        return ByteBuffer.allocate(Long.BYTES).putLong(number).array();
    }

    static long counter(byte[] value) {
        if (value.length != Long.BYTES) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged version counter in the store", null);
        }
        return ByteBuffer.wrap(value).getLong();
    }

    static byte[] encode(LibraryVersion version) {
        byte[] user = version.user().getBytes(StandardCharsets.UTF_8);
        byte[] message = version.message().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + SHA_BYTES + Integer.BYTES + user.length
                        + message.length)
                .put(VALUE_FORMAT)
                .putLong(version.created().toEpochMilli())
                .putInt(version.size())
                .put(HEX.parseHex(version.sha256()))
                .putInt(user.length)
                .put(user)
                .put(message)
                .array();
    }

    static LibraryVersion decode(LibraryId library, long number, byte[] value) {
        int header = 1 + Long.BYTES + Integer.BYTES + SHA_BYTES + Integer.BYTES;
        if (value.length < header || value[0] != VALUE_FORMAT) {
            throw damaged(library, number);
        }
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
        long created = in.getLong();
        int size = in.getInt();
        byte[] sha = new byte[SHA_BYTES];
        in.get(sha);
        int userLength = in.getInt();
        if (userLength < 0 || userLength > in.remaining()) {
            throw damaged(library, number);
        }
        String user = new String(value, header, userLength, StandardCharsets.UTF_8);
        String message = new String(value, header + userLength, value.length - header - userLength,
                StandardCharsets.UTF_8);
        return new LibraryVersion(library, number, Instant.ofEpochMilli(created), user, HEX.formatHex(sha), size,
                message);
    }

    private static StoreException damaged(LibraryId library, long number) {
        return new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of version " + number
                + " of library " + library, null);
    }
}
