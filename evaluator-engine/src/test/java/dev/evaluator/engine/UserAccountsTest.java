package dev.evaluator.engine;

import dev.evaluator.store.User;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User names: NFKC form, and no new name that looks like an existing one. On a real RocksDB store. */
class UserAccountsTest {
    private static final Optional<String> PASSWORD = Optional.of("long-enough");

    @TempDir
    Path dir;
    private RocksDbStore store;
    private UserAccounts accounts;

    @BeforeEach
    void open() {
        store = RocksDbStore.open(dir);
        accounts = new UserAccounts(store.users(), new PasswordHasher(1_000));
        accounts.upsert("Administrator", PASSWORD, Optional.of(List.of(Role.ADMIN)));
        accounts.upsert("alice", PASSWORD, Optional.empty());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @ParameterizedTest(name = "{0} looks like {1}")
    @CsvSource({
            // Cyrillic А (U+0410) for the Latin A
            "\u0410dministrator, Administrator",
            // Cyrillic а (U+0430) and і (U+0456)
            "\u0430l\u0456ce, alice",
            // digit one and capital I for a small l
            "a1ice, alice",
            "aIice, alice",
            // rn for m
            "Adrninistrator, Administrator",
            // a fullwidth a, folded by NFKC, beside a Cyrillic і
            "\uFF41l\u0456ce, alice"})
    void upsert_nameConfusableWithAnExistingOne_refusedNamingIt(String name, String existing) {
        EngineException e = assertThrows(EngineException.class, () -> accounts.upsert(name, PASSWORD,
                Optional.empty()));
        assertEquals(EngineException.Kind.CONFUSABLE_NAME, e.kind());
        assertEquals(existing, e.field());
        assertTrue(e.getMessage().contains("[" + existing + "]"), e.getMessage());
        assertEquals(2, store.users().list().size(), "nothing was created");
    }

    @Test
    void upsert_compatibilityForm_isTheSameUser() {
        // Fullwidth "ａｌｉｃｅ" and the ligature "ﬁ" are NFKC variants: the same names as "alice" and "fi".
        assertEquals(false, accounts.upsert("\uFF41\uFF4C\uFF49\uFF43\uFF45", Optional.of("new-password"),
                Optional.empty()), "replaced, not created");
        assertTrue(accounts.upsert("\uFB01nn", PASSWORD, Optional.empty()));
        assertEquals(List.of("Administrator", "alice", "finn"), store.users().list().stream().map(User::name)
                .sorted().toList());
        assertEquals("finn", accounts.find("\uFB01nn").name());
        accounts.delete("\uFB01nn");
        assertEquals(2, store.users().list().size());
    }

    @Test
    void upsert_existingName_replacedEvenIfAnotherLooksLikeIt() {
        // Two look-alikes from before this rule: each can still be changed.
        store.users().upsert(new User("bob", "x", List.of()));
        store.users().upsert(new User("b\u043Eb", "x", List.of()));
        assertEquals(false, accounts.upsert("b\u043Eb", PASSWORD, Optional.empty()));
    }

    @Test
    void upsert_distinctNames_accepted() {
        for (String name : List.of("administrator", "alice2", "bob", "Алиса", "小明")) {
            assertTrue(accounts.upsert(name, PASSWORD, Optional.empty()), name);
        }
    }
}
