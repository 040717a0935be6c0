package dev.evaluator.store.etcd;

import dev.evaluator.store.LibraryStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The library store contract on one real etcd member; each test's directory names its own key prefix. */
class EtcdLibraryStoreTest extends LibraryStoreContract {
    @TempDir
    static Path etcdDir;
    private static EtcdMembers etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdMembers.start(etcdDir, 1);
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    @Override
    protected Store open(Path dir) {
        return EtcdStore.open(etcd.options("/test/" + dir.getFileName() + "/"));
    }
}
