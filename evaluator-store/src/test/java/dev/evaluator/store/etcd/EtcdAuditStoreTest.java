package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditStoreContract;
import dev.evaluator.store.Store;

import java.nio.file.Path;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The audit log contract on one real etcd member; each test's directory names its own key prefix. */
class EtcdAuditStoreTest extends AuditStoreContract {
    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    @Override
    protected Store open(Path dir) {
        return EtcdStore.open(etcd.options("/test/" + dir.getFileName() + "/"));
    }
}
