package dev.evaluator.engine;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.User;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export and import on real RocksDB and real GraalJS: round trip, modes, validation before anything is applied. */
class LibraryArchiveTest {
    private static final Namespace INVENTORY = Namespace.scoped("travel-sample", "inventory");
    private static final LibraryArchive.ExportOptions ALL = new LibraryArchive.ExportOptions(Optional.empty(), false,
            false);

    @TempDir
    Path dir;

    private RocksDbStore store;
    private JsRuntime runtime;
    private FunctionCatalog catalog;
    private AuditLog audit;
    private LibraryHistory history;
    private LibraryArchive archive;

    @BeforeEach
    void open() {
        store = RocksDbStore.open(dir);
        runtime = JsRuntime.create();
        catalog = new FunctionCatalog(store, runtime, false);
        audit = new AuditLog(store, Duration.ofDays(90), Duration.ofHours(1));
        history = new LibraryHistory(store, catalog, audit, 100);
        archive = new LibraryArchive(store, catalog, audit, 100);
    }

    @AfterEach
    void close() {
        audit.close();
        runtime.close();
        store.close();
    }

    private static LibraryHistory.Edit edit() {
        return new LibraryHistory.Edit("alice", "127.0.0.1", "", LibraryHistory.Precondition.NONE);
    }

    private void seed() {
        history.write(LibraryId.global("math"), "function add(a, b) { return a + b; }", false, edit());
        history.write(new LibraryId(INVENTORY, "geo"), "function km(m) { return m / 1000; }\n// é ✓", false,
                edit());
        catalog.createFunction(new FunctionDefinition(new FunctionId(INVENTORY, "km"), Optional.of(List.of("m")),
                new LibraryId(INVENTORY, "geo"), "km", Instant.now()), "km", false, false);
        catalog.createFunction(new FunctionDefinition(new FunctionId(Namespace.GLOBAL, "plus"), Optional.empty(),
                LibraryId.global("math"), "add", Instant.now()), "plus", false, false);
    }

    private byte[] export(LibraryArchive.ExportOptions options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive.export(options, out);
        return out.toByteArray();
    }

    /** The document without what differs between two exports of the same content: times and checksums. */
    private static String timeless(byte[] document) {
        return new String(document, StandardCharsets.UTF_8)
                .replaceAll("\"(exported|modified|created)\":\"[^\"]*\"", "\"$1\":\"-\"")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\\n$", "}");
    }

    private EngineException refused(byte[] document, LibraryArchive.Mode mode) {
        return assertThrows(EngineException.class, () -> archive.importDocument(document, mode, "bob", "::1"));
    }

    @Test
    void roundTrip_exportFlushImportExport_isTheSameApartFromTimes() {
        seed();
        byte[] first = export(ALL);

        LibraryArchive.Imported done = archive.importDocument(first, LibraryArchive.Mode.FLUSH, "bob", "::1");
        byte[] second = export(ALL);

        assertEquals(new LibraryArchive.Imported(LibraryArchive.Mode.FLUSH, 2, 2, 0, 0, 2, 0), done);
        assertEquals(timeless(first), timeless(second));
        assertTrue(timeless(first).contains("\"code\":\"function km(m) { return m / 1000; }\\n// é ✓\""));
        assertEquals("import", audit.find(AuditQuery.newest(1)).getFirst().action());
        assertEquals("Imported (flush)", history.versions(LibraryId.global("math"), Long.MAX_VALUE, 1).getFirst()
                .message());
    }

    @Test
    void export_ofOneNamespace_withHistory() {
        seed();
        history.write(new LibraryId(INVENTORY, "geo"), "function km(m) { return m / 1e3; }", false, edit());

        String text = new String(export(new LibraryArchive.ExportOptions(Optional.of(INVENTORY), true, false)),
                StandardCharsets.UTF_8);

        assertTrue(text.contains("\"name\":\"geo\""), text);
        assertTrue(!text.contains("\"name\":\"math\"") && !text.contains("\"name\":\"plus\""), text);
        assertTrue(text.contains("\"history\":[{\"version\":2,"), text);
        assertTrue(text.contains("{\"version\":1,"), text);
    }

    @Test
    void import_whoseThousandthLibraryHasASyntaxError_changesNothing() {
        // In the store's order: keep, lib000 ... lib997, zbroken: the 1,000th is the broken one.
        history.write(LibraryId.global("keep"), "function keep() {}", false, edit());
        for (int i = 0; i < 998; i++) {
            history.write(LibraryId.global("lib%03d".formatted(i)), "function f" + i + "() { return " + i + "; }",
                    false, edit());
        }
        history.write(LibraryId.global("zbroken"), "function broken() { return 1; }", false, edit());
        String good = new String(export(ALL), StandardCharsets.UTF_8);
        // The checksums are those of the damaged document, as a tool that wrote it would make them.
        byte[] document = rechecksummed(good.replace("function broken() { return 1; }",
                        "function broken() { return 1 +; }")
                .replace(LibraryHistory.sha256("function broken() { return 1; }"),
                        LibraryHistory.sha256("function broken() { return 1 +; }")));
        for (int i = 0; i < 998; i++) {
            catalog.deleteLibrary(LibraryId.global("lib%03d".formatted(i)));
        }
        catalog.deleteLibrary(LibraryId.global("zbroken"));

        for (LibraryArchive.Mode mode : LibraryArchive.Mode.values()) {
            EngineException e = refused(document, mode);

            assertEquals(EngineException.Kind.IMPORT_INVALID, e.kind(), mode.text());
            assertEquals("libraries[999]", e.field());
            assertTrue(e.getMessage().startsWith("Library [zbroken] (libraries[999], entry 1000 of the document):"
                    + " SyntaxError: "), e.getMessage());
            assertEquals(List.of("keep"), catalog.libraries(Optional.empty()).stream().map(l -> l.id().name())
                    .toList());
        }
        assertTrue(audit.find(AuditQuery.newest(5)).stream().noneMatch(a -> a.action().equals("import")));
    }

    @Test
    void append_refusesCollisions_listingThem_replaceOverwrites() {
        seed();
        byte[] document = export(ALL);

        EngineException e = refused(document, LibraryArchive.Mode.APPEND);
        assertEquals(EngineException.Kind.IMPORT_COLLISION, e.kind());
        assertEquals(List.of("library [geo] in scope travel-sample.inventory", "library [math]",
                "function default:plus", "function default:`travel-sample`.inventory.km"), e.functions());

        history.write(LibraryId.global("math"), "function add(a, b) { return b + a; }", false, edit());
        archive.importDocument(document, LibraryArchive.Mode.REPLACE, "bob", "::1");
        assertEquals("function add(a, b) { return a + b; }", catalog.library(LibraryId.global("math")).code());
    }

    @Test
    void replace_thatWouldBreakAnExistingBinding_isRefused() {
        seed();
        byte[] document = export(ALL);
        String twoFunctions = "function add(a, b) { return a + b; }\nfunction add2(a) { return a + 2; }";
        history.write(LibraryId.global("math"), twoFunctions, false, edit());
        catalog.createFunction(new FunctionDefinition(new FunctionId(Namespace.GLOBAL, "sum"), Optional.empty(),
                LibraryId.global("math"), "add2", Instant.now()), "sum", false, false);

        EngineException e = refused(document, LibraryArchive.Mode.REPLACE);

        assertEquals(EngineException.Kind.IMPORT_INVALID, e.kind());
        assertTrue(e.getMessage().contains("default:sum: Library [math] defines no top-level function named add2"),
                e.getMessage());
        assertEquals(twoFunctions, catalog.library(LibraryId.global("math")).code());
    }

    @Test
    void damagedOrTruncatedDocuments_sayWhere_andChangeNothing() {
        seed();
        byte[] document = export(ALL);
        String text = new String(document, StandardCharsets.UTF_8);
        String before = timeless(export(ALL));

        EngineException truncated = refused(text.substring(0, text.length() / 2).getBytes(StandardCharsets.UTF_8),
                LibraryArchive.Mode.FLUSH);
        assertTrue(truncated.getMessage().startsWith("The document is truncated at line 1, column"),
                truncated.getMessage());
        EngineException tampered = refused(text.replace("return a + b", "return a - b")
                .getBytes(StandardCharsets.UTF_8), LibraryArchive.Mode.FLUSH);
        assertEquals("sha256", tampered.field());
        EngineException library = refused(rechecksummed(text.replace("return a + b", "return a - b")),
                LibraryArchive.Mode.FLUSH);
        // Libraries are exported in the list's order: geo, then math.
        assertEquals("libraries[1]", library.field());
        assertTrue(library.getMessage().contains("does not match its sha256"), library.getMessage());
        EngineException format = refused(rechecksummed(text.replace("\"formatVersion\":1", "\"formatVersion\":2")),
                LibraryArchive.Mode.FLUSH);
        assertEquals("formatVersion", format.field());
        assertEquals(EngineException.Kind.IMPORT_INVALID, refused("[]".getBytes(StandardCharsets.UTF_8),
                LibraryArchive.Mode.FLUSH).kind());
        assertEquals(before, timeless(export(ALL)));
    }

    @Test
    void bindings_thatWouldNotResolve_areRefused() {
        seed();
        String text = new String(export(ALL), StandardCharsets.UTF_8);
        byte[] document = rechecksummed(text.replace("\"object\":\"add\"", "\"object\":\"nosuch\""));

        EngineException e = refused(document, LibraryArchive.Mode.FLUSH);

        assertEquals(EngineException.Kind.IMPORT_INVALID, e.kind());
        assertTrue(e.getMessage().contains("default:plus: Library [math] defines no top-level function named nosuch"),
                e.getMessage());
        assertNotEquals(List.of(), catalog.functions());
    }

    @Test
    void users_withTheirHashes_roundTrip_andNoImportLeavesNoAdministrator() {
        PasswordHasher hasher = new PasswordHasher();
        String carolHash = hasher.hash("carol-password".toCharArray());
        store.users().upsert(new User("carol", carolHash, List.of("ro_admin")));
        byte[] onlyCarol = export(new LibraryArchive.ExportOptions(Optional.empty(), false, true));
        store.users().upsert(new User("root", hasher.hash("root-password".toCharArray()), List.of("admin")));
        byte[] both = export(new LibraryArchive.ExportOptions(Optional.empty(), false, true));
        store.users().delete("carol");

        EngineException collision = refused(both, LibraryArchive.Mode.APPEND);
        assertEquals(List.of("user root"), collision.functions());
        LibraryArchive.Imported done = archive.importDocument(both, LibraryArchive.Mode.REPLACE, "bob", "::1");

        assertEquals(2, done.users());
        assertEquals(carolHash, store.users().find("carol").orElseThrow().passwordHash());
        assertTrue(hasher.verify("carol-password".toCharArray(), store.users().find("carol").orElseThrow()
                .passwordHash()));
        assertTrue(audit.find(AuditQuery.newest(1)).getFirst().detail().endsWith("2 users"));

        // Demoting the only administrator through an import is refused, like any change that leaves none.
        store.users().delete("carol");
        String demoted = new String(both, StandardCharsets.UTF_8).replace("\"roles\":[\"admin\"]",
                "\"roles\":[\"ro_admin\"]");
        EngineException noAdmin = refused(rechecksummed(demoted), LibraryArchive.Mode.REPLACE);
        assertEquals("users", noAdmin.field());
        assertTrue(store.users().find("carol").isEmpty(), "nothing was imported");
        assertEquals(List.of("admin"), store.users().find("root").orElseThrow().roles());
        EngineException badHash = refused(rechecksummed(new String(onlyCarol, StandardCharsets.UTF_8)
                .replace(carolHash, "plain-text-password")), LibraryArchive.Mode.REPLACE);
        assertEquals("users[0]", badHash.field());
    }

    private static final LibraryArchive.ExportOptions HISTORY = new LibraryArchive.ExportOptions(Optional.empty(),
            true, false);

    /** The document without its export time and checksum: all that may differ after a restore with history. */
    private static String withoutExportTime(byte[] document) {
        return new String(document, StandardCharsets.UTF_8).replaceFirst("\"exported\":\"[^\"]*\"", "")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\n$", "}");
    }

    /** Three versions of math (alice, bob with a message, alice), one of geo. */
    private void seedHistory() throws InterruptedException {
        seed();
        Thread.sleep(5);
        history.write(LibraryId.global("math"), "function add(a, b) { return b + a; }", false,
                new LibraryHistory.Edit("bob", "127.0.0.1", "commutative", LibraryHistory.Precondition.NONE));
        Thread.sleep(5);
        history.write(LibraryId.global("math"), "function add(a, b) { return a + b; }\nfunction two() {}", false,
                edit());
    }

    private List<LibraryVersion> versions(LibraryHistory of, LibraryId id) {
        return of.versions(id, Long.MAX_VALUE, 100);
    }

    /** Another server: its own data dir, catalog and archive, with the given retention. */
    private final class Other implements AutoCloseable {
        final RocksDbStore store;
        final JsRuntime runtime = JsRuntime.create();
        final FunctionCatalog catalog;
        final AuditLog audit;
        final LibraryHistory history;
        final LibraryArchive archive;

        Other(String name, int keep) {
            store = RocksDbStore.open(dir.resolve(name));
            catalog = new FunctionCatalog(store, runtime, false);
            audit = new AuditLog(store, Duration.ofDays(90), Duration.ofHours(1));
            history = new LibraryHistory(store, catalog, audit, keep);
            archive = new LibraryArchive(store, catalog, audit, keep);
        }

        byte[] export(LibraryArchive.ExportOptions options) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            archive.export(options, out);
            return out.toByteArray();
        }

        @Override
        public void close() {
            audit.close();
            runtime.close();
            store.close();
        }
    }

    @Test
    void history_intoAnEmptyServer_restoresEveryVersionExactly_andExportsTheSameDocument() throws Exception {
        seedHistory();
        byte[] first = export(HISTORY);
        List<LibraryVersion> before = versions(history, LibraryId.global("math"));

        try (Other other = new Other("empty", 100)) {
            LibraryArchive.Imported done = other.archive.importDocument(first, LibraryArchive.Mode.FLUSH, "carol",
                    "::1");

            assertEquals(new LibraryArchive.Imported(LibraryArchive.Mode.FLUSH, 2, 0, 4, 0, 2, 0), done);
            assertEquals(before, versions(other.history, LibraryId.global("math")));
            assertEquals(List.of(3L, 2L, 1L), before.stream().map(LibraryVersion::number).toList());
            assertEquals(List.of("alice", "bob", "alice"), before.stream().map(LibraryVersion::user).toList());
            assertEquals("commutative", before.get(1).message());
            assertEquals(Optional.of("function add(a, b) { return b + a; }"),
                    other.store.history().code(LibraryId.global("math"), 2));
            assertEquals(withoutExportTime(first), withoutExportTime(other.export(HISTORY)));
            // Numbering goes on from the restored versions.
            assertEquals(4, other.history.write(LibraryId.global("math"), "function add() {}", false, edit())
                    .version().orElseThrow().number());
        }
    }

    @Test
    void history_flushIntoTheServerItCameFrom_changesNoVersion_andExportsTheSameDocument() throws Exception {
        seedHistory();
        byte[] first = export(HISTORY);

        LibraryArchive.Imported done = archive.importDocument(first, LibraryArchive.Mode.FLUSH, "carol", "::1");

        // Flush keeps histories: every version of the document is there already, and ends with the library's code.
        assertEquals(new LibraryArchive.Imported(LibraryArchive.Mode.FLUSH, 2, 0, 0, 0, 2, 0), done);
        assertEquals(withoutExportTime(first), withoutExportTime(export(HISTORY)));
    }

    @Test
    void history_afterTheServerMovedOn_restoresTheCodeAsANewVersion_keepingTheOldNumbers() throws Exception {
        seedHistory();
        byte[] backup = export(HISTORY);
        LibraryId math = LibraryId.global("math");
        history.write(math, "function broken() {}", true, edit());

        LibraryArchive.Imported done = archive.importDocument(backup, LibraryArchive.Mode.REPLACE, "carol", "::1");

        // Versions 1 to 3 are the backup's, untouched; version 4 (the broken one) stays in the history, and the
        // backup's code comes back as version 5, like a rollback.
        assertEquals(new LibraryArchive.Imported(LibraryArchive.Mode.REPLACE, 2, 1, 0, 0, 2, 0), done);
        List<LibraryVersion> now = versions(history, math);
        assertEquals(List.of(5L, 4L, 3L, 2L, 1L), now.stream().map(LibraryVersion::number).toList());
        assertEquals("Imported (replace)", now.getFirst().message());
        assertEquals(now.get(2).sha256(), now.getFirst().sha256());
        assertEquals("function add(a, b) { return a + b; }\nfunction two() {}", catalog.library(math).code());
    }

    @Test
    void history_intoALibraryWithAnotherHistory_isRenumberedAboveIt_keepingOrderTimesUsersAndMessages()
            throws Exception {
        seedHistory();
        byte[] backup = export(HISTORY);
        List<LibraryVersion> source = versions(history, LibraryId.global("math")).reversed();

        try (Other other = new Other("busy", 100)) {
            LibraryId math = LibraryId.global("math");
            other.history.write(math, "function theirs() {}", false, edit());
            other.history.write(math, "function theirs2() {}", false, edit());
            other.catalog.deleteLibrary(math);

            // math was deleted there (no collision), but its history numbers 1 and 2 were given.
            LibraryArchive.Imported done = other.archive.importDocument(backup, LibraryArchive.Mode.APPEND, "carol",
                    "::1");

            assertEquals(new LibraryArchive.Imported(LibraryArchive.Mode.APPEND, 2, 0, 4, 1, 2, 0), done);
            List<LibraryVersion> now = versions(other.history, math).reversed();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), now.stream().map(LibraryVersion::number).toList());
            assertEquals("function theirs() {}", other.store.history().code(math, 1).orElseThrow());
            for (int i = 0; i < 3; i++) {
                LibraryVersion from = source.get(i);
                LibraryVersion to = now.get(i + 2);
                assertEquals(List.of(from.created(), from.user(), from.message(), from.sha256(), from.size()),
                        List.of(to.created(), to.user(), to.message(), to.sha256(), to.size()));
                assertEquals(store.history().code(math, from.number()), other.store.history().code(math,
                        to.number()));
            }
            assertTrue(other.audit.find(AuditQuery.newest(1)).getFirst().detail().contains(
                    "4 versions restored (renumbered in 1 libraries)"));
        }
    }

    /**
     * A backup whose versions are numbered above the target library's, but not right after the versions it keeps:
     * keeping their numbers would leave a gap in its history (retention and purge count on one consecutive run), so
     * they are numbered on after its own.
     */
    @Test
    void history_notContinuingTheKeptVersions_isRenumberedWithoutAGap() throws Exception {
        LibraryId math = LibraryId.global("math");
        try (Other source = new Other("pruned", 2); Other target = new Other("target", 100)) {
            for (int i = 1; i <= 5; i++) {
                source.history.write(math, "function v() { return " + i + "; }", false, edit());
            }
            byte[] backup = source.export(HISTORY);
            target.history.write(math, "function theirs() {}", false, edit());
            target.catalog.deleteLibrary(math);

            LibraryArchive.Imported done = target.archive.importDocument(backup, LibraryArchive.Mode.APPEND,
                    "carol", "::1");

            assertEquals(1, done.renumbered());
            assertEquals(List.of(1L, 2L, 3L), versions(target.history, math).reversed().stream()
                    .map(LibraryVersion::number).toList());
            assertEquals(Optional.of("function v() { return 5; }"), target.store.history().code(math, 3));
            assertEquals(4, target.history.write(math, "function next() {}", false, edit()).version()
                    .orElseThrow().number());
        }
    }

    @Test
    void history_beyondRetention_keepsTheNewest() throws Exception {
        seedHistory();
        byte[] backup = export(HISTORY);

        try (Other other = new Other("small", 2)) {
            LibraryArchive.Imported done = other.archive.importDocument(backup, LibraryArchive.Mode.FLUSH, "carol",
                    "::1");

            assertEquals(3, done.restored(), "math's two newest and geo's one");
            assertEquals(List.of(3L, 2L), versions(other.history, LibraryId.global("math")).stream()
                    .map(LibraryVersion::number).toList());
        }
    }

    @Test
    void damagedVersions_sayWhere_andChangeNothing() throws Exception {
        seedHistory();
        String text = new String(export(HISTORY), StandardCharsets.UTF_8);
        String before = withoutExportTime(export(HISTORY));
        // Libraries are exported in the list's order: geo, then math; math's history is newest first.
        String v2 = "{\"version\":2,";
        assertTrue(text.contains(v2), text);

        EngineException hash = refused(rechecksummed(text.replace("return b + a", "return b - a")),
                LibraryArchive.Mode.FLUSH);
        assertEquals("libraries[1].history[1]", hash.field());
        assertTrue(hash.getMessage().contains("Version 2 of library [math] (libraries[1].history[1]) does not match"
                + " its sha256"), hash.getMessage());
        EngineException twice = refused(rechecksummed(text.replace(v2, "{\"version\":3,")),
                LibraryArchive.Mode.FLUSH);
        assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
        EngineException order = refused(rechecksummed(text.replace(v2, "{\"version\":4,")),
                LibraryArchive.Mode.FLUSH);
        assertTrue(order.getMessage().contains("newest first"), order.getMessage());
        EngineException gap = refused(rechecksummed(text.replace("{\"version\":3,", "{\"version\":4,")),
                LibraryArchive.Mode.FLUSH);
        assertEquals("libraries[1].history[1]", gap.field());
        assertTrue(gap.getMessage().contains("versions 3 to 3 are missing"), gap.getMessage());
        EngineException missing = refused(rechecksummed(text.replaceFirst("\"user\":\"bob\",", "")),
                LibraryArchive.Mode.FLUSH);
        assertEquals("libraries[1].history[1]", missing.field());
        assertTrue(missing.getMessage().contains(".user must be a string"), missing.getMessage());
        EngineException created = refused(rechecksummed(text.replaceFirst("\"created\":\"[^\"]*\"",
                "\"created\":\"yesterday\"")), LibraryArchive.Mode.FLUSH);
        assertTrue(created.getMessage().contains("must be an ISO-8601 instant"), created.getMessage());
        assertEquals(before, withoutExportTime(export(HISTORY)));
    }

    /** The document with its checksum computed again, as for a document damaged before it was checksummed. */
    private static byte[] rechecksummed(String document) {
        String body = document.replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\\n$", "");
        return (body + ",\"sha256\":\"" + LibraryHistory.sha256(body) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
