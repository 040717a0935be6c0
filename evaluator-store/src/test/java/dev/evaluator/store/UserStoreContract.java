package dev.evaluator.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link UserStore} implementation must have; each implementation's test extends this.
 */
public abstract class UserStoreContract extends StoreContract {
    private static final String HASH = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

    private UserStore users() {
        return store.users();
    }

    @Test
    void find_missing_isEmpty() {
        assertEquals(Optional.empty(), users().find("alice"));
    }

    @Test
    void upsert_new_findReturnsEqualUser() {
        User alice = new User("alice", HASH, List.of("admin"));

        users().upsert(alice);

        assertEquals(Optional.of(alice), users().find("alice"));
    }

    @Test
    void upsert_manyRoles_keepsTheirOrder() {
        User alice = new User("alice", HASH, List.of("writer", "admin", "reader", "auditor"));

        users().upsert(alice);

        assertEquals(List.of("writer", "admin", "reader", "auditor"), users().find("alice").orElseThrow().roles());
    }

    @Test
    void upsert_noRoles_roundTrips() {
        users().upsert(new User("alice", HASH, List.of()));

        assertEquals(List.of(), users().find("alice").orElseThrow().roles());
    }

    @Test
    void upsert_existing_replacesHashAndRoles() {
        users().upsert(new User("alice", HASH, List.of("reader")));
        User replaced = new User("alice", "other-hash", List.of("admin", "reader"));

        users().upsert(replaced);

        assertEquals(Optional.of(replaced), users().find("alice"));
        assertEquals(List.of(replaced), users().list());
    }

    @Test
    void upsert_unicodeNameAndRoles_roundTrip() {
        User user = new User("用户-😀", "hash-ü", List.of("rôle", "角色"));

        users().upsert(user);

        assertEquals(Optional.of(user), users().find("用户-😀"));
    }

    @Test
    void list_manyUsers_sortedByName() {
        User carol = new User("carol", HASH, List.of("reader"));
        User alice = new User("alice", HASH, List.of("admin"));
        User bob = new User("bob", HASH, List.of());
        users().upsert(carol);
        users().upsert(alice);
        users().upsert(bob);

        assertEquals(List.of(alice, bob, carol), users().list());
    }

    @Test
    void list_empty_isEmpty() {
        assertEquals(List.of(), users().list());
    }

    @Test
    void delete_existing_returnsTrueAndRemoves() {
        users().upsert(new User("alice", HASH, List.of("admin")));

        assertTrue(users().delete("alice"));

        assertEquals(Optional.empty(), users().find("alice"));
        assertEquals(List.of(), users().list());
    }

    @Test
    void delete_missing_returnsFalse() {
        assertFalse(users().delete("alice"));
    }

    /** A changed password or role must count at once, although other requests keep reading the user meanwhile. */
    @Test
    void upsertAndDelete_whileOthersKeepReading_theWriterAlwaysReadsItsOwnWrite() throws Exception {
        users().upsert(new User("alice", HASH + 0, List.of("admin")));
        UserStore users = users();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ExecutorService readers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> reading = IntStream.range(0, 4).mapToObj(r -> readers.submit(() -> {
                while (writing.get()) {
                    users.find("alice");
                }
            })).collect(Collectors.toList());
            try {
                for (int write = 1; write <= 2_000; write++) {
                    if (write % 100 == 0) {
                        assertTrue(users.delete("alice"));
                        assertEquals(Optional.empty(), users.find("alice"), "after delete " + write);
                    }
                    User user = new User("alice", HASH + write, List.of("role" + write));
                    users.upsert(user);
                    assertEquals(user, users.find("alice").orElseThrow(), "after write " + write);
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
    void users_sameNameAsLibrary_keptApart() {
        users().upsert(new User("math", HASH, List.of("admin")));
        store.libraries().upsert(LibraryId.global("math"), "// code");

        assertTrue(users().delete("math"));

        assertEquals("// code", store.libraries().find(LibraryId.global("math")).orElseThrow().code());
        assertEquals(1, store.libraries().list().size());
    }
}
