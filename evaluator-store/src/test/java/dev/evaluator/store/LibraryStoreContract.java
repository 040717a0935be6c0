package dev.evaluator.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link LibraryStore} implementation must have; each implementation's test extends this.
 */
public abstract class LibraryStoreContract extends StoreContract {
    private static final Namespace INVENTORY = Namespace.scoped("travel-sample", "inventory");
    private static final String ADD = "function add(a, b) { let data = a + b; return data; }\n"
            + " function sub(a, b) { let data = a - b; return data; }";

    private LibraryStore libraries() {
        return store.libraries();
    }

    /** Close and open the store again on the same directory. */
    private LibraryStore reopen() {
        store.close();
        store = open(dir);
        return store.libraries();
    }

    @Test
    void find_missing_isEmpty() {
        assertEquals(Optional.empty(), libraries().find(LibraryId.global("math")));
    }

    @Test
    void upsert_new_findReturnsStoredLibrary() {
        LibraryId id = new LibraryId(INVENTORY, "math");

        Library stored = libraries().upsert(id, ADD);

        assertEquals(id, stored.id());
        assertEquals(ADD, stored.code());
        assertEquals(Optional.of(stored), libraries().find(id));
    }

    @Test
    void forEach_manyLibrariesInManyNamespaces_handsOverWhatListReturnsInItsOrder() {
        for (int i = 0; i < 600; i++) {
            Namespace namespace = i % 3 == 0 ? Namespace.GLOBAL : Namespace.scoped("b" + i % 7, "s" + i % 5);
            libraries().upsert(new LibraryId(namespace, "lib" + (i * 7919 % 600)), "// " + i);
        }
        List<Library> handed = new ArrayList<>();

        libraries().forEach(handed::add);

        assertEquals(libraries().list(), handed);
        assertEquals(600, handed.size());
    }

    /** The identities forEach hands over from just after {@code after}, those passing {@code include}. */
    private List<LibraryId> page(Optional<LibraryId> after, java.util.function.Predicate<LibraryId> include) {
        List<LibraryId> handed = new ArrayList<>();
        libraries().forEach(after, include, library -> handed.add(library.id()));
        return handed;
    }

    @Test
    void forEach_afterAPage_followsCreatesDeletesAndFailedWrites_andStartsAfterTheCursor() {
        for (int i = 0; i < 30; i++) {
            libraries().upsert(new LibraryId(i % 2 == 0 ? Namespace.GLOBAL : INVENTORY, "lib" + i), "// " + i);
        }
        assertEquals(30, page(Optional.empty(), id -> true).size());

        libraries().upsert(LibraryId.global("aaa"), "// new, first in order");
        assertTrue(libraries().delete(new LibraryId(INVENTORY, "lib3")));
        assertTrue(libraries().delete(LibraryId.global("lib4")));
        libraries().upsert(LibraryId.global("lib4"), "// deleted, then written again");
        assertThrows(IllegalStateException.class, () -> store.transact(tx -> {
            tx.upsertLibrary(LibraryId.global("never"), "// refused");
            tx.deleteLibrary(LibraryId.global("lib0"));
            throw new IllegalStateException("refused");
        }));

        List<LibraryId> listed = libraries().list().stream().map(Library::id).toList();
        assertEquals(listed, page(Optional.empty(), id -> true));
        assertEquals(30, listed.size());
        LibraryId cursor = listed.get(10);
        assertEquals(listed.subList(11, listed.size()), page(Optional.of(cursor), id -> true));
        assertEquals(listed.stream().filter(id -> id.namespace().equals(INVENTORY)).toList(),
                page(Optional.empty(), id -> id.namespace().equals(INVENTORY)));
        // A cursor naming a deleted library still starts just after where it was.
        LibraryId gone = new LibraryId(INVENTORY, "lib3");
        assertEquals(listed.stream().filter(id -> LibraryId.ORDER.compare(id, gone) > 0).toList(),
                page(Optional.of(gone), id -> true));
        assertEquals(listed, reopen().list().stream().map(Library::id).toList());
        assertEquals(listed, page(Optional.empty(), id -> true));
    }

    @Test
    void forEach_whileWritersCreateAndDelete_listsWhatTheStoreHoldsOnceTheyAreDone() throws Exception {
        // Enough that a first list, which may build an index of them, overlaps the writers' first writes.
        for (int from = 0; from < 30_000; from += 100) {
            int first = from;
            store.transact(tx -> {
                for (int i = first; i < first + 100; i++) {
                    tx.upsertLibrary(new LibraryId(Namespace.scoped("b" + i % 10, "s"), "seed" + i), "// " + i);
                }
                return null;
            });
        }
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int i = 0; i < 150; i++) {
                        // Each library is written once (and some deleted once): a change a list missed stays missed.
                        if (i % 3 == 2) {
                            libraries().delete(LibraryId.global("w" + writer + "-" + (i - 1)));
                        } else {
                            libraries().upsert(LibraryId.global("w" + writer + "-" + i), "// " + i);
                        }
                        libraries().delete(new LibraryId(Namespace.scoped("b" + i % 10, "s"),
                                "seed" + (writer * 500 + i)));
                    }
                    return null;
                }));
            }
            // The first list builds whatever a store keeps for lists while the writers run, and so do the next.
            Future<?> reader = pool.submit((Callable<Void>) () -> {
                start.await();
                while (writing.get()) {
                    page(Optional.empty(), id -> true);
                }
                return null;
            });
            start.countDown();
            for (Future<?> writer : done) {
                writer.get();
            }
            writing.set(false);
            reader.get();
        } finally {
            pool.shutdownNow();
        }

        assertEquals(libraries().list().stream().map(Library::id).toList(), page(Optional.empty(), id -> true));
    }

    @Test
    void upsertLibrary_withFunctionCount_keptThroughReopenAndList() {
        LibraryId counted = new LibraryId(INVENTORY, "counted");
        LibraryId uncounted = LibraryId.global("uncounted");
        store.transact(tx -> tx.upsertLibrary(counted, ADD, OptionalInt.of(2)));
        store.transact(tx -> tx.upsertLibrary(uncounted, ADD));

        assertEquals(OptionalInt.of(2), libraries().find(counted).orElseThrow().functionCount());
        assertEquals(OptionalInt.empty(), libraries().find(uncounted).orElseThrow().functionCount());
        LibraryStore reopened = reopen();
        assertEquals(OptionalInt.of(2), reopened.find(counted).orElseThrow().functionCount());
        assertEquals(List.of(OptionalInt.of(2)), reopened.list(INVENTORY).stream().map(Library::functionCount)
                .toList());
        assertEquals(OptionalInt.empty(), reopened.find(uncounted).orElseThrow().functionCount());
    }

    @Test
    void upsert_sameNameGlobalAndScoped_keptApart() {
        LibraryId global = LibraryId.global("math");
        LibraryId scoped = new LibraryId(INVENTORY, "math");
        LibraryId otherScope = new LibraryId(Namespace.scoped("travel-sample", "_default"), "math");

        libraries().upsert(global, "// global");
        libraries().upsert(scoped, "// scoped");
        libraries().upsert(otherScope, "// default scope");

        assertEquals("// global", libraries().find(global).orElseThrow().code());
        assertEquals("// scoped", libraries().find(scoped).orElseThrow().code());
        assertEquals("// default scope", libraries().find(otherScope).orElseThrow().code());
        assertTrue(libraries().delete(scoped));
        assertTrue(libraries().find(global).isPresent());
        assertTrue(libraries().find(otherScope).isPresent());
    }

    @Test
    void upsert_existing_replacesCodeAndModified() {
        LibraryId id = LibraryId.global("temperature");
        Library first = libraries().upsert(id, "function c2f(c) { return c * 9 / 5 + 32; }");
        waitForClockToPass(first.modified());

        Library second = libraries().upsert(id, "function f2c(f) { return (5/9)*(f-32); }");

        assertTrue(second.modified().isAfter(first.modified()), first.modified() + " then " + second.modified());
        assertEquals(Optional.of(second), libraries().find(id));
        assertEquals(List.of(second), libraries().list());
    }

    @Test
    void upsert_returnsModifiedAtMillisecondPrecision_sameAsFind() {
        Library stored = libraries().upsert(LibraryId.global("lib"), "1");

        assertEquals(0, stored.modified().getNano() % 1_000_000);
        assertEquals(stored.modified(), libraries().find(stored.id()).orElseThrow().modified());
    }

    @Test
    void upsert_unicodeCode_roundTripsExactly() {
        String code = "// 😀 emoji, 中文 CJK, ünïcödé, RTL עברית, combining é, zero-width \u200B, NUL \0 end\n"
                + "function greet() { return \"你好, 🌍! 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\"; }\r\n";
        LibraryId id = new LibraryId(INVENTORY, "greet");

        libraries().upsert(id, code);

        assertEquals(code, libraries().find(id).orElseThrow().code());
        assertEquals(code, reopen().find(id).orElseThrow().code());
    }

    @Test
    void upsert_oneMebibyteCode_roundTripsExactly() {
        StringBuilder code = new StringBuilder(1 << 20);
        for (int i = 0; code.length() < (1 << 20); i++) {
            code.append("function f").append(i).append("(x) { return x + ").append(i).append("; }\n");
        }
        code.setLength(1 << 20);
        LibraryId id = LibraryId.global("big");

        libraries().upsert(id, code.toString());

        assertEquals(code.toString(), libraries().find(id).orElseThrow().code());
        assertEquals(code.toString(), reopen().find(id).orElseThrow().code());
    }

    @Test
    void upsert_emptyCode_roundTrips() {
        LibraryId id = LibraryId.global("empty");

        libraries().upsert(id, "");

        assertEquals("", libraries().find(id).orElseThrow().code());
    }

    @Test
    void delete_existing_returnsTrueAndRemoves() {
        LibraryId id = new LibraryId(INVENTORY, "math");
        libraries().upsert(id, ADD);

        assertTrue(libraries().delete(id));

        assertEquals(Optional.empty(), libraries().find(id));
        assertEquals(List.of(), libraries().list());
    }

    @Test
    void delete_missing_returnsFalse() {
        assertFalse(libraries().delete(LibraryId.global("math")));
    }

    @Test
    void delete_twice_secondReturnsFalse() {
        LibraryId id = LibraryId.global("math");
        libraries().upsert(id, ADD);

        assertTrue(libraries().delete(id));
        assertFalse(libraries().delete(id));
    }

    @Test
    void list_empty_isEmpty() {
        assertEquals(List.of(), libraries().list());
        assertEquals(List.of(), libraries().list(Namespace.GLOBAL));
        assertEquals(List.of(), libraries().list(INVENTORY));
    }

    @Test
    void list_manyNamespaces_sortedByNameThenBucketThenScopeGlobalFirst() {
        LibraryId bGlobal = LibraryId.global("b");
        LibraryId aInXs = new LibraryId(Namespace.scoped("x", "s"), "a");
        LibraryId aInAs = new LibraryId(Namespace.scoped("a", "s"), "a");
        LibraryId aGlobal = LibraryId.global("a");
        LibraryId aInAr = new LibraryId(Namespace.scoped("a", "r"), "a");
        LibraryId aInADefault = new LibraryId(Namespace.scoped("a", "_default"), "a");
        LibraryId cInAr = new LibraryId(Namespace.scoped("a", "r"), "c");
        for (LibraryId id : List.of(bGlobal, aInXs, aInAs, cInAr, aGlobal, aInAr, aInADefault)) {
            libraries().upsert(id, "// " + id);
        }

        List<LibraryId> listed = ids(libraries().list());

        assertEquals(List.of(aGlobal, aInADefault, aInAr, aInAs, aInXs, bGlobal, cInAr), listed);
    }

    @Test
    void list_namespace_returnsOnlyThatNamespaceSortedByName() {
        Namespace other = Namespace.scoped("beer-sample", "inventory");
        libraries().upsert(new LibraryId(INVENTORY, "zeta"), "1");
        libraries().upsert(new LibraryId(INVENTORY, "alpha"), "2");
        libraries().upsert(new LibraryId(other, "alpha"), "3");
        libraries().upsert(LibraryId.global("alpha"), "4");
        libraries().upsert(LibraryId.global("beta"), "5");

        assertEquals(List.of(new LibraryId(INVENTORY, "alpha"), new LibraryId(INVENTORY, "zeta")),
                ids(libraries().list(INVENTORY)));
        assertEquals(List.of(new LibraryId(other, "alpha")), ids(libraries().list(other)));
        assertEquals(List.of(LibraryId.global("alpha"), LibraryId.global("beta")),
                ids(libraries().list(Namespace.GLOBAL)));
        assertEquals(List.of(), libraries().list(Namespace.scoped("travel-sample", "tenant")));
    }

    @Test
    void list_namespace_scopeIsPrefixOfAnotherScope_excludesTheLongerScope() {
        Namespace inv = Namespace.scoped("b", "inv");
        Namespace inventory = Namespace.scoped("b", "inventory");
        libraries().upsert(new LibraryId(inv, "lib"), "short");
        libraries().upsert(new LibraryId(inventory, "lib"), "long");

        assertEquals(List.of(new LibraryId(inv, "lib")), ids(libraries().list(inv)));
        assertEquals(List.of(new LibraryId(inventory, "lib")), ids(libraries().list(inventory)));
    }

    @Test
    void list_namespace_bucketIsPrefixOfAnotherBucket_excludesTheLongerBucket() {
        Namespace b = Namespace.scoped("b", "s");
        Namespace b2 = Namespace.scoped("b2", "s");
        libraries().upsert(new LibraryId(b, "lib"), "short");
        libraries().upsert(new LibraryId(b2, "lib"), "long");

        assertEquals(List.of(new LibraryId(b, "lib")), ids(libraries().list(b)));
        assertEquals(List.of(new LibraryId(b2, "lib")), ids(libraries().list(b2)));
    }

    @Test
    void list_namespace_bucketWithDotMatchesScopeBoundary_keptApart() {
        // "a.b" / "c" and "a" / "b" differ only around the separator; neither may leak into the other's listing.
        Namespace dotted = Namespace.scoped("a.b", "c");
        Namespace plain = Namespace.scoped("a", "b");
        libraries().upsert(new LibraryId(dotted, "lib"), "dotted");
        libraries().upsert(new LibraryId(plain, "lib"), "plain");

        assertEquals(List.of(new LibraryId(dotted, "lib")), ids(libraries().list(dotted)));
        assertEquals(List.of(new LibraryId(plain, "lib")), ids(libraries().list(plain)));
    }

    @Test
    void list_global_excludesScopedLibrariesOfSameName() {
        libraries().upsert(new LibraryId(INVENTORY, "math"), "scoped");

        assertEquals(List.of(), libraries().list(Namespace.GLOBAL));
    }

    @Test
    void upsert_concurrentWritersToSharedAndOwnLibraries_eachHoldsAWrittenValue() throws Exception {
        int threads = 16;
        int writes = 200;
        LibraryId shared = new LibraryId(INVENTORY, "shared");
        LibraryStore libraries = libraries();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(() -> {
                LibraryId own = LibraryId.global("own-" + thread);
                start.await();
                for (int i = 0; i < writes; i++) {
                    libraries.upsert(shared, code(thread, i));
                    libraries.upsert(own, code(thread, i));
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Void>> done = writers.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Void> future : done) {
                future.get();
            }
        }

        Set<String> sharedValues = IntStream.range(0, threads).boxed()
                .flatMap(t -> IntStream.range(0, writes).mapToObj(i -> code(t, i)))
                .collect(Collectors.toSet());
        assertTrue(sharedValues.contains(libraries().find(shared).orElseThrow().code()));
        for (int t = 0; t < threads; t++) {
            // One writer per own library, so the last write wins.
            assertEquals(code(t, writes - 1), libraries().find(LibraryId.global("own-" + t)).orElseThrow().code());
        }
        assertEquals(threads + 1, libraries().list().size());

        LibraryStore reopened = reopen();
        assertEquals(threads + 1, reopened.list().size());
        assertTrue(sharedValues.contains(reopened.find(shared).orElseThrow().code()));
    }

    @Test
    void delete_concurrentDeletesOfOneLibrary_exactlyOneReturnsTrue() throws Exception {
        int threads = 16;
        LibraryId id = LibraryId.global("contested");
        libraries().upsert(id, ADD);
        LibraryStore libraries = libraries();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            results = IntStream.range(0, threads)
                    .mapToObj(t -> pool.submit(() -> {
                        start.await();
                        return libraries.delete(id);
                    }))
                    .toList();
            start.countDown();
        }

        int deleted = 0;
        for (Future<Boolean> result : results) {
            deleted += result.get() ? 1 : 0;
        }
        assertEquals(1, deleted);
        assertEquals(Optional.empty(), libraries().find(id));
    }

    /** Readers race every write, so a read of the replaced code can finish after it: it must not stay visible. */
    @Test
    void upsertAndDelete_whileOthersKeepReading_theWriterAlwaysReadsItsOwnWrite() throws Exception {
        LibraryId id = LibraryId.global("raced");
        libraries().upsert(id, code(0, 0));
        LibraryStore libraries = libraries();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ExecutorService readers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> reading = IntStream.range(0, 4).mapToObj(r -> readers.submit(() -> {
                while (writing.get()) {
                    libraries.find(id);
                }
            })).collect(Collectors.toList());
            try {
                for (int write = 1; write <= 2_000; write++) {
                    if (write % 100 == 0) {
                        assertTrue(libraries.delete(id));
                        assertEquals(Optional.empty(), libraries.find(id), "after delete " + write);
                    }
                    libraries.upsert(id, code(0, write));
                    assertEquals(code(0, write), libraries.find(id).orElseThrow().code(), "after write " + write);
                }
            } finally {
                writing.set(false);
            }
            for (Future<?> reader : reading) {
                reader.get();
            }
        }
    }

    @Test
    void find_afterClose_failsEvenWhenJustRead() {
        LibraryId id = LibraryId.global("math");
        libraries().upsert(id, ADD);
        LibraryStore libraries = libraries();
        libraries.find(id);

        store.close();

        assertThrows(StoreException.class, () -> libraries.find(id));
        store = open(dir);
    }

    private static String code(int thread, int write) {
        return "function f() { return \"thread " + thread + " write " + write + "\"; }";
    }

    private static List<LibraryId> ids(List<Library> libraries) {
        return libraries.stream().map(Library::id).toList();
    }

    /** Modification times have millisecond precision; a later write is only distinguishable once the clock moved. */
    private static void waitForClockToPass(Instant instant) {
        while (System.currentTimeMillis() <= instant.toEpochMilli()) {
            Thread.onSpinWait();
        }
    }
}
