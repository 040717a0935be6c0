package dev.evaluator.store.rocksdb;

import dev.evaluator.store.Store;
import dev.evaluator.store.UserStoreContract;

import java.nio.file.Path;

class RocksDbUserStoreTest extends UserStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }
}
