package dev.evaluator.store.rocksdb;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Function definitions in their column family, keyed like libraries (see {@link Keys}), and the index of bindings
 * in another: {@code <library key> 0x00 <function key>} with an empty value, so the functions bound to a library are
 * one prefix scan. A definition and its index entry are written in one batch, by a {@link RocksDbTransaction}.
 * <p>
 * Values: a format byte, the variadic flag, the parameter names, the library's key, the object name and the
 * creation time, in {@link DataOutputStream} encoding.
 */
final class RocksDbFunctionStore implements FunctionStore {
    /** Format 1 had no library path; format 2 ends with it. Both are read. */
    private static final byte FORMAT_WITHOUT_PATH = 0x01;
    private static final byte VALUE_FORMAT = 0x02;

    private final RocksDbStore store;
    private final ColumnFamilyHandle functions;
    private final ColumnFamilyHandle bindings;

    RocksDbFunctionStore(RocksDbStore store, ColumnFamilyHandle functions, ColumnFamilyHandle bindings) {
        this.store = store;
        this.functions = functions;
        this.bindings = bindings;
    }

    @Override
    public Optional<FunctionDefinition> find(FunctionId id) {
        byte[] value = store.apply(StoreOperation.FUNCTION_READ, "Reading function " + id,
                (db, writes) -> db.get(functions, key(id)));
        return value == null ? Optional.empty() : Optional.of(decode(id, value));
    }

    @Override
    public List<FunctionDefinition> list() {
        List<FunctionDefinition> result = store.apply(StoreOperation.FUNCTION_LIST, "Listing functions",
                (db, writes) -> {
                    List<FunctionDefinition> found = new ArrayList<>();
                    try (RocksIterator it = db.newIterator(functions)) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            byte[] key = it.key();
                            found.add(decode(decodeKey(key, 0, key.length), it.value()));
                        }
                        it.status();
                    }
                    return found;
                });
        result.sort(FunctionDefinition.ORDER);
        return result;
    }

    @Override
    public List<FunctionDefinition> boundTo(LibraryId library) {
        byte[] prefix = bindingPrefix(library);
        List<FunctionDefinition> result = store.apply(StoreOperation.FUNCTION_LIST,
                "Listing functions bound to library " + library, (db, writes) -> {
                    List<FunctionDefinition> found = new ArrayList<>();
                    try (RocksIterator it = db.newIterator(bindings)) {
                        for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                            byte[] key = it.key();
                            FunctionId id = decodeKey(key, prefix.length, key.length);
                            byte[] value = db.get(functions, key(id));
                            if (value != null) {
                                found.add(decode(id, value));
                            }
                        }
                        it.status();
                    }
                    return found;
                });
        result.sort(FunctionDefinition.ORDER);
        return result;
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

    static byte[] key(FunctionId id) {
        return Keys.key(id.namespace(), id.name());
    }

    /** The keys of the functions bound to a library start with this. */
    static byte[] bindingPrefix(LibraryId library) {
        return Keys.concat(RocksDbLibraryStore.key(library), new byte[] {Keys.SEPARATOR});
    }

    static byte[] bindingKey(LibraryId library, byte[] functionKey) {
        return Keys.concat(bindingPrefix(library), functionKey);
    }

    static FunctionId decodeKey(byte[] key, int from, int to) {
        Keys.Decoded decoded = Keys.decode(key, from, to);
        return new FunctionId(decoded.namespace(), decoded.name());
    }

    static byte[] encode(FunctionDefinition definition) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VALUE_FORMAT);
            out.writeBoolean(definition.variadic());
            List<String> parameters = definition.parameters().orElse(List.of());
            out.writeInt(parameters.size());
            for (String parameter : parameters) {
                out.writeUTF(parameter);
            }
            byte[] library = RocksDbLibraryStore.key(definition.library());
            out.writeInt(library.length);
            out.write(library);
            out.writeUTF(definition.object());
            out.writeLong(definition.created().toEpochMilli());
            out.writeUTF(definition.libraryPath());
        } catch (IOException e) {
            throw new IllegalStateException("Writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static FunctionDefinition decode(FunctionId id, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte format = in.readByte();
            if (format != VALUE_FORMAT && format != FORMAT_WITHOUT_PATH) {
                throw new IOException("unknown format");
            }
            boolean variadic = in.readBoolean();
            int count = in.readInt();
            List<String> parameters = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                parameters.add(in.readUTF());
            }
            byte[] library = in.readNBytes(in.readInt());
            String object = in.readUTF();
            Instant created = Instant.ofEpochMilli(in.readLong());
            LibraryId libraryId = RocksDbLibraryStore.decodeKey(library);
            String path = format == VALUE_FORMAT ? in.readUTF() : FunctionDefinition.defaultPath(libraryId);
            return new FunctionDefinition(id, variadic ? Optional.empty() : Optional.of(parameters), libraryId,
                    object, created, path);
        } catch (IOException | RuntimeException e) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of function " + id, e);
        }
    }
}
