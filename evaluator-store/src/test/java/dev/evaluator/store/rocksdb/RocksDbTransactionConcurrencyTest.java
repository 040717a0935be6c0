package dev.evaluator.store.rocksdb;

import dev.evaluator.store.LibraryId;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions lock what they touch, not the store: one on another library goes ahead while a transaction is open,
 * one on the same library waits for it, and transactions that meet the same libraries in opposite orders neither
 * deadlock nor lose a write. Real RocksDB.
 */
class RocksDbTransactionConcurrencyTest {
    private static final LibraryId A = LibraryId.global("a");
    private static final LibraryId B = LibraryId.global("b");

    @TempDir
    Path dir;

    @Test
    void transact_otherLibraryWhileOneIsOpen_goesAhead_sameLibraryWaits() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(dir);
             ExecutorService pool = Executors.newFixedThreadPool(3)) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = pool.submit(() -> store.transact(tx -> {
                tx.upsertLibrary(A, "function a() {}");
                inside.countDown();
                await(release);
                return null;
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));

            // Another library: written while the first transaction still holds its library.
            pool.submit(() -> store.transact(tx -> tx.upsertLibrary(B, "function b() {}"))).get(10, TimeUnit.SECONDS);
            assertTrue(store.libraries().find(B).isPresent());

            // The same library: waits until the first one is written.
            Future<?> same = pool.submit(() -> store.transact(tx -> {
                assertTrue(tx.findLibrary(A).isPresent(), "ran before the holder's write");
                return tx.upsertLibrary(A, "function a2() {}");
            }));
            Thread.sleep(300);
            assertFalse(same.isDone(), "did not wait for the transaction holding the library");
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            same.get(10, TimeUnit.SECONDS);
            assertEquals("function a2() {}", store.libraries().find(A).orElseThrow().code());
        }
    }

    @Test
    void transact_oppositeOrdersManyRounds_noDeadlockNoLostIncrement() throws Exception {
        int rounds = 200;
        try (RocksDbStore store = RocksDbStore.open(dir);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            store.transact(tx -> {
                tx.upsertLibrary(A, "0");
                return tx.upsertLibrary(B, "0");
            });
            assertNotEquals(KeyLocks.stripe(A), KeyLocks.stripe(B), "the two libraries must have their own locks");
            AtomicInteger attempts = new AtomicInteger();
            for (int round = 0; round < rounds; round++) {
                CyclicBarrier met = new CyclicBarrier(2);
                List<Future<?>> both = new ArrayList<>();
                for (List<LibraryId> order : List.of(List.of(A, B), List.of(B, A))) {
                    AtomicInteger runs = new AtomicInteger();
                    both.add(pool.submit(() -> store.transact(tx -> {
                        attempts.incrementAndGet();
                        LibraryId first = order.get(0);
                        LibraryId second = order.get(1);
                        int x = Integer.parseInt(tx.findLibrary(first).orElseThrow().code());
                        // Both hold their first library before either touches its second (first attempts only:
                        // a rerun holds both from the start, and the other may be done).
                        if (runs.incrementAndGet() == 1) {
                            awaitQuietly(met);
                        }
                        int y = Integer.parseInt(tx.findLibrary(second).orElseThrow().code());
                        tx.upsertLibrary(first, Integer.toString(x + 1));
                        return tx.upsertLibrary(second, Integer.toString(y + 1));
                    })));
                }
                for (Future<?> f : both) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            assertEquals(Integer.toString(2 * rounds), store.libraries().find(A).orElseThrow().code());
            assertEquals(Integer.toString(2 * rounds), store.libraries().find(B).orElseThrow().code());
            assertTrue(attempts.get() > 2 * rounds, "the transactions never conflicted: " + attempts.get());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Wait for the other side, but not forever: a rerun may meet a barrier the other side no longer reaches. */
    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await(200, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The other side is not coming (it conflicted, or finished): go on.
        }
    }
}
