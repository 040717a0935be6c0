package dev.evaluator.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link FunctionStore} and {@link Store#transact} implementation must have; each implementation's
 * test extends this.
 */
public abstract class FunctionStoreContract extends StoreContract {
    private static final Namespace INVENTORY = Namespace.scoped("travel-sample", "inventory");
    private static final LibraryId MATH = new LibraryId(INVENTORY, "math");
    private static final LibraryId GLOBAL_MATH = LibraryId.global("math");
    private static final Instant CREATED = Instant.ofEpochMilli(1_700_000_000_000L);

    private FunctionStore functions() {
        return store.functions();
    }

    private static FunctionDefinition function(Namespace namespace, String name, LibraryId library) {
        return new FunctionDefinition(new FunctionId(namespace, name), Optional.of(List.of("a", "b")), library, "add",
                CREATED);
    }

    @Test
    void find_missing_isEmpty() {
        assertEquals(Optional.empty(), functions().find(new FunctionId(INVENTORY, "add")));
        assertEquals(List.of(), functions().list());
        assertEquals(List.of(), functions().boundTo(MATH));
    }

    @Test
    void upsert_new_findListAndBoundToReturnIt() {
        FunctionDefinition add = function(INVENTORY, "add", MATH);

        functions().upsert(add);

        assertEquals(Optional.of(add), functions().find(add.id()));
        assertEquals(List.of(add), functions().list());
        assertEquals(List.of(add), functions().boundTo(MATH));
        assertEquals(List.of(), functions().boundTo(GLOBAL_MATH));
    }

    @Test
    void upsert_libraryPathAsWritten_roundTrips() {
        FunctionDefinition local = new FunctionDefinition(new FunctionId(INVENTORY, "local"), Optional.of(List.of("f")),
                new LibraryId(INVENTORY, "science"), "f2c", CREATED, "./science");

        functions().upsert(local);

        assertEquals("./science", functions().find(local.id()).orElseThrow().libraryPath());
        assertEquals("travel-sample/inventory/science", new FunctionDefinition(local.id(), local.parameters(),
                local.library(), local.object(), CREATED).libraryPath(), "the path that names it from anywhere");
    }

    @Test
    void upsert_variadic_roundTrips() {
        FunctionDefinition any = new FunctionDefinition(new FunctionId(Namespace.GLOBAL, "any"), Optional.empty(),
                GLOBAL_MATH, "sum", CREATED);

        functions().upsert(any);

        assertTrue(functions().find(any.id()).orElseThrow().variadic());
    }

    @Test
    void upsert_otherLibrary_movesTheIndexEntry() {
        functions().upsert(function(INVENTORY, "add", MATH));
        FunctionDefinition moved = function(INVENTORY, "add", GLOBAL_MATH);

        functions().upsert(moved);

        assertEquals(List.of(), functions().boundTo(MATH));
        assertEquals(List.of(moved), functions().boundTo(GLOBAL_MATH));
        assertEquals(List.of(moved), functions().list());
    }

    @Test
    void upsert_sameLibraryTwice_boundToListsItOnceWithTheNewDefinition() {
        functions().upsert(function(INVENTORY, "add", MATH));
        FunctionDefinition replaced = new FunctionDefinition(new FunctionId(INVENTORY, "add"), Optional.of(List.of()),
                MATH, "plus", CREATED);

        functions().upsert(replaced);

        assertEquals(List.of(replaced), functions().boundTo(MATH));
    }

    @Test
    void delete_existing_removesDefinitionAndIndexEntry() {
        FunctionDefinition add = function(INVENTORY, "add", MATH);
        functions().upsert(add);

        assertTrue(functions().delete(add.id()));

        assertEquals(Optional.empty(), functions().find(add.id()));
        assertEquals(List.of(), functions().boundTo(MATH));
        assertFalse(functions().delete(add.id()));
    }

    @Test
    void list_manyNamespaces_globalFirstThenBucketScopeAndName() {
        FunctionDefinition b = function(Namespace.scoped("b", "s"), "f", MATH);
        FunctionDefinition aT = function(Namespace.scoped("a", "t"), "f", MATH);
        FunctionDefinition aS2 = function(Namespace.scoped("a", "s"), "g", MATH);
        FunctionDefinition aS1 = function(Namespace.scoped("a", "s"), "f", MATH);
        FunctionDefinition global = function(Namespace.GLOBAL, "z", GLOBAL_MATH);
        for (FunctionDefinition f : List.of(b, aT, aS2, aS1, global)) {
            functions().upsert(f);
        }

        assertEquals(List.of(global, aS1, aS2, aT, b), functions().list());
        assertEquals(List.of(aS1, aS2, aT, b), functions().boundTo(MATH));
    }

    @Test
    void upsert_afterReopen_functionsAndIndexKept() {
        FunctionDefinition add = function(INVENTORY, "add", MATH);
        functions().upsert(add);

        store.close();
        store = open(dir);

        assertEquals(List.of(add), functions().boundTo(MATH));
    }

    @Test
    void upsert_concurrentFunctionsBoundToOneLibrary_indexListsEveryOne() throws Exception {
        int threads = 8;
        int each = 10;
        runConcurrently(threads, thread -> {
            for (int i = 0; i < each; i++) {
                functions().upsert(function(INVENTORY, "f" + thread + "_" + i, MATH));
            }
        });

        assertEquals(threads * each, functions().boundTo(MATH).size());
    }

    @Test
    void transact_libraryInUse_callersExceptionReachesCallerAndNothingIsWritten() {
        store.libraries().upsert(MATH, "function add(a, b) { return a + b; }");
        functions().upsert(function(INVENTORY, "add", MATH));
        IllegalStateException inUse = new IllegalStateException("in use");

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> deleteIfUnbound(store, MATH, inUse));

        assertSame(inUse, thrown);
        assertTrue(store.libraries().find(MATH).isPresent());
    }

    @Test
    void transact_workThrowsAfterWriting_nothingIsWritten() {
        assertThrows(IllegalStateException.class, () -> store.transact(tx -> {
            tx.upsertLibrary(MATH, "// code");
            tx.upsertFunction(function(INVENTORY, "add", MATH));
            throw new IllegalStateException("changed my mind");
        }));

        assertEquals(Optional.empty(), store.libraries().find(MATH));
        assertEquals(List.of(), functions().list());
        assertEquals(List.of(), functions().boundTo(MATH));
    }

    @Test
    void transact_readsSeeTheTransactionsOwnWrites() {
        FunctionDefinition add = function(INVENTORY, "add", MATH);

        List<Object> seen = store.transact(tx -> {
            tx.upsertLibrary(MATH, "// code");
            tx.upsertFunction(add);
            List<Object> reads = List.of(tx.findLibrary(MATH).orElseThrow().code(), tx.findFunction(add.id()),
                    tx.boundTo(MATH));
            assertTrue(tx.deleteFunction(add.id()));
            return reads;
        });

        assertEquals(List.of("// code", Optional.of(add), List.of(add)), seen);
        assertEquals(List.of(), functions().list());
        assertEquals(List.of(), functions().boundTo(MATH));
        assertTrue(store.libraries().find(MATH).isPresent());
    }

    @Test
    void transact_deleteLibrary_returnsWhetherItExisted() {
        store.libraries().upsert(MATH, "// code");

        boolean first = store.transact(tx -> tx.deleteLibrary(MATH));
        boolean second = store.transact(tx -> tx.deleteLibrary(MATH));

        assertTrue(first);
        assertFalse(second);
        assertEquals(Optional.empty(), store.libraries().find(MATH));
    }

    /** Read-modify-write of one record from many threads: no increment may be lost. */
    @Test
    void transact_concurrentReadModifyWrite_noUpdateIsLost() throws Exception {
        store.libraries().upsert(MATH, "0");
        int threads = 8;
        int each = 15;

        runConcurrently(threads, thread -> {
            for (int i = 0; i < each; i++) {
                store.transact(tx -> tx.upsertLibrary(MATH,
                        Integer.toString(Integer.parseInt(tx.findLibrary(MATH).orElseThrow().code()) + 1)));
            }
        });

        assertEquals(Integer.toString(threads * each), store.libraries().find(MATH).orElseThrow().code());
    }

    /** The guard's race: binds and guarded deletes of one library, from many threads; no function may dangle. */
    @Test
    void transact_guardedDeletesRacingBinds_noFunctionIsLeftWithoutItsLibrary() throws Exception {
        AtomicInteger deleted = new AtomicInteger();
        AtomicInteger bound = new AtomicInteger();
        runConcurrently(4, thread -> {
            for (int round = 0; round < 30; round++) {
                if (thread % 2 == 0) {
                    store.libraries().upsert(MATH, "// code");
                    try {
                        if (deleteIfUnbound(store, MATH, new IllegalStateException("in use"))) {
                            deleted.incrementAndGet();
                        }
                    } catch (IllegalStateException inUse) {
                        functions().delete(new FunctionId(INVENTORY, "f" + (thread + 1) + "_" + (round - 1)));
                    }
                } else {
                    try {
                        bindIfLibraryExists(store, function(INVENTORY, "f" + thread + "_" + round, MATH));
                        bound.incrementAndGet();
                    } catch (IllegalStateException missing) {
                        // The library was deleted first: the bind is refused, as it must be.
                    }
                }
            }
        });

        assertNoDanglingFunction(store);
        assertTrue(deleted.get() + bound.get() > 0);
    }

    /** The guard's delete, as the function catalog makes it: no function may be bound to the library. */
    public static boolean deleteIfUnbound(Store store, LibraryId library, RuntimeException inUse) {
        return store.transact(tx -> {
            if (!tx.boundTo(library).isEmpty()) {
                throw inUse;
            }
            return tx.deleteLibrary(library);
        });
    }

    /** The guard's bind, as the function catalog makes it: the library must exist. */
    public static void bindIfLibraryExists(Store store, FunctionDefinition definition) {
        store.transact(tx -> {
            if (tx.findLibrary(definition.library()).isEmpty()) {
                throw new IllegalStateException("no library " + definition.library());
            }
            tx.upsertFunction(definition);
            return null;
        });
    }

    /** Every stored function's library exists. */
    public static void assertNoDanglingFunction(Store store) {
        for (FunctionDefinition f : store.functions().list()) {
            assertTrue(store.libraries().find(f.library()).isPresent(), f.id() + " is bound to " + f.library()
                    + ", which does not exist");
        }
    }

    /** Something one thread of a concurrent test does. */
    @FunctionalInterface
    interface ThreadWork {
        void run(int thread) throws Exception;
    }

    private static void runConcurrently(int threads, ThreadWork work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            tasks.add(() -> {
                start.await();
                work.run(thread);
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Void>> done = tasks.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Void> future : done) {
                future.get();
            }
        }
    }
}
