package dev.evaluator.store.rocksdb;

import dev.evaluator.store.LibraryStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

class RocksDbLibraryStoreTest extends LibraryStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }
}
