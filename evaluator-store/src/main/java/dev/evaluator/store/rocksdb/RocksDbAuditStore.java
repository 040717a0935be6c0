package dev.evaluator.store.rocksdb;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.AuditStore;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The audit log in its column family.
 * <p>
 * Keys: the entry's position, 8 bytes big-endian: the epoch microsecond it was appended at, raised by one where that
 * would not be above the last position given (so positions increase and are unique); the entry's time is its
 * position's millisecond, so a time range is a range of positions.
 * Values: {@code 0x01} (format), the time (epoch milliseconds, 8 bytes), the version (8 bytes, -1 for none), then
 * user, client, action, target, outcome and detail, each its UTF-8 length (4 bytes) and bytes.
 */
final class RocksDbAuditStore implements AuditStore {
    private static final byte VALUE_FORMAT = 0x01;
    private static final long MICROS_PER_MILLI = 1000;

    private final RocksDbStore store;
    private final ColumnFamilyHandle family;
    private final AtomicLong lastId;

    RocksDbAuditStore(RocksDbStore store, ColumnFamilyHandle family, RocksDB db) {
        this.store = store;
        this.family = family;
        long last = 0;
        try (RocksIterator it = db.newIterator(family)) {
            it.seekToLast();
            if (it.isValid()) {
                last = ByteBuffer.wrap(it.key()).getLong();
            }
        }
        this.lastId = new AtomicLong(last);
    }

    ColumnFamilyHandle family() {
        return family;
    }

    /** The next position: now, or one above the last given when that is not below now. */
    long nextId() {
        long now = System.currentTimeMillis() * MICROS_PER_MILLI;
        return lastId.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** The entry at the next position, and its time. */
    AuditEntry stamped(AuditEntry entry) {
        long id = nextId();
        return entry.at(id, Instant.ofEpochMilli(id / MICROS_PER_MILLI));
    }

    @Override
    public AuditEntry append(AuditEntry entry) {
        AuditEntry stored = stamped(entry);
        store.apply(StoreOperation.AUDIT_WRITE, "Appending to the audit log", (db, writes) -> {
            db.put(family, writes, key(stored.id()), encode(stored));
            return null;
        });
        return stored;
    }

    @Override
    public List<AuditEntry> find(AuditQuery query) {
        long start = query.below() - 1;
        if (query.to().isPresent()) {
            start = Math.min(start, query.to().get().toEpochMilli() * MICROS_PER_MILLI - 1);
        }
        long first = query.from().map(f -> f.toEpochMilli() * MICROS_PER_MILLI).orElse(0L);
        long from = start;
        return store.apply(StoreOperation.AUDIT_READ, "Reading the audit log", (db, writes) -> {
            List<AuditEntry> found = new ArrayList<>();
            if (from < 0) {
                return found;
            }
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seekForPrev(key(from)); it.isValid() && found.size() < query.limit(); it.prev()) {
                    long id = ByteBuffer.wrap(it.key()).getLong();
                    if (id < first) {
                        break;
                    }
                    AuditEntry entry = decode(id, it.value());
                    if (query.matches(entry)) {
                        found.add(entry);
                    }
                }
                it.status();
            }
            return found;
        });
    }

    @Override
    public void pruneBefore(Instant before) {
        long end = Math.max(0, before.toEpochMilli()) * MICROS_PER_MILLI;
        store.apply(StoreOperation.AUDIT_PRUNE, "Pruning the audit log", (db, writes) -> {
            // A range tombstone: one write whatever the number of entries, and no lock that writers wait for.
            db.deleteRange(family, writes, key(0), key(end));
            return null;
        });
    }

    static byte[] key(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static byte[] encode(AuditEntry entry) {
        byte[][] texts = {
            utf8(entry.user()), utf8(entry.client()), utf8(entry.action()), utf8(entry.target()),
            utf8(entry.outcome()), utf8(entry.detail())};
        int length = 1 + 2 * Long.BYTES;
        for (byte[] text : texts) {
            length += Integer.BYTES + text.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length)
                .put(VALUE_FORMAT)
                .putLong(entry.time().toEpochMilli())
                .putLong(entry.version().orElse(-1));
        for (byte[] text : texts) {
            out.putInt(text.length).put(text);
        }
        return out.array();
    }

    static AuditEntry decode(long id, byte[] value) {
        try {
            ByteBuffer in = ByteBuffer.wrap(value);
            if (in.get() != VALUE_FORMAT) {
                throw damaged(id);
            }
            Instant time = Instant.ofEpochMilli(in.getLong());
            long version = in.getLong();
            String[] texts = new String[6];
            for (int i = 0; i < texts.length; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw damaged(id);
                }
                texts[i] = new String(value, in.position(), length, StandardCharsets.UTF_8);
                in.position(in.position() + length);
            }
            return new AuditEntry(id, time, texts[0], texts[1], texts[2], texts[3], texts[4],
                    version < 0 ? OptionalLong.empty() : OptionalLong.of(version), texts[5]);
        } catch (java.nio.BufferUnderflowException e) {
            throw damaged(id);
        }
    }

    private static StoreException damaged(long id) {
        return new StoreException(StoreException.Reason.CORRUPTED, "Damaged audit log entry " + id, null);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
