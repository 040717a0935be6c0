package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreChange;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreObserver;
import dev.evaluator.store.User;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read cache of a server's store: reads by key answered without a round trip, yet every change made by another
 * process (another node) dropped within moments, a process's own writes read at once, and no cached read while the
 * watch that keeps it exact is broken.
 */
class EtcdReadCacheTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final FunctionId ADD = new FunctionId(Namespace.GLOBAL, "add");
    private static final long CACHE = 16 << 20;
    /** How long a change may take to be heard here; the server's budget is 100 ms (bench/propagation.sh). */
    private static final Duration HEARD_WITHIN = Duration.ofSeconds(5);

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private static String prefix(TestInfo test) {
        return "/cache/" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    private static EtcdStore cached(EtcdOptions options) {
        EtcdStore store = EtcdStore.open(options, StoreObserver.NONE, CACHE);
        await(store::inSync, "the cache's watch to connect");
        return store;
    }

    @Test
    void changesOfAnotherProcess_areSeenSoon_afterReadsWereServedFromTheCache(TestInfo test) {
        try (EtcdStore node = cached(etcd.options(prefix(test)));
             EtcdStore other = EtcdStore.open(etcd.options(prefix(test)))) {
            other.libraries().upsert(MATH, "// 1");
            other.users().upsert(new User("alice", "hash-1", List.of("admin")));
            other.functions().upsert(new FunctionDefinition(ADD, Optional.empty(), MATH, "add", Instant.now()));
            // Each change drops its key when heard: read only once the node has heard them all.
            long written = other.revision();
            await(() -> node.cacheRevision() >= written, "the node to hear the writes");

            assertEquals("// 1", node.libraries().find(MATH).orElseThrow().code());
            long hits = node.cacheHits();
            assertEquals("// 1", node.libraries().find(MATH).orElseThrow().code());
            assertEquals("hash-1", node.users().find("alice").orElseThrow().passwordHash());
            assertEquals("hash-1", node.users().find("alice").orElseThrow().passwordHash());
            assertEquals("add", node.functions().find(ADD).orElseThrow().object());
            assertEquals("add", node.functions().find(ADD).orElseThrow().object());
            assertEquals(hits + 3, node.cacheHits(), "the second read of each came from the cache");

            other.libraries().upsert(MATH, "// 2");
            other.users().delete("alice");
            other.functions().delete(ADD);
            await(() -> node.libraries().find(MATH).map(Library::code).equals(Optional.of("// 2")),
                    "the replaced library");
            await(() -> node.users().find("alice").isEmpty(), "the deleted user gone");
            await(() -> node.functions().find(ADD).isEmpty(), "the dropped function gone");
        }
    }

    @Test
    void ownWrites_areReadAtOnce(TestInfo test) {
        try (EtcdStore node = cached(etcd.options(prefix(test)))) {
            for (int i = 0; i < 50; i++) {
                node.libraries().upsert(MATH, "// " + i);
                assertEquals("// " + i, node.libraries().find(MATH).orElseThrow().code());
                assertEquals("// " + i, node.libraries().find(MATH).orElseThrow().code());
                node.users().upsert(new User("bob", "hash-" + i, List.of("admin")));
                assertEquals("hash-" + i, node.users().find("bob").orElseThrow().passwordHash());
            }
            assertTrue(node.libraries().delete(MATH));
            assertTrue(node.libraries().find(MATH).isEmpty());
        }
    }

    /**
     * A reader and a writer of another process racing on one key: once the writer's last write is heard, the reader
     * never sees an older value again (a read that raced a change is not cached).
     */
    @Test
    void readsRacingChanges_neverLeaveAStaleValueCached(TestInfo test) throws Exception {
        try (EtcdStore node = cached(etcd.options(prefix(test)));
             EtcdStore other = EtcdStore.open(etcd.options(prefix(test)))) {
            other.libraries().upsert(MATH, "// 0");
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    while (writing.get()) {
                        node.libraries().find(MATH);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            int last = 300;
            for (int i = 1; i <= last; i++) {
                other.libraries().upsert(MATH, "// " + i);
            }
            writing.set(false);
            reader.join();
            assertEquals(null, failure.get());
            await(() -> node.libraries().find(MATH).orElseThrow().code().equals("// " + last), "the last write");
            for (int i = 0; i < 100; i++) {
                assertEquals("// " + last, node.libraries().find(MATH).orElseThrow().code());
            }
        }
    }

    /**
     * The rule the racing test depends on, made deterministic: a change heard while a read was on its way (so the read
     * may hold the value the change replaced) keeps that read out of the cache; so does a break of the watch.
     */
    @Test
    void readOverlappingAChangeOrABreak_isNotCached() {
        EtcdKeys keys = new EtcdKeys("/p/");
        EtcdReadCache cache = new EtcdReadCache(keys, CACHE);
        String key = keys.library(MATH);
        cache.find(key, () -> Optional.of(new byte[] {0}));
        assertEquals(1, cache.find(key, () -> Optional.of(new byte[] {1})).orElseThrow()[0],
                "before the watch connects, nothing is cached");
        cache.connected(false);

        cache.find(key, () -> {
            cache.changed(new StoreChange.LibraryChanged(MATH, false, 7));
            return Optional.of(new byte[] {1});
        });
        assertEquals(2, cache.find(key, () -> Optional.of(new byte[] {2})).orElseThrow()[0]);
        assertEquals(2, cache.find(key, () -> Optional.of(new byte[] {3})).orElseThrow()[0], "now cached");

        cache.changed(new StoreChange.LibraryChanged(MATH, false, 8));
        cache.find(key, () -> {
            cache.disconnected(new StoreException(StoreException.Reason.UNAVAILABLE, "gone", null));
            return Optional.of(new byte[] {4});
        });
        cache.connected(false);
        assertEquals(5, cache.find(key, () -> Optional.of(new byte[] {5})).orElseThrow()[0]);
        assertEquals(1, cache.hits());
    }

    /** With its only member gone the node is out of sync and fails reads instead of answering from the cache. */
    @Test
    void brokenWatch_outOfSync_readsGoToEtcd_andSyncAgainWhenBack(@TempDir Path dir) {
        try (EtcdMembers members = EtcdMembers.start(dir, 1);
             EtcdStore node = cached(members.options("/cache/broken/"))) {
            node.libraries().upsert(MATH, "// cached");
            node.libraries().find(MATH);
            node.libraries().find(MATH);

            members.kill(0);
            await(() -> !node.inSync(), "the node to know it is out of sync");
            StoreException down = assertThrows(StoreException.class, () -> node.libraries().find(MATH));
            assertEquals(StoreException.Reason.UNAVAILABLE, down.reason());

            members.restart(0);
            await(node::inSync, "the watch back");
            try (EtcdStore other = EtcdStore.open(members.options("/cache/broken/"))) {
                other.libraries().upsert(MATH, "// after");
                await(() -> node.libraries().find(MATH).orElseThrow().code().equals("// after"),
                        "a change made after the member came back");
            }
        }
    }

    @Test
    void withoutCache_alwaysInSync(TestInfo test) {
        try (EtcdStore plain = EtcdStore.open(etcd.options(prefix(test)))) {
            assertTrue(plain.inSync());
            plain.libraries().upsert(MATH, "// 1");
            plain.libraries().find(MATH);
            plain.libraries().find(MATH);
            assertEquals(0, plain.cacheHits());
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + HEARD_WITHIN.toNanos();
        while (true) {
            boolean met;
            try {
                met = condition.getAsBoolean();
            } catch (StoreException e) {
                met = false;
            }
            if (met) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Waited " + HEARD_WITHIN.toMillis() + " ms for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
