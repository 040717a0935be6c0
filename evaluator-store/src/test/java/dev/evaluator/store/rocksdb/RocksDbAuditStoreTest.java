package dev.evaluator.store.rocksdb;

import dev.evaluator.store.AuditStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

class RocksDbAuditStoreTest extends AuditStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }
}
