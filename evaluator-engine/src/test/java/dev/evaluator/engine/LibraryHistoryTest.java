package dev.evaluator.engine;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.runtime.JsSyntaxException;
import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library lifecycle's rules on real RocksDB and real GraalJS. */
class LibraryHistoryTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final String V1 = "function add(a, b) { return a + b; }\n";
    private static final String V2 = "function add(a, b) { return a + b; }\nfunction sub(a, b) { return a - b; }\n";
    private static final String V3 = "function sub(a, b) { return a - b; }\n";

    @TempDir
    Path dir;

    private RocksDbStore store;
    private JsRuntime runtime;
    private FunctionCatalog catalog;
    private AuditLog audit;
    private LibraryHistory history;

    @BeforeEach
    void open() {
        store = RocksDbStore.open(dir);
        runtime = JsRuntime.create();
        catalog = new FunctionCatalog(store, runtime, false);
        audit = new AuditLog(store, Duration.ofDays(90), Duration.ofHours(1));
        history = new LibraryHistory(store, catalog, audit, 5);
    }

    @AfterEach
    void close() {
        audit.close();
        runtime.close();
        store.close();
    }

    private static LibraryHistory.Edit by(String user) {
        return new LibraryHistory.Edit(user, "127.0.0.1", "", LibraryHistory.Precondition.NONE);
    }

    private static LibraryHistory.Edit ifMatch(String etag) {
        return new LibraryHistory.Edit("alice", "127.0.0.1", "",
                new LibraryHistory.Precondition.IfMatch(List.of(etag)));
    }

    private List<Long> numbers() {
        return history.versions(MATH, Long.MAX_VALUE, 1000).stream().map(LibraryVersion::number).toList();
    }

    private List<String> actions() {
        return audit.find(AuditQuery.newest(100)).stream().map(e -> e.action() + " " + e.outcome() + " "
                + (e.version().isPresent() ? e.version().getAsLong() : "-")).toList();
    }

    @Test
    void write_makesAVersionPerChange_identicalCodeMakesNone() {
        LibraryHistory.Written first = history.write(MATH, V1, false,
                new LibraryHistory.Edit("alice", "10.0.0.1", "first", LibraryHistory.Precondition.NONE));
        LibraryHistory.Written again = history.write(MATH, V1, false, by("bob"));
        LibraryHistory.Written second = history.write(MATH, V2, false, by("bob"));

        assertTrue(first.created());
        assertFalse(again.created());
        assertEquals(first.version(), again.version());
        assertEquals(first.etag(), again.etag());
        assertEquals(List.of(2L, 1L), numbers());
        LibraryVersion v1 = history.version(MATH, 1).version();
        assertEquals("alice", v1.user());
        assertEquals("first", v1.message());
        assertEquals(LibraryHistory.sha256(V1), v1.sha256());
        assertEquals("\"" + LibraryHistory.sha256(V2) + "\"", second.etag());
        assertEquals(LibraryHistory.etag(catalog.library(MATH)), second.etag());
        assertEquals(List.of("library.replace success 2", "library.replace success 1", "library.create success 1"),
                actions());
        AuditEntry create = audit.find(AuditQuery.newest(100)).getLast();
        assertEquals("alice", create.user());
        assertEquals("10.0.0.1", create.client());
        assertEquals("travel-sample/inventory/math", create.target());
    }

    @Test
    void write_withASyntaxError_changesNothing_andRecordsNothing() {
        history.write(MATH, V1, false, by("alice"));

        assertThrows(JsSyntaxException.class, () -> history.write(MATH, "function (", false, by("alice")));

        assertEquals(List.of(1L), numbers());
        assertEquals(V1, catalog.library(MATH).code());
        assertEquals(1, actions().size());
    }

    @Test
    void retention_prunesBeyondTheNewestKeep() {
        for (int i = 1; i <= 8; i++) {
            history.write(MATH, "function f" + i + "() {}", false, by("alice"));
        }

        assertEquals(List.of(8L, 7L, 6L, 5L, 4L), numbers());
        EngineException gone = assertThrows(EngineException.class, () -> history.version(MATH, 3));
        assertEquals(EngineException.Kind.VERSION_NOT_FOUND, gone.kind());
    }

    @Test
    void rollback_makesANewVersionWithTheOldCode() {
        history.write(MATH, V1, false, by("alice"));
        history.write(MATH, V2, false, by("alice"));

        LibraryHistory.Written rolled = history.rollback(MATH, 1, false, by("bob"));

        assertEquals(3, rolled.version().orElseThrow().number());
        assertEquals(V1, catalog.library(MATH).code());
        assertEquals("Rollback to version 1", history.version(MATH, 3).version().message());
        assertEquals("library.rollback success 3", actions().getFirst());
        assertEquals(EngineException.Kind.VERSION_NOT_FOUND, assertThrows(EngineException.class,
                () -> history.rollback(MATH, 9, false, by("bob"))).kind());
    }

    @Test
    void rollback_goesThroughTheBindingGuard_unlessForced() {
        history.write(MATH, V3, false, by("alice"));
        history.write(MATH, V2, false, by("alice"));
        catalog.createFunction(new FunctionDefinition(new FunctionId(MATH.namespace(), "adder"),
                Optional.of(List.of("a", "b")), MATH, "add", Instant.now()), "adder", false, false);

        EngineException refused = assertThrows(EngineException.class,
                () -> history.rollback(MATH, 1, false, by("alice")));
        assertEquals(EngineException.Kind.BINDING_BROKEN, refused.kind());
        assertEquals(V2, catalog.library(MATH).code());
        assertEquals(List.of(2L, 1L), numbers());

        history.rollback(MATH, 1, true, by("alice"));
        assertEquals(V3, catalog.library(MATH).code());
        AuditEntry forced = audit.find(AuditQuery.newest(1)).getFirst();
        assertEquals("to version 1; forced, broken bindings kept: default:`travel-sample`.inventory.adder",
                forced.detail());
    }

    @Test
    void ifMatch_appliesOnlyToTheCurrentETag() {
        String etag = history.write(MATH, V1, false, by("alice")).etag();
        history.write(MATH, V2, false, ifMatch(etag));

        EngineException stale = assertThrows(EngineException.class, () -> history.write(MATH, V3, false,
                ifMatch(etag)));

        assertEquals(EngineException.Kind.PRECONDITION_FAILED, stale.kind());
        assertEquals(LibraryHistory.etag(catalog.library(MATH)), stale.field());
        assertEquals(V2, catalog.library(MATH).code());
        assertEquals(EngineException.Kind.PRECONDITION_FAILED, assertThrows(EngineException.class,
                () -> history.delete(MATH, false, ifMatch(etag))).kind());
        assertTrue(catalog.findLibrary(MATH).isPresent());
        history.delete(MATH, false, ifMatch("*"));
        assertTrue(catalog.findLibrary(MATH).isEmpty());
    }

    @Test
    void ifNoneMatchStar_createsOnly() {
        LibraryHistory.Edit createOnly = new LibraryHistory.Edit("alice", "127.0.0.1", "",
                new LibraryHistory.Precondition.IfAbsent());
        history.write(MATH, V1, false, createOnly);

        EngineException exists = assertThrows(EngineException.class, () -> history.write(MATH, V2, false,
                createOnly));

        assertEquals(EngineException.Kind.PRECONDITION_FAILED, exists.kind());
        assertEquals(V1, catalog.library(MATH).code());
    }

    @Test
    void delete_keepsTheHistory_restoredByRollback_purgeRemovesIt() {
        history.write(MATH, V1, false, by("alice"));
        history.write(MATH, V2, false, by("alice"));
        history.delete(MATH, false, by("alice"));

        assertEquals(List.of(2L, 1L), numbers());
        List<LibraryHistory.HistorySummary> deleted = history.histories(true, Optional.empty());
        assertEquals(1, deleted.size());
        assertEquals(2, deleted.getFirst().latest().number());

        history.rollback(MATH, 2, false, by("alice"));
        assertEquals(V2, catalog.library(MATH).code());
        assertEquals(List.of(3L, 2L, 1L), numbers());
        assertEquals(List.of(), history.histories(true, Optional.empty()));

        history.delete(MATH, true, by("alice"));
        assertTrue(catalog.findLibrary(MATH).isEmpty());
        assertEquals(EngineException.Kind.LIBRARY_NOT_FOUND, assertThrows(EngineException.class,
                () -> history.versions(MATH, Long.MAX_VALUE, 10)).kind());
        assertEquals("library.purge success 3", actions().getFirst());
        // Numbers are never reused, also after a purge.
        assertEquals(4, history.write(MATH, V1, false, by("alice")).version().orElseThrow().number());
    }

    @Test
    void purge_ofADeletedLibrary_removesItsHistory() {
        history.write(MATH, V1, false, by("alice"));
        history.delete(MATH, false, by("alice"));

        history.delete(MATH, true, by("alice"));

        assertEquals(List.of(), history.histories(false, Optional.empty()));
        assertEquals(EngineException.Kind.LIBRARY_NOT_FOUND, assertThrows(EngineException.class,
                () -> history.delete(MATH, true, by("alice"))).kind());
    }

    @Test
    void diff_isUnified_withHunks() {
        history.write(MATH, V1, false, by("alice"));
        history.write(MATH, V2, false, by("alice"));

        LibraryHistory.Diff diff = history.diff(MATH, 1, 2);

        assertEquals("--- travel-sample/inventory/math@1\n+++ travel-sample/inventory/math@2\n@@ -1,1 +1,2 @@\n"
                + " function add(a, b) { return a + b; }\n+function sub(a, b) { return a - b; }\n", diff.unified());
        assertEquals(List.of(new LibraryHistory.Hunk(1, 1, 1, 2, List.of(" function add(a, b) { return a + b; }",
                "+function sub(a, b) { return a - b; }"))), diff.hunks());
        assertEquals("", history.diff(MATH, 2, 2).unified());
    }
}
