package dev.evaluator.store.etcd;

import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.User;
import dev.evaluator.store.UserStore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users under {@code <prefix>user/<name>}. Each change is one key: a put, or a delete whose count says whether the
 * user existed.
 */
final class EtcdUserStore implements UserStore {
    private final EtcdStore store;
    private final EtcdKeys keys;

    EtcdUserStore(EtcdStore store, EtcdKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public Optional<User> find(String name) {
        String action = "Reading user " + name;
        return store.apply(StoreOperation.USER_READ, action, () -> store.value(action, keys.user(name))
                .map(value -> EtcdValues.user(name, value)));
    }

    @Override
    public List<User> list() {
        String action = "Listing users";
        // Key order is the names' UTF-8 byte order, which is their code point order, as RocksDB lists them.
        return store.apply(StoreOperation.USER_LIST, action, () -> store.range(action, keys.users()).stream()
                .map(kv -> {
                    String name = keys.userOf(kv.getKey().toString(StandardCharsets.UTF_8));
                    return EtcdValues.user(name, kv.getValue().getBytes());
                })
                .toList());
    }

    @Override
    public void upsert(User user) {
        String action = "Writing user " + user.name();
        store.apply(StoreOperation.USER_WRITE, action, () -> store.commit(action, Map.of(),
                Map.of(keys.user(user.name()), Optional.of(EtcdValues.user(user)))));
    }

    @Override
    public boolean delete(String name) {
        String action = "Deleting user " + name;
        return store.apply(StoreOperation.USER_DELETE, action, () -> store.commit(action, Map.of(),
                Map.of(keys.user(name), Optional.empty())).getDeleteResponses().getFirst().getDeleted() > 0);
    }
}
