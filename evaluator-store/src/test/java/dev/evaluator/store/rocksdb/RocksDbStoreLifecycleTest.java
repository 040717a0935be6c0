package dev.evaluator.store.rocksdb;

import dev.evaluator.store.LibraryId;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.StoreStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clean close against a crash image, the write probe, statistics, the operation observer, and a damaged store.
 */
class RocksDbStoreLifecycleTest {
    private static final String CODE = "function f() { return 1; }";

    @TempDir
    Path dir;

    @Test
    void open_afterCleanClose_findsNoWriteAheadLogToRecover() {
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            assertEquals(0, store.recoveredLogBytes(), "a new store");
            for (int i = 0; i < 50; i++) {
                store.libraries().upsert(LibraryId.global("lib" + i), CODE);
            }
            store.checkWritable();
        }

        try (RocksDbStore reopened = RocksDbStore.open(dir)) {
            assertEquals(0, reopened.recoveredLogBytes());
            assertEquals(50, reopened.libraries().list().size());
        }
    }

    @Test
    void open_crashImageOfARunningStore_recoversTheLogAndEveryWrite() throws IOException {
        Path image = dir.resolve("image");
        try (RocksDbStore store = RocksDbStore.open(dir.resolve("live"))) {
            for (int i = 0; i < 50; i++) {
                store.libraries().upsert(LibraryId.global("lib" + i), CODE);
            }
            // The files as a crash would leave them: the writes are synced to the log, nothing is flushed.
            copy(store.directory(), image);
        }

        try (RocksDbStore recovered = RocksDbStore.open(image)) {
            assertTrue(recovered.recoveredLogBytes() > 0, "the log holds the unflushed writes");
            assertEquals(50, recovered.libraries().list().size());
        }
    }

    @Test
    void isOpenAndCheckWritable_beforeAndAfterClose() {
        RocksDbStore store = RocksDbStore.open(dir);
        assertTrue(store.isOpen());
        store.checkWritable();

        store.close();

        assertFalse(store.isOpen());
        StoreException e = assertThrows(StoreException.class, store::checkWritable);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(StoreException.class, store::stats);
    }

    @Test
    void stats_reflectWritesFlushesAndFiles() {
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            for (int i = 0; i < 20; i++) {
                store.libraries().upsert(LibraryId.global("lib" + i), CODE.repeat(50));
            }
            StoreStats unflushed = store.stats();
            assertTrue(unflushed.walBytes() > 20 * CODE.length() * 50, unflushed.toString());
            assertTrue(unflushed.memtableBytes() > 0, unflushed.toString());
            assertTrue(unflushed.diskBytes() >= unflushed.walBytes(), unflushed.toString());
            assertEquals(0, unflushed.backgroundErrors());
        }
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            StoreStats flushed = store.stats();
            assertTrue(flushed.sstBytes() > 0, "the close flushed the writes into sorted tables: " + flushed);
            assertEquals(0, flushed.walBytes(), flushed.toString());
            assertTrue(flushed.estimatedKeys() >= 20, flushed.toString());
        }
    }

    @Test
    void observer_seesEachOperationWithItsKindAndOutcome() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RocksDbStore store = RocksDbStore.open(dir, (operation, nanos, failed) -> {
            assertTrue(nanos >= 0);
            seen.add(operation.label() + (failed ? " failed" : ""));
        });
        store.libraries().upsert(LibraryId.global("a"), CODE);
        store.libraries().find(LibraryId.global("a"));
        store.libraries().list();
        store.libraries().delete(LibraryId.global("a"));
        store.users().list();
        store.checkWritable();
        store.close();
        assertThrows(StoreException.class, () -> store.libraries().find(LibraryId.global("a")));

        assertEquals(List.of("library_write", "library_read", "library_list", "library_delete", "user_list",
                "write_probe", "library_read failed"), seen);
        assertEquals("function_list", StoreOperation.FUNCTION_LIST.label());
    }

    @Test
    void open_currentNamesAMissingManifest_throwsCorruptedNamingThePathAndWhatToDo() throws IOException {
        RocksDbStore.open(dir).close();
        Files.writeString(dir.resolve("CURRENT"), "MANIFEST-999999\n");

        assertCorrupted(assertThrows(StoreException.class, () -> RocksDbStore.open(dir)));
    }

    @Test
    void open_garbledManifest_throwsCorruptedNamingThePathAndWhatToDo() throws IOException {
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            store.libraries().upsert(LibraryId.global("a"), CODE);
        }
        Path manifest = dir.resolve(Files.readString(dir.resolve("CURRENT")).strip());
        byte[] bytes = Files.readAllBytes(manifest);
        for (int i = 0; i < bytes.length; i += 3) {
            bytes[i] = (byte) ~bytes[i];
        }
        Files.write(manifest, bytes);

        assertCorrupted(assertThrows(StoreException.class, () -> RocksDbStore.open(dir)));
    }

    private void assertCorrupted(StoreException e) {

        assertEquals(StoreException.Reason.CORRUPTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("restore it from a backup"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("LOCK")) {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        }
    }
}
