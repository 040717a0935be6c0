package dev.evaluator.store.etcd;

import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.User;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * What is particular to etcd: unreachable members, the request size limit, the schema record, prefixes, paging,
 * the observer and statistics. On real members.
 */
class EtcdStoreTest {
    private static final LibraryId MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");
    private static final String ADD = "function add(a, b) { return a + b; }";

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.members(1);

    private static String prefix(TestInfo test) {
        return "/store-test/" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime() + "/";
    }

    private static EtcdStore open(TestInfo test) {
        return EtcdStore.open(etcd.options(prefix(test)));
    }

    @Test
    void open_noMemberListening_throwsUnavailableNamingTheEndpoints() {
        URI nowhere = URI.create("http://127.0.0.1:1");
        EtcdOptions options = EtcdOptions.create(List.of(nowhere))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2));

        StoreException e = assertThrows(StoreException.class, () -> EtcdStore.open(options));

        assertEquals(StoreException.Reason.UNAVAILABLE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void upsert_libraryOverTheRequestLimit_throwsTooLargeAndKeepsTheOldVersion(TestInfo test) {
        try (EtcdStore store = open(test)) {
            store.libraries().upsert(MATH, ADD);
            String huge = "x".repeat(EtcdOptions.DEFAULT_MAX_REQUEST_BYTES);

            StoreException e = assertThrows(StoreException.class, () -> store.libraries().upsert(MATH, huge));

            assertEquals(StoreException.Reason.TOO_LARGE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("--max-request-bytes"), e.getMessage());
            assertEquals(ADD, store.libraries().find(MATH).orElseThrow().code());
        }
    }

    @Test
    void upsert_libraryJustUnderTheLimit_isAcceptedByEtcd(TestInfo test) {
        String big = "y".repeat(EtcdOptions.DEFAULT_MAX_REQUEST_BYTES - 1024);
        try (EtcdStore store = open(test)) {
            store.libraries().upsert(MATH, big);

            assertEquals(big, store.libraries().find(MATH).orElseThrow().code());
        }
    }

    @Test
    void transaction_moreKeysThanEtcdTakesInOne_isTooLargeAndWritesNothing(TestInfo test) {
        try (EtcdStore store = open(test)) {
            StoreException e = assertThrows(StoreException.class, () -> store.transact(tx -> {
                for (int i = 0; i < 40; i++) {
                    LibraryId id = LibraryId.global("lib" + i);
                    tx.upsertLibrary(id, ADD);
                    tx.appendVersion(id, ADD, "alice", "", 10);
                }
                return null;
            }));

            assertEquals(StoreException.Reason.TOO_LARGE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("--max-txn-ops"), e.getMessage());
            assertEquals(List.of(), store.libraries().list());
            assertEquals(List.of(), store.history().libraries());
        }
    }

    @Test
    void upsert_overTheServersLowerLimit_etcdsRefusalIsTooLarge(@TempDir Path small) {
        try (EtcdMembers strict = EtcdMembers.start(small, 1, "--max-request-bytes", Integer.toString(1 << 20));
             EtcdStore store = EtcdStore.open(strict.options("/strict/"))) {
            String big = "z".repeat(1_200_000);

            StoreException e = assertThrows(StoreException.class, () -> store.libraries().upsert(MATH, big));

            assertEquals(StoreException.Reason.TOO_LARGE, e.reason(), e.getMessage());
            assertEquals(Optional.empty(), store.libraries().find(MATH));
        }
    }

    @Test
    void operations_memberKilled_failUnavailable_thenWorkAgainAfterRestartWithoutReopening(@TempDir Path own) {
        try (EtcdMembers single = EtcdMembers.start(own, 1);
             EtcdStore store = EtcdStore.open(single.options("/restart/")
                     .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2)))) {
            store.libraries().upsert(MATH, ADD);

            single.kill(0);

            StoreException write = assertThrows(StoreException.class, () -> store.libraries().upsert(MATH, "// 2"));
            assertEquals(StoreException.Reason.UNAVAILABLE, write.reason(), write.getMessage());
            StoreException read = assertThrows(StoreException.class, () -> store.libraries().find(MATH));
            assertEquals(StoreException.Reason.UNAVAILABLE, read.reason(), read.getMessage());
            assertThrows(StoreException.class, store::checkWritable);

            single.restart(0);

            assertEquals(ADD, store.libraries().find(MATH).orElseThrow().code());
            store.libraries().upsert(MATH, "// 2");
            store.checkWritable();
        }
    }

    @Test
    void open_newerSchemaVersion_throwsUnsupportedSchema(TestInfo test) {
        String prefix = prefix(test);
        EtcdStore.open(etcd.options(prefix)).close();
        putRaw(prefix + "meta/schema-version", "2");

        StoreException e = assertThrows(StoreException.class, () -> EtcdStore.open(etcd.options(prefix)));

        assertEquals(StoreException.Reason.UNSUPPORTED_SCHEMA, e.reason());
        assertTrue(e.getMessage().contains(prefix), e.getMessage());
    }

    @Test
    void open_damagedSchemaRecord_throwsCorrupted(TestInfo test) {
        String prefix = prefix(test);
        putRaw(prefix + "meta/schema-version", "one");

        StoreException e = assertThrows(StoreException.class, () -> EtcdStore.open(etcd.options(prefix)));

        assertEquals(StoreException.Reason.CORRUPTED, e.reason());
    }

    @Test
    void find_damagedLibraryRecord_throwsCorrupted(TestInfo test) {
        String prefix = prefix(test);
        try (EtcdStore store = EtcdStore.open(etcd.options(prefix))) {
            putRaw(prefix + "lib/scoped/travel-sample/inventory/math", "\u007f");

            StoreException find = assertThrows(StoreException.class, () -> store.libraries().find(MATH));
            assertEquals(StoreException.Reason.CORRUPTED, find.reason());
            StoreException list = assertThrows(StoreException.class, () -> store.libraries().list());
            assertEquals(StoreException.Reason.CORRUPTED, list.reason());
        }
    }

    @Test
    void list_damagedLibraryKey_throwsCorrupted(TestInfo test) {
        String prefix = prefix(test);
        try (EtcdStore store = EtcdStore.open(etcd.options(prefix))) {
            putRaw(prefix + "lib/scoped/only-a-bucket", "\u0001");

            StoreException e = assertThrows(StoreException.class, () -> store.libraries().list());

            assertEquals(StoreException.Reason.CORRUPTED, e.reason());
        }
    }

    @Test
    void stores_differentPrefixesOnOneCluster_doNotSeeEachOther(TestInfo test) {
        try (EtcdStore a = open(test); EtcdStore b = open(test)) {
            a.libraries().upsert(MATH, ADD);
            a.users().upsert(new User("alice", "hash", List.of()));

            assertEquals(List.of(), b.libraries().list());
            assertEquals(Optional.empty(), b.users().find("alice"));
        }
    }

    @Test
    void list_moreLibrariesThanOnePage_listsEveryOneSorted(TestInfo test) {
        try (EtcdStore store = open(test)) {
            for (int i = 0; i < 100; i++) {
                store.libraries().upsert(LibraryId.global(String.format("lib%03d", i)), "// " + i);
            }

            List<String> names = store.libraries().list(Namespace.GLOBAL).stream().map(l -> l.id().name()).toList();

            assertEquals(100, names.size());
            assertEquals("lib000", names.getFirst());
            assertEquals("lib099", names.getLast());
        }
    }

    @Test
    void stats_countTheKeysUnderThePrefix(TestInfo test) {
        try (EtcdStore store = open(test)) {
            store.libraries().upsert(MATH, ADD);
            store.users().upsert(new User("alice", "hash", List.of()));

            assertEquals(3, store.stats().estimatedKeys(), "schema version, library, user");
        }
    }

    @Test
    void observer_seesEachOperationWithItsKindAndOutcome(TestInfo test) {
        List<String> seen = new CopyOnWriteArrayList<>();
        EtcdStore store = EtcdStore.open(etcd.options(prefix(test)),
                (operation, nanos, failed) -> seen.add(operation.label() + (failed ? " failed" : "")));
        store.libraries().upsert(LibraryId.global("a"), ADD);
        store.libraries().find(LibraryId.global("a"));
        store.libraries().list();
        store.libraries().delete(LibraryId.global("a"));
        store.users().list();
        store.checkWritable();
        store.transact(tx -> tx.findLibrary(MATH));
        store.close();
        assertThrows(StoreException.class, () -> store.libraries().find(LibraryId.global("a")));

        assertEquals(List.of("library_write", "library_read", "library_list", "library_delete", "user_list",
                "write_probe", "transaction", "library_read failed"), seen);
    }

    static Stream<Arguments> operations() {
        return Stream.of(
                argumentSet("libraries().list()", (Consumer<Store>) s -> s.libraries().list()),
                argumentSet("libraries().find", (Consumer<Store>) s -> s.libraries().find(MATH)),
                argumentSet("libraries().upsert", (Consumer<Store>) s -> s.libraries().upsert(MATH, ADD)),
                argumentSet("libraries().delete", (Consumer<Store>) s -> s.libraries().delete(MATH)),
                argumentSet("functions().list()", (Consumer<Store>) s -> s.functions().list()),
                argumentSet("users().find", (Consumer<Store>) s -> s.users().find("alice")),
                argumentSet("users().upsert", (Consumer<Store>) s -> s.users().upsert(new User("alice", "h",
                        List.of()))),
                argumentSet("transact", (Consumer<Store>) s -> s.transact(tx -> tx.findLibrary(MATH))),
                argumentSet("checkWritable", (Consumer<Store>) Store::checkWritable),
                argumentSet("stats", (Consumer<Store>) Store::stats));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void operation_afterClose_throwsStoreException(Consumer<Store> operation, TestInfo test) {
        Store store = open(test);
        store.close();

        StoreException e = assertThrows(StoreException.class, () -> operation.accept(store));

        assertEquals(StoreException.Reason.IO, e.reason());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(store.isOpen());
        store.close();
    }

    @Test
    void options_invalid_areRefusedWithTheRule() {
        List<URI> endpoints = etcd.members().endpoints();
        assertThrows(IllegalArgumentException.class, () -> EtcdOptions.create(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> EtcdOptions.create(List.of(URI.create("127.0.0.1:2379"))));
        assertThrows(IllegalArgumentException.class, () -> EtcdOptions.create(endpoints).withPrefix("evaluator"));
        assertThrows(IllegalArgumentException.class, () -> EtcdOptions.create(endpoints).withPrefix("/evaluator"));
        assertThrows(IllegalArgumentException.class, () -> EtcdOptions.create(endpoints)
                .withTimeouts(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> EtcdOptions.create(endpoints).withMaxRequestBytes(1000));
        EtcdOptions secret = EtcdOptions.create(endpoints).withCredentials("evaluator", "s3cret");
        assertFalse(secret.toString().contains("s3cret"), secret.toString());
    }

    private static void putRaw(String key, String value) {
        try (Client client = Client.builder().endpoints(etcd.members().endpoints()).build()) {
            client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
                    ByteSequence.from(value, StandardCharsets.UTF_8)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
