package dev.evaluator.store.rocksdb;

import dev.evaluator.store.FunctionStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

class RocksDbFunctionStoreTest extends FunctionStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }
}
