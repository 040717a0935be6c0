package dev.evaluator.store.etcd;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real etcd members for the tests of one class: started before the first test, killed after the last (a failure
 * too), their data in a temporary directory deleted then. Register as
 * {@code @RegisterExtension static final EtcdExtension etcd = EtcdExtension.members(1);}.
 */
final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
    private final int count;
    private EtcdMembers members;

    private EtcdExtension(int count) {
        this.count = count;
    }

    /**
     * Members forming one cluster.
     *
     * @param count how many
     * @return the extension, to register
     */
    static EtcdExtension members(int count) {
        return new EtcdExtension(count);
    }

    /** The running members. */
    EtcdMembers members() {
        return members;
    }

    /** Options for a store on the members under a prefix (see {@link EtcdMembers#options}). */
    EtcdOptions options(String prefix) {
        return members.options(prefix);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        members = EtcdMembers.startInTemporaryDirectory(count);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        members.close();
    }
}
