package dev.evaluator.store.etcd;

import dev.evaluator.store.HistoryStore;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.StoreOperation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.etcd.jetcd.KeyValue;

/**
 * Library versions under three prefixes: {@code history/} (metadata), {@code code/} (the code, read only when asked
 * for) and {@code counter/} (per library the lowest kept and the highest number ever given; a purge keeps the
 * highest, so numbers are never reused). Written only in transactions ({@link EtcdTransaction#appendVersion}), which
 * compare the counter. Pruning removes the oldest and a purge all, so a library's versions are always the
 * consecutive numbers its counter names, or none.
 */
final class EtcdHistoryStore implements HistoryStore {
    private final EtcdStore store;
    private final EtcdKeys keys;

    EtcdHistoryStore(EtcdStore store, EtcdKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public List<LibraryVersion> versions(LibraryId library, long below, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        if (below <= 1) {
            return List.of();
        }
        String action = "Listing versions of library " + library;
        // One range read, sorted newest first by etcd: the range is one library's kept metadata, small.
        return store.apply(StoreOperation.HISTORY_READ, action, () -> {
            List<LibraryVersion> found = new ArrayList<>();
            for (KeyValue kv : store.page(action, keys.versions(library), keys.version(library, below), limit, true,
                    0, false).getKvs()) {
                long number = EtcdKeys.numberOf(kv.getKey().toString(StandardCharsets.UTF_8), keys.versions(library));
                found.add(EtcdValues.version(library, number, kv.getValue().getBytes()));
            }
            return found;
        });
    }

    @Override
    public Optional<LibraryVersion> find(LibraryId library, long number) {
        if (number < 1) {
            return Optional.empty();
        }
        String action = "Reading version " + number + " of library " + library;
        return store.apply(StoreOperation.HISTORY_READ, action, () -> store.get(action, keys.version(library, number))
                .map(kv -> EtcdValues.version(library, number, kv.getValue().getBytes())));
    }

    @Override
    public Optional<String> code(LibraryId library, long number) {
        if (number < 1) {
            return Optional.empty();
        }
        String action = "Reading the code of version " + number + " of library " + library;
        return store.apply(StoreOperation.HISTORY_READ, action, () -> store.get(action, keys.code(library, number))
                .map(kv -> kv.getValue().toString(StandardCharsets.UTF_8)));
    }

    @Override
    public List<LibraryId> libraries() {
        String action = "Listing library histories";
        List<LibraryId> found = store.apply(StoreOperation.HISTORY_READ, action, () -> {
            List<LibraryId> ids = new ArrayList<>();
            for (KeyValue kv : store.range(action, keys.counters())) {
                LibraryId id = keys.counterOf(kv.getKey().toString(StandardCharsets.UTF_8));
                if (EtcdValues.counter(id, kv.getValue().getBytes()).kept()) {
                    ids.add(id);
                }
            }
            return ids;
        });
        // Library.ORDER sorts libraries by LibraryId.ORDER: by name, then bucket, then scope, global first.
        found.sort(LibraryId.ORDER);
        return found;
    }
}
