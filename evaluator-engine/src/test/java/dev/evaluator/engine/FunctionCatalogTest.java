package dev.evaluator.engine;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The catalog's bookkeeping on real RocksDB and GraalJS. */
class FunctionCatalogTest {
    @TempDir
    Path dir;

    @Test
    void upsertLibrary_countsItsFunctionsOnce_listingThemLaterParsesNothing() {
        LibraryId id = LibraryId.global("math");
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            JsRuntime runtime = JsRuntime.create();
            FunctionCatalog catalog = new FunctionCatalog(store, runtime, false);
            catalog.upsertLibrary(id, "function add(a, b) { return a + b; }\nconst sub = (a, b) => a - b;\nvar x = 1;",
                    false);
            Library stored = store.libraries().find(id).orElseThrow();
            assertEquals(OptionalInt.of(2), stored.functionCount());

            // With the runtime gone, any parse would fail: the count comes from the record.
            runtime.close();
            assertEquals(2, new FunctionCatalog(store, runtime, false).functionCount(stored));
        }
    }
}
