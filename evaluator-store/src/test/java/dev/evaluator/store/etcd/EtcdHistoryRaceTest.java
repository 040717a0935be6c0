package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.User;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Library histories written from two processes: two stores, each with its own etcd client, on one cluster and
 * prefix, as two evaluator nodes are. Only the etcd transaction's comparison of the library's version counter keeps
 * their numbers unique and consecutive. Also what is particular to etcd in a history write: one request carries the
 * library, its version's code and the audit entry, and must fit etcd's request limit.
 */
class EtcdHistoryRaceTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final String HASH = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private EtcdStore nodeA;
    private EtcdStore nodeB;

    @BeforeEach
    void openTwoNodes(TestInfo test) {
        String prefix = "/history-race/" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime()
                + "/";
        nodeA = EtcdStore.open(etcd.options(prefix));
        nodeB = EtcdStore.open(etcd.options(prefix));
    }

    @AfterEach
    void closeNodes() {
        nodeA.close();
        nodeB.close();
    }

    /** What a replace does: write the library and append its version, in one transaction, reading nothing else. */
    private static LibraryVersion replace(EtcdStore node, String code, int keep) {
        return node.transact(tx -> {
            tx.upsertLibrary(MATH, code);
            return tx.appendVersion(MATH, code, "alice", "", keep);
        });
    }

    private static List<Long> numbers(EtcdStore node) {
        return node.history().versions(MATH, Long.MAX_VALUE, 1000).stream().map(LibraryVersion::number).toList();
    }

    @Test
    void appendsFromTwoNodes_manyRounds_numbersOneToNExactlyOnce_noVersionLost() throws Exception {
        int writers = 4;
        int rounds = 40;
        Map<Long, String> given = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                EtcdStore node = w % 2 == 0 ? nodeA : nodeB;
                String writer = "w" + w;
                done.add(threads.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        String code = "// " + writer + " round " + round;
                        if (given.put(replace(node, code, 1000).number(), code) != null) {
                            duplicates.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }

        int total = writers * rounds;
        assertEquals(0, duplicates.get(), "numbers given twice");
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), new ArrayList<>(new TreeMap<>(given).keySet()));
        List<Long> stored = new ArrayList<>(numbers(nodeB));
        Collections.reverse(stored);
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), stored, "versions lost");
        for (Map.Entry<Long, String> e : given.entrySet()) {
            assertEquals(Optional.of(e.getValue()), nodeA.history().code(MATH, e.getKey()),
                    "version " + e.getKey() + " holds another append's code");
        }
    }

    @Test
    void appendsFromTwoNodes_withASmallKeep_leaveExactlyTheNewestKept() throws Exception {
        int rounds = 40;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (EtcdStore node : List.of(nodeA, nodeB)) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        replace(node, "// round " + round, 3);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }

        long last = 2L * rounds;
        assertEquals(List.of(last, last - 1, last - 2), numbers(nodeA));
        assertEquals(Optional.empty(), nodeA.history().code(MATH, last - 3));
        assertEquals(Optional.empty(), nodeA.history().find(MATH, 1));
    }

    @Test
    void appendsRacingPurgesFromTheOtherNode_numbersNeverReused_keptVersionsConsecutiveToTheNewest()
            throws Exception {
        int rounds = 60;
        List<Long> appended = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger purged = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> appender = threads.submit(() -> {
                start.await();
                for (int round = 0; round < rounds; round++) {
                    appended.add(replace(nodeA, "// round " + round, 1000).number());
                }
                return null;
            });
            Future<?> purger = threads.submit(() -> {
                start.await();
                for (int round = 0; round < rounds; round++) {
                    purged.addAndGet(nodeB.transact(tx -> tx.purgeHistory(MATH)));
                }
                return null;
            });
            start.countDown();
            appender.get();
            purger.get();
        }

        assertEquals(LongStream.rangeClosed(1, rounds).boxed().toList(), appended, "numbers reused or skipped");
        List<Long> kept = numbers(nodeA);
        assertEquals(rounds - purged.get(), kept.size(), "every version is either purged (and counted) or kept");
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(rounds - i, kept.get(i), "kept versions are the newest, consecutive: " + kept);
        }
        assertEquals(kept.isEmpty() ? Optional.empty() : Optional.of((long) rounds),
                nodeB.transact(tx -> tx.latestVersion(MATH)).map(LibraryVersion::number));
        assertTrue(purged.get() > 0, "no purge removed anything: no race happened");
    }

    @Test
    void appendFromTheOtherNode_betweenReadAndCommit_refusesTheCommitAndTheRerunNumbersOn() {
        replace(nodeA, "// 1", 10);
        AtomicInteger runs = new AtomicInteger();

        LibraryVersion version = nodeA.transact(tx -> {
            tx.upsertLibrary(MATH, "// from A");
            LibraryVersion v = tx.appendVersion(MATH, "// from A", "alice", "", 10);
            if (runs.incrementAndGet() == 1) {
                replace(nodeB, "// from B", 10);
            }
            return v;
        });

        assertEquals(2, runs.get(), "the first commit was refused by the counter's comparison");
        assertEquals(3, version.number());
        assertEquals(Optional.of("// from B"), nodeB.history().code(MATH, 2));
        assertEquals(Optional.of("// from A"), nodeB.history().code(MATH, 3));
    }

    @Test
    void oneTransaction_appendsAndPurges_keysWrittenInsideItsDeletedRangesAreKept() {
        replace(nodeA, "// 1", 10);

        nodeA.transact(tx -> {
            tx.appendVersion(MATH, "// 2", "alice", "", 1);
            return tx.appendVersion(MATH, "// 3", "alice", "", 2);
        });
        assertEquals(List.of(3L, 2L), numbers(nodeA));

        int purged = nodeA.transact(tx -> {
            tx.appendVersion(MATH, "// 4", "alice", "", 10);
            int count = tx.purgeHistory(MATH);
            tx.appendVersion(MATH, "// 5", "alice", "", 10);
            return count;
        });

        assertEquals(3, purged);
        assertEquals(List.of(5L), numbers(nodeB));
        assertEquals(Optional.of("// 5"), nodeB.history().code(MATH, 5));
        assertEquals(Optional.empty(), nodeB.history().code(MATH, 4));
        assertEquals(List.of(MATH), nodeB.history().libraries());
    }

    @Test
    void upsertUserInATransaction_isWhatTheUserStoreReads_andAConcurrentChangeMakesItRunAgain() {
        nodeB.users().upsert(new User("carol", HASH, List.of("reader")));
        AtomicInteger runs = new AtomicInteger();

        nodeA.transact(tx -> {
            List<String> roles = new ArrayList<>(tx.findUser("carol").orElseThrow().roles());
            if (runs.incrementAndGet() == 1) {
                nodeB.users().upsert(new User("carol", HASH, List.of("reader", "auditor")));
            }
            roles.add("writer");
            tx.upsertUser(new User("carol", HASH, roles));
            tx.upsertUser(new User("dave", HASH, List.of("admin")));
            assertEquals(List.of("admin"), tx.findUser("dave").orElseThrow().roles(), "a read sees its own write");
            return null;
        });

        assertEquals(2, runs.get(), "the user read was compared: the other node's change made the work run again");
        assertEquals(List.of("reader", "auditor", "writer"), nodeB.users().find("carol").orElseThrow().roles());
        assertEquals(Optional.of(new User("dave", HASH, List.of("admin"))), nodeB.users().find("dave"));
    }

    /** A replace as the server writes it: the library, its version and its audit entry in one request. */
    private static void replaceAudited(EtcdStore node, String code) {
        node.transact(tx -> {
            tx.upsertLibrary(MATH, code);
            LibraryVersion v = tx.appendVersion(MATH, code, "alice", "replaced by the size test", 100);
            return tx.appendAudit(new AuditEntry(0, java.time.Instant.EPOCH, "alice", "127.0.0.1",
                    "library.replace", "travel-sample/inventory/math", AuditEntry.SUCCESS,
                    OptionalLong.of(v.number()), ""));
        });
    }

    @Test
    void libraryWithItsVersionAndAuditEntry_largestThatFitsTheDefaultLimit_andOneByteMoreIsRefusedWhole() {
        replaceAudited(nodeA, "// first");
        // The largest size the store accepts, by bisection; each accepted one is also accepted by etcd.
        int fits = 0;
        int refused = EtcdOptions.DEFAULT_MAX_REQUEST_BYTES;
        while (refused - fits > 1) {
            int size = (fits + refused) >>> 1;
            try {
                replaceAudited(nodeA, "x".repeat(size));
                fits = size;
            } catch (StoreException e) {
                assertEquals(StoreException.Reason.TOO_LARGE, e.reason(), e.getMessage());
                refused = size;
            }
        }
        List<Long> versions = numbers(nodeA);
        List<AuditEntry> log = nodeA.audit().find(AuditQuery.newest(1000));
        System.out.println("Largest library written with its version and audit entry at etcd's default limit of "
                + EtcdOptions.DEFAULT_MAX_REQUEST_BYTES + " bytes: " + fits + " bytes");

        String oneMore = "y".repeat(fits + 1);
        StoreException e = assertThrows(StoreException.class, () -> replaceAudited(nodeA, oneMore));

        assertEquals(StoreException.Reason.TOO_LARGE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("--max-request-bytes"), e.getMessage());
        assertEquals("x".repeat(fits), nodeB.libraries().find(MATH).orElseThrow().code(), "library half-written");
        assertEquals(versions, numbers(nodeB), "history half-written");
        assertEquals(log, nodeB.audit().find(AuditQuery.newest(1000)), "audit log half-written");
        // About half the limit: the code is sent twice (library and version), plus keys, metadata and the entry.
        assertTrue(fits > EtcdOptions.DEFAULT_MAX_REQUEST_BYTES / 2 - 2048
                && fits < EtcdOptions.DEFAULT_MAX_REQUEST_BYTES / 2, fits + " bytes");
    }
}
