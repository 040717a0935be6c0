package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit log written from two processes (two stores, each with its own client, on one prefix), and read over
 * entries spread across months, which {@link EtcdAuditStore#find} reads in windows of positions.
 */
class EtcdAuditTest {
    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private EtcdStore nodeA;
    private EtcdStore nodeB;
    private EtcdKeys keys;

    @BeforeEach
    void openTwoNodes(TestInfo test) {
        String prefix = "/audit/" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime() + "/";
        nodeA = EtcdStore.open(etcd.options(prefix));
        nodeB = EtcdStore.open(etcd.options(prefix));
        keys = new EtcdKeys(prefix);
    }

    @AfterEach
    void closeNodes() {
        nodeA.close();
        nodeB.close();
    }

    private static AuditEntry entry(String target) {
        return new AuditEntry(0, Instant.EPOCH, "alice", "127.0.0.1", "library.replace", target, AuditEntry.SUCCESS,
                OptionalLong.empty(), "");
    }

    @Test
    void appendsFromTwoStores_concurrently_positionsNeverCollide_andEachStoresIncrease() throws Exception {
        int perWriter = 300;
        CountDownLatch start = new CountDownLatch(1);
        List<List<Long>> ids = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<List<Long>>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                EtcdStore node = w % 2 == 0 ? nodeA : nodeB;
                String writer = "w" + w;
                done.add(threads.submit(() -> {
                    start.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        // Half appended alone, half in transactions, as the server does.
                        AuditEntry e = entry(writer + "-" + i);
                        mine.add(i % 2 == 0 ? node.audit().append(e).id() : node.transact(tx -> tx.appendAudit(e))
                                .id());
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<Long>> f : done) {
                ids.add(f.get());
            }
        }

        Set<Long> all = new HashSet<>();
        ids.forEach(all::addAll);
        assertEquals(4 * perWriter, all.size(), "positions given twice");
        for (List<Long> mine : ids) {
            for (int i = 1; i < mine.size(); i++) {
                assertTrue(mine.get(i) > mine.get(i - 1), "a store's positions must increase");
            }
        }
        List<AuditEntry> read = new ArrayList<>();
        long below = Long.MAX_VALUE;
        while (true) {
            List<AuditEntry> page = nodeA.audit().find(new AuditQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), below, 100));
            if (page.isEmpty()) {
                break;
            }
            read.addAll(page);
            below = page.getLast().id();
        }
        assertEquals(all.stream().sorted(Comparator.reverseOrder()).toList(),
                read.stream().map(AuditEntry::id).toList(), "every entry, newest first, none twice");
    }

    @Test
    void twoStoresStampingTheSamePosition_theSecondIsStampedAnew_neitherOverwritten() {
        // Two stores of the same number whose clocks read the same microsecond: they stamp the same position.
        Clock frozen = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        EtcdAuditStore first = new EtcdAuditStore(nodeA, keys, frozen, 7);
        EtcdAuditStore second = new EtcdAuditStore(nodeB, keys, frozen, 7);
        AuditEntry a = first.append(entry("first"));

        AuditEntry b = second.append(entry("second"));

        assertEquals(a.id() + (1 << EtcdAuditStore.STORE_BITS), b.id(), "stamped at the next microsecond");
        assertEquals(List.of("second", "first"), nodeA.audit().find(AuditQuery.newest(10)).stream()
                .map(AuditEntry::target).toList());
    }

    @Test
    void transactionAppendingAtATakenPosition_doesNotCommit_andItsRerunDoes() {
        Clock frozen = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        AuditEntry taken = new EtcdAuditStore(nodeA, keys, frozen, 3).append(entry("first"));
        EtcdAuditStore colliding = new EtcdAuditStore(nodeB, keys, frozen, 3);

        EtcdTransaction tx = new EtcdTransaction(nodeB, keys, colliding, "test");
        assertEquals(taken.id(), tx.appendAudit(entry("lost")).id());
        tx.upsertLibrary(dev.evaluator.store.LibraryId.global("math"), "// 1");
        boolean committed = tx.commit();
        EtcdTransaction rerun = new EtcdTransaction(nodeB, keys, colliding, "test");
        rerun.appendAudit(entry("second"));

        assertTrue(!committed, "a transaction must not overwrite another's entry");
        assertEquals(Optional.empty(), nodeA.libraries().find(dev.evaluator.store.LibraryId.global("math")),
                "nothing of the refused transaction is written");
        assertTrue(rerun.commit());
        assertEquals(List.of("second", "first"), nodeA.audit().find(AuditQuery.newest(10)).stream()
                .map(AuditEntry::target).toList());
    }

    /** An entry at a chosen time, written as a store would have stamped it then. */
    private void writeAt(Instant time, String target, int storeNumber) {
        long id = EtcdAuditStore.position(time) | storeNumber;
        AuditEntry e = entry(target).at(id, Instant.ofEpochMilli(time.toEpochMilli()));
        String key = keys.audit(id);
        assertTrue(nodeA.commit("test", Map.of(key, 0L), Map.of(key, Optional.of(EtcdValues.audit(e)))).isSucceeded());
    }

    @Test
    void find_entriesSpreadOverMonthsAndDenseBursts_readsEveryOneNewestFirst_withinTheFilters() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        List<String> expected = new ArrayList<>();
        // Newest first: a clock ahead of ours, now, a burst a minute ago, an hour, a day, ninety days back.
        writeAt(now.plus(Duration.ofMinutes(5)), "ahead", 1);
        expected.add("ahead");
        writeAt(now, "now", 1);
        expected.add("now");
        for (int i = 0; i < 300; i++) {
            // 300 entries within 30 ms: denser than a window of one second is read at once.
            writeAt(now.minusSeconds(60).minusMillis(i / 10), "burst" + i, 9 - i % 10);
            expected.add("burst" + i);
        }
        for (Duration back : List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(90))) {
            writeAt(now.minus(back), "back" + back, 3);
            expected.add("back" + back);
        }

        List<String> newest = nodeB.audit().find(AuditQuery.newest(1000)).stream().map(AuditEntry::target)
                .toList();
        List<String> limited = nodeB.audit().find(AuditQuery.newest(5)).stream().map(AuditEntry::target).toList();
        List<String> older = nodeB.audit().find(new AuditQuery(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(now.minusSeconds(120)), Long.MAX_VALUE, 10))
                .stream().map(AuditEntry::target).toList();
        List<String> window = nodeB.audit().find(new AuditQuery(Optional.empty(), Optional.empty(),
                Optional.of("burst7"), Optional.of(now.minus(Duration.ofDays(2))), Optional.of(now), Long.MAX_VALUE,
                10)).stream().map(AuditEntry::target).toList();

        assertEquals(expected, newest);
        assertEquals(expected.subList(0, 5), limited);
        assertEquals(List.of("back" + Duration.ofHours(1), "back" + Duration.ofDays(1), "back" + Duration.ofDays(90)),
                older);
        assertEquals(List.of("burst7"), window);
    }

    @Test
    void pruneBefore_overManyChunks_deletesExactlyTheOlderEntries() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        for (int i = 0; i < 2500; i++) {
            writeAt(now.minus(Duration.ofDays(10)).plusMillis(i), "old" + i, 0);
        }
        writeAt(now.minus(Duration.ofDays(5)), "kept", 0);
        nodeA.audit().append(entry("new"));

        nodeB.audit().pruneBefore(now.minus(Duration.ofDays(6)));

        assertEquals(List.of("new", "kept"), nodeA.audit().find(AuditQuery.newest(10)).stream()
                .map(AuditEntry::target).toList());
    }

    @Test
    void aStoreOpenedAfterEntriesFromAClockAhead_positionsFollowThem() {
        Instant ahead = Instant.ofEpochMilli(System.currentTimeMillis()).plusSeconds(30);
        writeAt(ahead, "ahead", 5);

        try (EtcdStore later = EtcdStore.open(nodeA.options())) {
            AuditEntry appended = later.audit().append(entry("later"));

            assertTrue(appended.id() > EtcdAuditStore.position(ahead), "positions start above the newest entry");
            assertEquals(List.of("later", "ahead"), nodeA.audit().find(AuditQuery.newest(10)).stream()
                    .map(AuditEntry::target).toList());
        }
    }
}
