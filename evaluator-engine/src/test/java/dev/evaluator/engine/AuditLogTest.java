package dev.evaluator.engine;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit log's retention, pruned in the background, on real RocksDB. */
class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void entriesOlderThanTheRetention_arePrunedInTheBackground_newerOnesStay() throws InterruptedException {
        try (RocksDbStore store = RocksDbStore.open(dir);
             AuditLog audit = new AuditLog(store, Duration.ofMillis(300), Duration.ofMillis(50))) {
            audit.record("alice", "127.0.0.1", "library.create", "old", AuditEntry.SUCCESS, OptionalLong.of(1), "");
            Thread.sleep(400);
            audit.record("alice", "127.0.0.1", "library.create", "new", AuditEntry.SUCCESS, OptionalLong.of(1), "");

            // The pruner runs every 50 ms: within seconds "old" is gone, while "new" is younger than 300 ms.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (audit.find(AuditQuery.newest(10)).size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            List<String> left = audit.find(AuditQuery.newest(10)).stream().map(AuditEntry::target).toList();
            assertTrue(left.equals(List.of("new")) || left.isEmpty(), left.toString());
            assertTrue(!left.contains("old"), left.toString());
        }
    }

    @Test
    void prune_keepsWhatIsWithinTheRetention() {
        try (RocksDbStore store = RocksDbStore.open(dir);
             AuditLog audit = new AuditLog(store, Duration.ofDays(90), Duration.ofDays(1))) {
            audit.record("alice", "127.0.0.1", "user.create", "bob", AuditEntry.SUCCESS, OptionalLong.empty(), "");

            audit.prune();

            assertEquals(1, audit.find(AuditQuery.newest(10)).size());
        }
    }

    @Test
    void aRetentionThatIsNotPositive_isRefused() {
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> new AuditLog(store, Duration.ZERO,
                    Duration.ofDays(1)));
        }
    }
}
