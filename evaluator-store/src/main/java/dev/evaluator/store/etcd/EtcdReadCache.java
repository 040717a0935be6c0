package dev.evaluator.store.etcd;

import dev.evaluator.store.StoreChange;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreListener;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Libraries, functions and users this process read from etcd recently, by key, kept exact by the store's own watch of
 * its prefix: the reads every request makes (the caller's user, the called library, an executed function) skip the
 * round trip to etcd. Only single records read by key are cached; lists, ranges and transactions always read etcd.
 * <p>
 * Every change made by any process reaches the watch within milliseconds and drops its key; a write of this process
 * drops its keys as soon as it returns, so a process always reads its own writes. A read that raced a change (it may
 * have read the record the change replaced) counts the drops before it and caches what it read only if none came in
 * since, checked atomically with the drop of the key: once a change was heard, no later read sees the record it
 * replaced.
 * <p>
 * While the watch is not connected (etcd unreachable, the watch being re-established) changes may go unheard, so the
 * cache is emptied and not used: every read goes to etcd, which answers it linearizably or fails. The cache is used
 * again only once the watch is connected again; {@link #inSync()} says which.
 */
final class EtcdReadCache implements StoreListener {
    private static final System.Logger LOG = System.getLogger(EtcdReadCache.class.getName());
    /** The cost of a cached record besides its key's and value's bytes. */
    private static final int ENTRY_OVERHEAD = 64;

    private final EtcdKeys keys;
    private final Cache<String, byte[]> values;
    /** Drops so far (changes heard, writes made, reconnections): a read that overlapped one is not cached. */
    private final AtomicLong drops = new AtomicLong();
    private volatile boolean inSync;
    /** Whether the watch was ever connected: the first connection is not news. */
    private boolean everConnected;
    /** Reads answered from the cache. */
    private final LongAdder hits = new LongAdder();

    /**
     * @param keys         the store's key layout, to find the key of a change
     * @param maximumBytes how many bytes of keys and values it keeps at most; the least recently used go first
     */
    EtcdReadCache(EtcdKeys keys, long maximumBytes) {
        this.keys = keys;
        this.values = Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher((String key, byte[] value) -> ENTRY_OVERHEAD + 2 * key.length() + value.length)
                // Evictions run on the caller's thread: no background work to outlive the store.
                .executor(Runnable::run)
                .build();
    }

    /**
     * A key's value: cached, or read (and cached when nothing changed meanwhile and the watch is connected).
     *
     * @param key  the key
     * @param read reads the value from etcd; empty when the key is absent (absent keys are not cached)
     * @return the value, if the key is present
     */
    Optional<byte[]> find(String key, Supplier<Optional<byte[]>> read) {
        if (!inSync) {
            return read.get();
        }
        byte[] cached = values.getIfPresent(key);
        if (cached != null) {
            hits.increment();
            return Optional.of(cached);
        }
        long before = drops.get();
        Optional<byte[]> value = read.get();
        if (value.isPresent() && inSync) {
            // Atomic per key with drop(): a change heard while reading is seen here, or its drop comes after this
            // and removes what was cached.
            values.asMap().compute(key, (k, meanwhile) -> drops.get() == before ? value.get() : meanwhile);
        }
        return value;
    }

    /**
     * Forget keys this process wrote or deleted, also by a write that failed (it may have been applied).
     *
     * @param keys the keys
     */
    void written(Collection<String> keys) {
        drops.incrementAndGet();
        keys.forEach(values::invalidate);
    }

    /**
     * Whether the watch is connected, so that cached records are current (within the time a change takes to be
     * heard). False from a break until the watch is established again.
     *
     * @return true while the cache is used
     */
    boolean inSync() {
        return inSync;
    }

    /** Reads answered from the cache so far. */
    long hits() {
        return hits.sum();
    }

    @Override
    public void connected(boolean historyLost) {
        drops.incrementAndGet();
        values.invalidateAll();
        if (!inSync) {
            inSync = true;
            if (everConnected) {
                LOG.log(Level.INFO, "Watching etcd again: reads are served from the cache");
            }
            everConnected = true;
        }
    }

    @Override
    public void changed(StoreChange change) {
        drops.incrementAndGet();
        values.invalidate(switch (change) {
            case StoreChange.LibraryChanged library -> keys.library(library.id());
            case StoreChange.FunctionChanged function -> keys.function(function.id());
            case StoreChange.UserChanged user -> keys.user(user.name());
        });
    }

    @Override
    public void disconnected(StoreException cause) {
        if (inSync) {
            LOG.log(Level.WARNING, "Lost the watch of etcd (" + cause.getMessage() + "): until it is back,"
                    + " changes of other nodes may go unheard, so every read goes to etcd");
        }
        inSync = false;
        drops.incrementAndGet();
        values.invalidateAll();
    }
}
