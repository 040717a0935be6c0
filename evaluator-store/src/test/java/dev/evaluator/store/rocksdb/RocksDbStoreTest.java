package dev.evaluator.store.rocksdb;

import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.User;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class RocksDbStoreTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final String ADD = "function add(a, b) { let data = a + b; return data; }";

    @TempDir
    Path dir;

    @Test
    void open_missingDirectoryWithParents_createsIt() {
        Path nested = dir.resolve("a/b/data");

        try (RocksDbStore store = RocksDbStore.open(nested)) {
            assertTrue(Files.isDirectory(nested));
            assertEquals(nested.toAbsolutePath().normalize(), store.directory());
        }
    }

    @Test
    void directory_unnormalizedPath_returnsAbsoluteNormalized() {
        Path messy = dir.resolve("x/../data");

        try (RocksDbStore store = RocksDbStore.open(messy)) {
            assertEquals(dir.resolve("data").toAbsolutePath(), store.directory());
        }
    }

    @Test
    void open_afterClose_keepsLibrariesAndUsers() {
        User alice = new User("alice", "hash", List.of("admin", "reader"));
        try (Store store = RocksDbStore.open(dir)) {
            store.libraries().upsert(MATH, ADD);
            store.libraries().upsert(LibraryId.global("math"), "// global");
            store.users().upsert(alice);
        }

        try (Store store = RocksDbStore.open(dir)) {
            assertEquals(ADD, store.libraries().find(MATH).orElseThrow().code());
            assertEquals("// global", store.libraries().find(LibraryId.global("math")).orElseThrow().code());
            assertEquals(2, store.libraries().list().size());
            assertEquals(Optional.of(alice), store.users().find("alice"));
        }
    }

    @Test
    void open_afterDeleteAndClose_deletionKept() {
        try (Store store = RocksDbStore.open(dir)) {
            store.libraries().upsert(MATH, ADD);
            store.users().upsert(new User("alice", "hash", List.of()));
        }
        try (Store store = RocksDbStore.open(dir)) {
            assertTrue(store.libraries().delete(MATH));
            assertTrue(store.users().delete("alice"));
        }

        try (Store store = RocksDbStore.open(dir)) {
            assertEquals(List.of(), store.libraries().list());
            assertEquals(List.of(), store.users().list());
        }
    }

    @Test
    void open_newDirectory_writesCurrentSchemaVersion() throws RocksDBException {
        RocksDbStore.open(dir).close();

        byte[] stored = readRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY);

        assertArrayEquals(ByteBuffer.allocate(Integer.BYTES).putInt(RocksDbStore.SCHEMA_VERSION).array(), stored);
    }

    @Test
    void open_schemaOneDirectory_readsItsLibrariesWithoutCounts_andUpgradesTheSchema() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY, version(1));
        byte[] code = ADD.getBytes(StandardCharsets.UTF_8);
        // A schema 1 record: format 0x01, the modification time, the code.
        byte[] record = ByteBuffer.allocate(1 + Long.BYTES + code.length).put((byte) 1).putLong(1_700_000_000_000L)
                .put(code).array();
        writeRaw(dir, "libraries", RocksDbLibraryStore.key(MATH), record);

        try (RocksDbStore store = RocksDbStore.open(dir)) {
            Library library = store.libraries().find(MATH).orElseThrow();
            assertEquals(ADD, library.code());
            assertEquals(1_700_000_000_000L, library.modified().toEpochMilli());
            assertEquals(OptionalInt.empty(), library.functionCount());
        }
        assertArrayEquals(version(2), readRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY));
    }

    @Test
    void open_repeatedlyAfterClose_acceptsItsOwnSchemaRecord() {
        for (int i = 0; i < 3; i++) {
            try (Store store = RocksDbStore.open(dir)) {
                store.libraries().upsert(LibraryId.global("lib" + i), "// " + i);
                assertEquals(i + 1, store.libraries().list().size());
            }
        }
    }

    @Test
    void open_newerSchemaVersion_throwsUnsupportedSchemaAndReleasesDirectory() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY, version(RocksDbStore.SCHEMA_VERSION + 1));

        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(dir));

        assertEquals(StoreException.Reason.UNSUPPORTED_SCHEMA, e.reason());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        // The failed open must have closed its handles, lock included, or this raw open fails.
        writeRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY, version(RocksDbStore.SCHEMA_VERSION));
        RocksDbStore.open(dir).close();
    }

    @Test
    void open_damagedSchemaRecord_throwsCorrupted() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "meta", RocksDbStore.SCHEMA_VERSION_KEY, new byte[] {1, 2});

        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(dir));

        assertEquals(StoreException.Reason.CORRUPTED, e.reason());
    }

    @Test
    void open_damagedStoreInDirectoryWhoseNameContainsLock_isNotReportedAsLocked() throws Exception {
        Path blocks = dir.resolve("BLOCKS");
        RocksDbStore.open(blocks).close();
        try (var files = java.nio.file.Files.list(blocks)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("MANIFEST")).toList()) {
                java.nio.file.Files.delete(file);
            }
        }

        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(blocks));

        assertNotEquals(StoreException.Reason.LOCKED, e.reason(), e.getMessage());
    }

    @Test
    void open_sameDirectoryWhileOpen_throwsLockedNamingDirectoryNotRawRocksDbError() {
        try (RocksDbStore first = RocksDbStore.open(dir)) {
            first.libraries().upsert(MATH, ADD);

            StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(dir));

            assertEquals(StoreException.Reason.LOCKED, e.reason());
            assertTrue(e.getMessage().contains(first.directory().toString()), e.getMessage());
            assertFalse(e.getMessage().contains("org.rocksdb"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            // The first store is unaffected by the failed open.
            assertEquals(ADD, first.libraries().find(MATH).orElseThrow().code());
        }
        try (Store reopened = RocksDbStore.open(dir)) {
            assertEquals(ADD, reopened.libraries().find(MATH).orElseThrow().code());
        }
    }

    @Test
    void open_pathIsRegularFile_throwsNotWritable() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");

        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(file));

        assertEquals(StoreException.Reason.NOT_WRITABLE, e.reason());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void open_parentIsRegularFile_throwsNotWritable() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");

        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(file.resolve("store")));

        assertEquals(StoreException.Reason.NOT_WRITABLE, e.reason());
    }

    @Test
    void open_readOnlyDirectory_throwsNotWritable() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(readOnly), "this user (root?) can write to any directory");

            StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(readOnly));

            assertEquals(StoreException.Reason.NOT_WRITABLE, e.reason());
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static Stream<Arguments> operations() {
        LibraryId id = LibraryId.global("math");
        return Stream.of(
                argumentSet("libraries().list()", (Consumer<Store>) s -> s.libraries().list()),
                argumentSet("libraries().list(namespace)", (Consumer<Store>) s -> s.libraries().list(Namespace.GLOBAL)),
                argumentSet("libraries().find", (Consumer<Store>) s -> s.libraries().find(id)),
                argumentSet("libraries().upsert", (Consumer<Store>) s -> s.libraries().upsert(id, ADD)),
                argumentSet("libraries().delete", (Consumer<Store>) s -> s.libraries().delete(id)),
                argumentSet("users().list()", (Consumer<Store>) s -> s.users().list()),
                argumentSet("users().find", (Consumer<Store>) s -> s.users().find("alice")),
                argumentSet("users().upsert", (Consumer<Store>) s -> s.users().upsert(new User("alice", "h", List.of()))),
                argumentSet("users().delete", (Consumer<Store>) s -> s.users().delete("alice")));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void operation_afterClose_throwsStoreException(Consumer<Store> operation) {
        Store store = RocksDbStore.open(dir);
        store.libraries().upsert(LibraryId.global("math"), ADD);
        store.users().upsert(new User("alice", "h", List.of()));
        store.close();

        StoreException e = assertThrows(StoreException.class, () -> operation.accept(store));

        assertEquals(StoreException.Reason.IO, e.reason());
    }

    @Test
    void close_twice_secondIsNoOp() {
        Store store = RocksDbStore.open(dir);
        store.close();

        store.close();

        RocksDbStore.open(dir).close();
    }

    @Test
    void find_damagedLibraryRecord_throwsCorrupted() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "libraries", RocksDbLibraryStore.key(MATH), new byte[] {0x7f});

        try (Store store = RocksDbStore.open(dir)) {
            StoreException find = assertThrows(StoreException.class, () -> store.libraries().find(MATH));
            assertEquals(StoreException.Reason.CORRUPTED, find.reason());
            StoreException list = assertThrows(StoreException.class, () -> store.libraries().list());
            assertEquals(StoreException.Reason.CORRUPTED, list.reason());
        }
    }

    @Test
    void list_damagedLibraryKey_throwsCorrupted() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "libraries", new byte[] {0x01, 'b', 0x00, 's'}, new byte[] {0x01, 0, 0, 0, 0, 0, 0, 0, 0});

        try (Store store = RocksDbStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> store.libraries().list());
            assertEquals(StoreException.Reason.CORRUPTED, e.reason());
        }
    }

    @Test
    void find_damagedUserRecord_throwsCorrupted() throws RocksDBException {
        RocksDbStore.open(dir).close();
        writeRaw(dir, "users", "alice".getBytes(StandardCharsets.UTF_8), new byte[] {0x01, 0x00});

        try (Store store = RocksDbStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> store.users().find("alice"));
            assertEquals(StoreException.Reason.CORRUPTED, e.reason());
        }
    }

    private static byte[] version(int version) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(version).array();
    }

    private static byte[] readRaw(Path dir, String family, byte[] key) throws RocksDBException {
        return withRawDb(dir, family, (db, handle) -> db.get(handle, key));
    }

    private static void writeRaw(Path dir, String family, byte[] key, byte[] value) throws RocksDBException {
        withRawDb(dir, family, (db, handle) -> {
            db.put(handle, key, value);
            return null;
        });
    }

    private interface RawAction<T> {
        T apply(RocksDB db, ColumnFamilyHandle family) throws RocksDBException;
    }

    /** Open the store's database directly, below the store, to plant records the store would never write. */
    private static <T> T withRawDb(Path dir, String family, RawAction<T> action) throws RocksDBException {
        List<String> names;
        try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
            names = RocksDB.listColumnFamilies(listing, dir.toString()).stream()
                    .map(name -> new String(name, StandardCharsets.UTF_8)).toList();
        }
        List<ColumnFamilyDescriptor> descriptors = names.stream()
                .map(name -> new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)))
                .toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
            try {
                return action.apply(db, handles.get(names.indexOf(family)));
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
