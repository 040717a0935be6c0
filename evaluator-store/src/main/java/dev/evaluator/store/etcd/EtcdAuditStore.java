package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.AuditStore;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;

/**
 * The audit log under {@code <prefix>audit/<position>}, one key per entry, the position in 20 decimal digits so that
 * key order is position order.
 * <p>
 * A position is the epoch microsecond it was stamped at, shifted left by {@value #STORE_BITS} bits, with the
 * store's own number in those low bits (drawn at random when the store opens). No key is shared by all writers, so
 * appending never makes two transactions conflict. Guarantees:
 * <ul>
 * <li>unique: two stores differ in their low bits or stamp at different microseconds, and should they ever stamp
 * the same position (same number, same microsecond), the write compares the key as absent, so the second one
 * fails and is stamped anew instead of overwriting;</li>
 * <li>increasing, per store: each position's microsecond is above the last one this store gave and, when it
 * opened, above every position in the log (from the last minute);</li>
 * <li>across stores (processes, nodes), ordered by their clocks: entries stamped on two nodes are ordered by when
 * each node's clock said they happened, so clocks that disagree by a millisecond may order two entries appended
 * within that millisecond either way.</li>
 * </ul>
 * The entry's time is its position's millisecond, so a time range is a range of positions.
 */
final class EtcdAuditStore implements AuditStore {
    /** Low bits of a position that are the store's number. */
    static final int STORE_BITS = 10;
    private static final long MICROS_PER_MILLI = 1000;
    private static final long MICROS_PER_SECOND = 1_000_000;
    /** A window of positions read at a time ({@link #find}): one second at first, narrowed or widened as needed. */
    private static final long FIRST_WINDOW = MICROS_PER_SECOND << STORE_BITS;
    private static final long NARROWEST_WINDOW = MICROS_PER_MILLI << STORE_BITS;
    private static final long WIDEST_WINDOW = Long.MAX_VALUE / 4;
    /** Entries read per request. */
    private static final int PAGE = 64;
    /** Entries deleted per request by {@link #pruneBefore}, so that each delete is short. */
    private static final int PRUNE_CHUNK = 1000;
    private static final int MAX_STAMPS = 16;

    private final EtcdStore store;
    private final EtcdKeys keys;
    private final Clock clock;
    /** This store's number, in the low bits of its positions. */
    private final long storeNumber;
    /** The microsecond of the last position given. */
    private final AtomicLong lastMicros = new AtomicLong();

    EtcdAuditStore(EtcdStore store, EtcdKeys keys) {
        this(store, keys, Clock.systemUTC(), new SecureRandom().nextInt(1 << STORE_BITS));
    }

    /** A log stamping with a clock and a store number of the caller's (the tests': two stores that collide). */
    EtcdAuditStore(EtcdStore store, EtcdKeys keys, Clock clock, long storeNumber) {
        if (storeNumber < 0 || storeNumber >= 1 << STORE_BITS) {
            throw new IllegalArgumentException("a store number is " + STORE_BITS + " bits");
        }
        this.store = store;
        this.keys = keys;
        this.clock = clock;
        this.storeNumber = storeNumber;
    }

    /**
     * Start above the newest position in the log, when that is less than a minute old or in the future (a node whose
     * clock runs ahead wrote it), so this store's positions follow it even if this node's clock is behind.
     */
    void start() {
        String action = "Reading the newest audit log position";
        long recent = Math.max(0, nowMicros() - 60 * MICROS_PER_SECOND) << STORE_BITS;
        // Sorted by etcd, so it reads the range: only the last minute's entries.
        List<KeyValue> newest = store.page(action, keys.audit(recent), EtcdKeys.rangeEnd(keys.audit()), 1, true, 0,
                true).getKvs();
        if (!newest.isEmpty()) {
            long id = keys.auditOf(newest.getFirst().getKey().toString(StandardCharsets.UTF_8));
            lastMicros.accumulateAndGet(id >>> STORE_BITS, Math::max);
        }
    }

    /** The next position: now, or one microsecond above the last given when that is not below now. */
    long nextId() {
        long now = nowMicros();
        long micros = lastMicros.updateAndGet(last -> Math.max(last + 1, now));
        return micros << STORE_BITS | storeNumber;
    }

    /** The entry at the next position, and its time. */
    AuditEntry stamped(AuditEntry entry) {
        long id = nextId();
        return entry.at(id, Instant.ofEpochMilli((id >>> STORE_BITS) / MICROS_PER_MILLI));
    }

    @Override
    public AuditEntry append(AuditEntry entry) {
        String action = "Appending to the audit log";
        // Stamped once, before the first request: a request retried because its answer was lost finds its own entry.
        AuditEntry[] stored = {stamped(entry)};
        return store.apply(StoreOperation.AUDIT_WRITE, action, () -> {
            for (int attempt = 1; attempt <= MAX_STAMPS; attempt++) {
                String key = keys.audit(stored[0].id());
                byte[] value = EtcdValues.audit(stored[0]);
                if (store.commit(action, Map.of(key, 0L), Map.of(key, Optional.of(value))).isSucceeded()
                        || store.get(action, key).filter(kv -> Arrays.equals(kv.getValue().getBytes(), value))
                        .isPresent()) {
                    return stored[0];
                }
                stored[0] = stamped(entry);
            }
            throw new StoreException(StoreException.Reason.CONFLICT, action + " failed: " + MAX_STAMPS
                    + " positions in a row were taken; nothing was changed", null);
        });
    }

    /**
     * {@inheritDoc}
     * <p>
     * Reads windows of positions from the newest down, each newest first, {@value #PAGE} entries a request: etcd
     * sorts a range by reading all of it, so a window is kept small where the log is dense (narrowed when it holds
     * many entries) and widened where it is sparse; below the oldest entry nothing is read.
     */
    @Override
    public List<AuditEntry> find(AuditQuery query) {
        long end = query.below();
        if (query.to().isPresent()) {
            end = Math.min(end, position(query.to().get()));
        }
        long lowest = query.from().map(EtcdAuditStore::position).orElse(0L);
        long top = end;
        String action = "Reading the audit log";
        return store.apply(StoreOperation.AUDIT_READ, action, () -> {
            List<AuditEntry> found = new ArrayList<>();
            long high = top;
            long low = lowest;
            long width = FIRST_WINDOW;
            long revision = 0;
            boolean first = true;
            boolean oldestKnown = false;
            while (found.size() < query.limit() && high > low) {
                // The first window reaches from a second ago up, so it holds what clocks ahead of ours wrote too.
                long start = Math.max(low, (first ? Math.min(high, nowMicros() << STORE_BITS) : high) - width);
                first = false;
                GetResponse page = store.page(action, keys.audit(start), keys.audit(high), PAGE, true, revision,
                        false);
                revision = page.getHeader().getRevision();
                long last = high;
                for (KeyValue kv : page.getKvs()) {
                    last = keys.auditOf(kv.getKey().toString(StandardCharsets.UTF_8));
                    AuditEntry entry = EtcdValues.audit(last, kv.getValue().getBytes());
                    if (query.matches(entry) && found.size() < query.limit()) {
                        found.add(entry);
                    }
                }
                if (page.isMore()) {
                    high = last;
                    if (page.getCount() > 4L * PAGE) {
                        width = Math.max(NARROWEST_WINDOW, width / 4);
                    }
                } else {
                    high = start;
                    if (page.getCount() < PAGE) {
                        width = Math.min(WIDEST_WINDOW, width * 2);
                    }
                    if (!oldestKnown && found.size() < query.limit() && high > low) {
                        oldestKnown = true;
                        low = Math.max(low, oldest(action, revision).orElse(high));
                    }
                }
            }
            return found;
        });
    }

    /** The oldest position in the log: one key, read in key order (which etcd reads without sorting). */
    private Optional<Long> oldest(String action, long revision) {
        List<KeyValue> oldest = store.page(action, keys.audit(), EtcdKeys.rangeEnd(keys.audit()), 1, false, revision,
                true).getKvs();
        return oldest.stream().findFirst().map(kv -> keys.auditOf(kv.getKey().toString(StandardCharsets.UTF_8)));
    }

    /**
     * {@inheritDoc}
     * <p>
     * Positions follow time, so the entries before a time are the range of positions below it: deleted from the
     * oldest, a range delete of at most {@value #PRUNE_CHUNK} entries at a time, between which other writes go on.
     */
    @Override
    public void pruneBefore(Instant before) {
        String action = "Pruning the audit log";
        String end = keys.audit(position(before));
        store.apply(StoreOperation.AUDIT_PRUNE, action, () -> {
            while (true) {
                GetResponse chunk = store.page(action, keys.audit(), end, PRUNE_CHUNK, false, 0, true);
                if (chunk.getKvs().isEmpty()) {
                    return null;
                }
                String through = chunk.isMore()
                        ? chunk.getKvs().getLast().getKey().toString(StandardCharsets.UTF_8) + "\0"
                        : end;
                store.deleteRange(action, keys.audit(), through);
                if (!chunk.isMore()) {
                    return null;
                }
            }
        });
    }

    /** The first position at a time (its first microsecond), saturating at 0 and the highest position. */
    static long position(Instant time) {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        try {
            return Math.multiplyExact(Math.multiplyExact(time.toEpochMilli(), MICROS_PER_MILLI), 1L << STORE_BITS);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * MICROS_PER_SECOND + now.getNano() / 1000;
    }
}
