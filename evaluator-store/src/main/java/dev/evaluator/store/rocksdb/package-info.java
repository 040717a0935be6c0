/**
 * The RocksDB implementation of the store API, one process per data directory: {@code RocksDbStore.open} is the
 * entry point; everything else here is package-private. One database with a column family per record kind, synced
 * writes, exact read caches, RocksDB exceptions wrapped once into {@code StoreException}, native handles closed in
 * reverse order.
 * <p>
 * May depend on {@code dev.evaluator.store}, rocksdbjni and Caffeine only.
 */
package dev.evaluator.store.rocksdb;
