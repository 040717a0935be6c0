package dev.evaluator.store.etcd;

import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreOperation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.etcd.jetcd.KeyValue;

/**
 * Libraries under {@code <prefix>lib/}: a namespace's libraries are the one range under its path. Lists ask etcd;
 * a read of one library is served by the store's read cache when it has one (see {@link EtcdReadCache}).
 */
final class EtcdLibraryStore implements LibraryStore {
    private final EtcdStore store;
    private final EtcdKeys keys;

    EtcdLibraryStore(EtcdStore store, EtcdKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public List<Library> list() {
        return scan(keys.libraries());
    }

    @Override
    public List<Library> list(Namespace namespace) {
        return scan(keys.libraries(namespace));
    }

    @Override
    public Optional<Library> find(LibraryId id) {
        String action = "Reading library " + id;
        return store.apply(StoreOperation.LIBRARY_READ, action, () -> store.value(action, keys.library(id))
                .map(value -> EtcdValues.library(id, value)));
    }

    @Override
    public Library upsert(LibraryId id, String code) {
        return store.transaction(StoreOperation.LIBRARY_WRITE, "Writing library " + id,
                tx -> tx.upsertLibrary(id, code));
    }

    @Override
    public boolean delete(LibraryId id) {
        return store.transaction(StoreOperation.LIBRARY_DELETE, "Deleting library " + id,
                tx -> tx.deleteLibrary(id));
    }

    private List<Library> scan(String prefix) {
        String action = "Listing libraries";
        List<Library> found = store.apply(StoreOperation.LIBRARY_LIST, action, () -> {
            List<Library> libraries = new ArrayList<>();
            for (KeyValue kv : store.range(action, prefix)) {
                LibraryId id = keys.libraryOf(kv.getKey().toString(StandardCharsets.UTF_8));
                libraries.add(EtcdValues.library(id, kv.getValue().getBytes()));
            }
            return libraries;
        });
        found.sort(Library.ORDER);
        return found;
    }
}
