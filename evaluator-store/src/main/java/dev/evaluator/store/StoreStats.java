package dev.evaluator.store;

/**
 * A snapshot of a store's size and background work, for monitoring.
 *
 * @param diskBytes              every file in the data directory, logs and lock included
 * @param sstBytes               the live sorted tables (the data once flushed)
 * @param walBytes               the write-ahead log files not yet made obsolete by flushes
 * @param memtableBytes          data held in memory, not yet flushed to sorted tables
 * @param pendingCompactionBytes RocksDB's estimate of the bytes compaction still has to rewrite
 * @param compactionPending      whether RocksDB thinks a compaction is needed
 * @param runningCompactions     compactions running now
 * @param backgroundErrors       background errors (failed flushes or compactions) since the store was opened; the
 *                               store refuses writes after one
 * @param estimatedKeys          RocksDB's estimate of the number of records
 */
public record StoreStats(long diskBytes, long sstBytes, long walBytes, long memtableBytes,
                         long pendingCompactionBytes, boolean compactionPending, long runningCompactions,
                         long backgroundErrors, long estimatedKeys) {
}
