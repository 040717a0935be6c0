/**
 * The store on RocksDB, one process per data directory: {@link dev.evaluator.store.rocksdb.RocksDbStore#open
 * RocksDbStore.open(Path)} is the entry point; everything else here is package-private. Depends on the store API,
 * RocksDB and Caffeine only.
 */
package dev.evaluator.store.rocksdb;
