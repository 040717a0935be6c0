package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreChange;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreWatch;
import dev.evaluator.store.User;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.etcd.jetcd.Client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Watching the prefix: changes made by another store heard in order, breaks, compaction and closing. */
class EtcdWatchTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final FunctionId ADD = new FunctionId(Namespace.GLOBAL, "add");

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private static String prefix(TestInfo test) {
        return "/watch/" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void watch_fromNextRevision_hearsAnotherStoresChangesInOrderButNotTheIndex(TestInfo test) {
        try (EtcdStore watching = EtcdStore.open(etcd.options(prefix(test)));
             EtcdStore writing = EtcdStore.open(etcd.options(prefix(test)))) {
            RecordingListener heard = new RecordingListener();
            StoreWatch watch = watching.watch(watching.revision() + 1, heard);
            assertEquals(new RecordingListener.Connected(false), heard.next());

            writing.libraries().upsert(MATH, "function add(a, b) { return a + b; }");
            writing.functions().upsert(new FunctionDefinition(ADD, Optional.empty(), MATH, "add", Instant.now()));
            writing.users().upsert(new User("alice", "hash", List.of("admin")));
            writing.users().delete("alice");
            writing.libraries().upsert(MATH, "// replaced");

            StoreChange.LibraryChanged created = (StoreChange.LibraryChanged) heard.next();
            assertEquals(MATH, created.id());
            assertEquals(false, created.deleted());
            StoreChange.FunctionChanged bound = (StoreChange.FunctionChanged) heard.next();
            assertEquals(ADD, bound.id());
            assertEquals(new StoreChange.UserChanged("alice", false, bound.revision() + 1), heard.next());
            assertEquals(new StoreChange.UserChanged("alice", true, bound.revision() + 2), heard.next());
            StoreChange.LibraryChanged replaced = (StoreChange.LibraryChanged) heard.next();
            assertEquals(replaced.revision(), watch.revision());
            watch.close();
        }
    }

    @Test
    void watch_fromAnOldRevision_hearsWhatHappenedSince(TestInfo test) {
        try (EtcdStore store = EtcdStore.open(etcd.options(prefix(test)))) {
            long before = store.revision();
            store.libraries().upsert(MATH, "// 1");
            store.libraries().delete(MATH);

            RecordingListener heard = new RecordingListener();
            try (StoreWatch watch = store.watch(before + 1, heard)) {
                assertEquals(new RecordingListener.Connected(false), heard.next());
                assertEquals(false, ((StoreChange) heard.next()).deleted());
                StoreChange delete = (StoreChange) heard.next();
                assertEquals(true, delete.deleted());
                assertEquals(delete.revision(), watch.revision());
            }
        }
    }

    @Test
    void watch_historyCompacted_reconnectsSayingHistoryWasLost(TestInfo test) throws Exception {
        try (EtcdStore store = EtcdStore.open(etcd.options(prefix(test)))) {
            long old = store.revision();
            store.libraries().upsert(MATH, "// 1");
            store.libraries().upsert(MATH, "// 2");
            try (Client client = Client.builder().endpoints(etcd.members().endpoints()).build()) {
                client.getKVClient().compact(store.revision()).get();
            }

            RecordingListener heard = new RecordingListener();
            try (StoreWatch watch = store.watch(old, heard)) {
                heard.next(RecordingListener.Disconnected.class);
                assertEquals(new RecordingListener.Connected(true), heard.next(RecordingListener.Connected.class));
                store.libraries().upsert(MATH, "// 3");
                StoreChange.LibraryChanged third = heard.next(StoreChange.LibraryChanged.class);
                assertEquals(MATH, third.id());
                assertEquals(third.revision(), watch.revision());
            }
        }
    }

    @Test
    void watch_memberKilledAndRestarted_disconnectsThenReconnectsAndHearsLaterChanges(@TempDir Path own)
            throws Exception {
        try (EtcdMembers single = EtcdMembers.start(own, 1);
             EtcdStore store = EtcdStore.open(single.options("/watch-restart/")
                     .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2)))) {
            RecordingListener heard = new RecordingListener();
            try (StoreWatch watch = store.watch(store.revision() + 1, heard)) {
                assertEquals(new RecordingListener.Connected(false), heard.next());

                single.kill(0);
                StoreException cause = heard.next(RecordingListener.Disconnected.class).cause();
                assertEquals(StoreException.Reason.UNAVAILABLE, cause.reason(), cause.getMessage());
                single.restart(0);

                assertEquals(new RecordingListener.Connected(false), heard.next(RecordingListener.Connected.class));
                store.users().upsert(new User("bob", "hash", List.of()));
                StoreChange.UserChanged bob = heard.next(StoreChange.UserChanged.class);
                assertEquals("bob", bob.name());
                assertEquals(bob.revision(), watch.revision());
            }
        }
    }

    @Test
    void close_listenerHearsNothingMore(TestInfo test) throws Exception {
        try (EtcdStore store = EtcdStore.open(etcd.options(prefix(test)))) {
            RecordingListener heard = new RecordingListener();
            StoreWatch watch = store.watch(store.revision() + 1, heard);
            assertEquals(new RecordingListener.Connected(false), heard.next());

            watch.close();
            watch.close();
            store.libraries().upsert(MATH, "// unheard");

            assertNull(heard.poll(Duration.ofMillis(300)));
        }
    }

    @Test
    void watch_closedStore_throws(TestInfo test) {
        EtcdStore store = EtcdStore.open(etcd.options(prefix(test)));
        store.close();

        StoreException e = assertThrows(StoreException.class, () -> store.watch(1, new RecordingListener()));

        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
