package dev.evaluator.store.rocksdb;

import dev.evaluator.store.StoreException;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Weigher;

/**
 * Records recently read from one column family, decoded, so the reads every request makes (the caller's user, the
 * called library) skip RocksDB and decoding.
 * <p>
 * Exact, not eventually consistent: this process is the store's only writer (RocksDB's LOCK file keeps others out),
 * and every write of a key calls {@link #written} after it. A read that raced a write may have read the
 * old record: it counts the writes before, and caches what it read only if none came in since, checked atomically
 * with the write's invalidation of the key. So once a write returns, no later read sees the record it replaced.
 * Absent keys are not cached.
 *
 * @param <K> the key
 * @param <V> the decoded record
 */
final class ReadCache<K, V> {
    private final RocksDbStore store;
    private final Cache<K, V> cache;
    private final AtomicLong writes = new AtomicLong();

    /**
     * @param store         the store, to refuse reads once it is closed
     * @param maximumWeight how much the cache keeps, in the weigher's units; the least recently used goes first
     * @param weigher       the weight of one record
     */
    ReadCache(RocksDbStore store, long maximumWeight, Weigher<K, V> weigher) {
        this.store = store;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumWeight)
                .weigher(weigher)
                // Evictions run on the caller's thread: no background work to outlive the store.
                .executor(Runnable::run)
                .build();
    }

    /**
     * The record of a key: cached, or read.
     *
     * @param key    the key
     * @param action what the read is ("Reading user"), for the error when the store is closed
     * @param read   reads and decodes the record; null when absent
     * @return the record, if present
     * @throws StoreException when the store is closed, or as {@code read} throws
     */
    Optional<V> find(K key, String action, Function<K, V> read) {
        V cached = cache.getIfPresent(key);
        if (cached != null) {
            if (!store.isOpen()) {
                throw new StoreException(StoreException.Reason.IO, action + " " + key + " failed: the store is closed", null);
            }
            return Optional.of(cached);
        }
        long before = writes.get();
        V value = read.apply(key);
        if (value != null) {
            // Atomic per key with written's invalidation: a write that came in while reading (the record read may be
            // the one it replaced) is seen here, or its invalidation comes after this and removes what was cached.
            cache.asMap().compute(key, (k, cachedMeanwhile) -> writes.get() == before ? value : cachedMeanwhile);
        }
        return Optional.ofNullable(value);
    }

    /**
     * Forget a key after a write or delete of it, also one that failed (it may have happened), and mark the write
     * for reads under way.
     *
     * @param key the key written
     */
    void written(K key) {
        writes.incrementAndGet();
        cache.invalidate(key);
    }
}
