package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.FunctionCatalog;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code evaluator export} and {@code evaluator import} on data directories, with real RocksDB and GraalJS. */
class ArchiveCommandTest {
    @TempDir
    Path from;
    @TempDir
    Path to;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ArchiveCommand.run(args, Map.of(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void seed(Path dir) {
        try (RocksDbStore store = RocksDbStore.open(dir); JsRuntime runtime = JsRuntime.create();
             AuditLog audit = new AuditLog(store, Duration.ofDays(1), Duration.ofDays(1))) {
            new LibraryHistory(store, new FunctionCatalog(store, runtime, false), audit, 10)
                    .write(LibraryId.global("math"), "function add(a, b) { return a + b; }", false,
                            new LibraryHistory.Edit("alice", "127.0.0.1", "", LibraryHistory.Precondition.NONE));
        }
    }

    @Test
    void export_thenImportIntoAnotherDirectory_thenAppendAgainCollides() {
        seed(from);

        Run export = run("", "export", "--data-dir", from.toString());
        Run imported = run(export.out(), "import", "--data-dir", to.toString(), "--mode", "append");
        Run again = run(export.out(), "import", "--data-dir", to.toString());

        assertEquals(0, export.code(), export.err());
        assertTrue(export.out().startsWith("{\"format\":\"evaluator-export\",\"formatVersion\":1,"), export.out());
        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.err().startsWith("evaluator import: 1 libraries (1 new versions), 0 functions and 0 users"),
                imported.err());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("Import in append mode refused: 1 name(s) exist already"), again.err());
        Run second = run("", "export", "--data-dir", to.toString());
        assertTrue(second.out().contains("\"code\":\"function add(a, b) { return a + b; }\""), second.out());
    }

    @Test
    void export_withHistory_thenImport_restoresTheVersions() {
        seed(from);

        Run export = run("", "export", "--data-dir", from.toString(), "--history");
        Run imported = run(export.out(), "import", "--data-dir", to.toString(), "--mode", "flush");
        Run second = run("", "export", "--data-dir", to.toString(), "--history");

        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.err().startsWith("evaluator import: 1 libraries (0 new versions, 1 restored), 0 functions"),
                imported.err());
        assertEquals(export.out().replaceFirst("\"exported\":\"[^\"]*\"", "").replaceAll(
                ",\"sha256\":\"[0-9a-f]{64}\"}\n$", ""), second.out().replaceFirst("\"exported\":\"[^\"]*\"", "")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\n$", ""));
        assertTrue(second.out().contains("\"history\":[{\"version\":1,"), second.out());
        assertTrue(second.out().contains("\"user\":\"alice\""), second.out());
    }

    @Test
    void aRunningServersDirectory_isRefused_nothingWritten() {
        seed(from);
        RocksDbStore running = RocksDbStore.open(from);
        try {
            Run export = run("", "export", "--data-dir", from.toString());

            assertEquals(1, export.code());
            assertTrue(export.err().contains("is in use"), export.err());
            assertEquals("", export.out());
            assertTrue(running.isOpen());
        } finally {
            running.close();
        }
    }

    @Test
    void badUsage_exitCode2() {
        assertEquals(2, run("", "export", "--mode", "flush").code());
        assertEquals(2, run("", "import", "--data-dir", to.toString(), "--mode", "sideways").code());
        assertEquals(2, run("", "export", "--frobnicate").code());
        assertEquals(2, run("", "export", "--data-dir", to.toString(), "--bucket", "b").code());
        Run damaged = run("{\"format\":", "import", "--data-dir", to.toString());
        assertEquals(1, damaged.code());
        assertTrue(damaged.err().contains("The document is truncated"), damaged.err());
    }
}
