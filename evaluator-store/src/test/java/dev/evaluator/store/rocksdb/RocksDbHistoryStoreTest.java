package dev.evaluator.store.rocksdb;

import dev.evaluator.store.HistoryStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

class RocksDbHistoryStoreTest extends HistoryStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }
}
