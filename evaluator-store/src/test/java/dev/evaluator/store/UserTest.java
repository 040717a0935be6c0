package dev.evaluator.store;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserTest {
    private static final String HASH = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

    @Test
    void toString_anyUser_omitsPasswordHash() {
        User user = new User("alice", HASH, List.of("admin"));

        String text = user.toString();

        assertFalse(text.contains(HASH), text);
        assertFalse(text.contains("argon2"), text);
        assertTrue(text.contains("alice"), text);
        assertTrue(text.contains("admin"), text);
    }

    @Test
    void create_rolesListChangedAfterwards_keepsCopyInOrder() {
        List<String> roles = new ArrayList<>(List.of("writer", "admin", "reader"));
        User user = new User("alice", HASH, roles);

        roles.clear();

        assertEquals(List.of("writer", "admin", "reader"), user.roles());
        assertThrows(UnsupportedOperationException.class, () -> user.roles().add("x"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void create_missingName_throwsForUserKind(String name) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> new User(name, HASH, List.of()));
        assertEquals("user", e.kind());
    }

    @Test
    void create_nameOf128Characters_accepted() {
        assertEquals(128, new User("u".repeat(128), HASH, List.of()).name().length());
    }

    @Test
    void create_nameOf129Characters_throwsForUserKind() {
        InvalidNameException e = assertThrows(InvalidNameException.class,
                () -> new User("u".repeat(129), HASH, List.of()));
        assertEquals("user", e.kind());
    }

    @Test
    void create_nullHashOrRoles_throwsNullPointer() {
        assertThrows(NullPointerException.class, () -> new User("alice", null, List.of()));
        assertThrows(NullPointerException.class, () -> new User("alice", HASH, null));
    }
}
