package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStoreContract;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard raced from two processes: two stores, each with its own etcd client, on one cluster and prefix, as two
 * evaluator nodes are. A Java lock in each process cannot serialise them; only the etcd transaction's comparison can.
 * The first test shows the check and the write made apart (what a per-process lock gives) leaving a function bound to
 * a deleted library; the others interleave the same steps inside {@link Store#transact} and show the comparison
 * refusing the stale commit.
 */
class EtcdGuardRaceTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final String CODE = "function add(a, b) { return a + b; }";

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private EtcdStore nodeA;
    private EtcdStore nodeB;

    @BeforeEach
    void openTwoNodes(TestInfo test) {
        String prefix = "/race/" + test.getTestMethod().orElseThrow().getName() + "/";
        nodeA = EtcdStore.open(etcd.options(prefix));
        nodeB = EtcdStore.open(etcd.options(prefix));
    }

    @AfterEach
    void closeNodes() {
        nodeA.close();
        nodeB.close();
    }

    private static FunctionDefinition add(String name) {
        return new FunctionDefinition(new FunctionId(MATH.namespace(), name), Optional.of(List.of("a", "b")), MATH,
                "add", Instant.now());
    }

    @Test
    void checkAndDeleteApart_bindFromOtherNodeInBetween_leavesAFunctionWithoutItsLibrary() {
        nodeA.libraries().upsert(MATH, CODE);

        // Node A checks, under its own lock: nothing is bound.
        boolean unbound = nodeA.functions().boundTo(MATH).isEmpty();
        // Node B, under its own lock, checks the library exists and binds a function to it.
        FunctionStoreContract.bindIfLibraryExists(nodeB, add("add"));
        // Node A deletes on the strength of its stale check.
        if (unbound) {
            nodeA.libraries().delete(MATH);
        }

        assertEquals(Optional.empty(), nodeA.libraries().find(MATH));
        assertEquals(1, nodeA.functions().boundTo(MATH).size(), "the dangling function the guard must prevent");
    }

    @Test
    void guardedDeleteInATransaction_bindFromOtherNodeInBetween_commitRefusedAndDeleteSeesTheBinding()
            throws Exception {
        nodeA.libraries().upsert(MATH, CODE);
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException inUse = new IllegalStateException("in use");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> nodeA.transact(tx -> {
            boolean unbound = tx.boundTo(MATH).isEmpty();
            if (runs.incrementAndGet() == 1) {
                // Between node A's check and its commit, node B binds a function (its own client, its own commit).
                FunctionStoreContract.bindIfLibraryExists(nodeB, add("add"));
            }
            if (!unbound) {
                throw inUse;
            }
            return tx.deleteLibrary(MATH);
        }));

        assertEquals(inUse, thrown);
        assertEquals(2, runs.get(), "the first commit was refused by the comparison, the second run saw the binding");
        assertTrue(nodeB.libraries().find(MATH).isPresent());
        FunctionStoreContract.assertNoDanglingFunction(nodeB);
    }

    @Test
    void bindInATransaction_guardedDeleteFromOtherNodeInBetween_commitRefusedAndBindSeesNoLibrary() {
        nodeA.libraries().upsert(MATH, CODE);
        AtomicInteger runs = new AtomicInteger();

        assertThrows(IllegalStateException.class, () -> nodeA.transact(tx -> {
            boolean exists = tx.findLibrary(MATH).isPresent();
            if (runs.incrementAndGet() == 1) {
                assertTrue(FunctionStoreContract.deleteIfUnbound(nodeB, MATH, new IllegalStateException("in use")));
            }
            if (!exists) {
                throw new IllegalStateException("no library");
            }
            tx.upsertFunction(add("add"));
            return null;
        }));

        assertEquals(2, runs.get());
        assertEquals(List.of(), nodeB.functions().list());
        assertFalse(nodeB.libraries().find(MATH).isPresent());
    }

    @Test
    void guardRacedFromTwoNodes_manyRounds_noFunctionIsEverLeftWithoutItsLibrary() throws Exception {
        int rounds = 150;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger deletes = new AtomicInteger();
        AtomicInteger binds = new AtomicInteger();
        try (ExecutorService nodes = Executors.newFixedThreadPool(2)) {
            Future<?> deleter = nodes.submit(() -> {
                start.await();
                for (int round = 0; round < rounds; round++) {
                    nodeA.libraries().upsert(MATH, CODE);
                    try {
                        if (FunctionStoreContract.deleteIfUnbound(nodeA, MATH, new IllegalStateException("in use"))) {
                            deletes.incrementAndGet();
                        }
                    } catch (IllegalStateException inUse) {
                        nodeA.functions().list().forEach(f -> nodeA.functions().delete(f.id()));
                    }
                }
                return null;
            });
            Future<?> binder = nodes.submit(() -> {
                start.await();
                for (int round = 0; round < rounds; round++) {
                    try {
                        FunctionStoreContract.bindIfLibraryExists(nodeB, add("f" + round));
                        binds.incrementAndGet();
                    } catch (IllegalStateException noLibrary) {
                        // Refused: the library was deleted first.
                    }
                    FunctionStoreContract.assertNoDanglingFunction(nodeB);
                }
                return null;
            });
            start.countDown();
            deleter.get();
            binder.get();
        }

        FunctionStoreContract.assertNoDanglingFunction(nodeA);
        assertTrue(deletes.get() > 0 && binds.get() > 0, deletes + " deletes, " + binds + " binds: no race happened");
    }
}
