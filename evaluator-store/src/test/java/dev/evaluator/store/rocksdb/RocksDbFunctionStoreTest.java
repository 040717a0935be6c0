package dev.evaluator.store.rocksdb;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStoreContract;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RocksDbFunctionStoreTest extends FunctionStoreContract {
    @Override
    protected Store open(Path dir) {
        return RocksDbStore.open(dir);
    }

    /** Records written before the library path was kept still read, with the path that names their library. */
    @Test
    void decode_formatWithoutPath_readsWithTheDefaultPath() throws IOException {
        LibraryId library = new LibraryId(Namespace.scoped("b", "s"), "lib");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0x01);
            out.writeBoolean(false);
            out.writeInt(1);
            out.writeUTF("x");
            byte[] key = RocksDbLibraryStore.key(library);
            out.writeInt(key.length);
            out.write(key);
            out.writeUTF("f");
            out.writeLong(0);
        }
        FunctionDefinition decoded = RocksDbFunctionStore.decode(new FunctionId(Namespace.scoped("b", "s"), "g"),
                bytes.toByteArray());
        assertEquals(library, decoded.library());
        assertEquals(List.of("x"), decoded.parameters().orElseThrow());
        assertEquals("b/s/lib", decoded.libraryPath());
    }
}
