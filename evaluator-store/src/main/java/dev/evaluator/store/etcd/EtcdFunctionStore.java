package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.StoreOperation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.etcd.jetcd.KeyValue;

/**
 * Function definitions under {@code <prefix>fn/}, and one index key per library under {@code <prefix>bound/} listing
 * the functions bound to it. A definition and the index keys it touches change in one etcd transaction (see
 * {@link EtcdTransaction}).
 */
final class EtcdFunctionStore implements FunctionStore {
    private final EtcdStore store;
    private final EtcdKeys keys;

    EtcdFunctionStore(EtcdStore store, EtcdKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public Optional<FunctionDefinition> find(FunctionId id) {
        String action = "Reading function " + id;
        return store.apply(StoreOperation.FUNCTION_READ, action, () -> store.value(action, keys.function(id))
                .map(value -> EtcdValues.function(id, value)));
    }

    @Override
    public List<FunctionDefinition> list() {
        String action = "Listing functions";
        List<FunctionDefinition> found = store.apply(StoreOperation.FUNCTION_LIST, action, () -> {
            List<FunctionDefinition> functions = new ArrayList<>();
            for (KeyValue kv : store.range(action, keys.functions())) {
                FunctionId id = keys.functionOf(kv.getKey().toString(StandardCharsets.UTF_8));
                functions.add(EtcdValues.function(id, kv.getValue().getBytes()));
            }
            return functions;
        });
        found.sort(FunctionDefinition.ORDER);
        return found;
    }

    @Override
    public List<FunctionDefinition> boundTo(LibraryId library) {
        // A read-only transaction: the index and the definitions it names, read at one revision.
        return store.transaction(StoreOperation.FUNCTION_LIST, "Listing functions bound to library " + library,
                tx -> tx.boundTo(library));
    }

    @Override
    public void upsert(FunctionDefinition definition) {
        store.transaction(StoreOperation.FUNCTION_WRITE, "Writing function " + definition.id(), tx -> {
            tx.upsertFunction(definition);
            return null;
        });
    }

    @Override
    public boolean delete(FunctionId id) {
        return store.transaction(StoreOperation.FUNCTION_DELETE, "Deleting function " + id,
                tx -> tx.deleteFunction(id));
    }
}
