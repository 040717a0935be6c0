package dev.evaluator.store;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class LibraryIdTest {
    static Stream<Arguments> validNames() {
        return Stream.of(
                argumentSet("starts with a digit", "0libname"),
                argumentSet("digits only", "999"),
                argumentSet("ends with underscore", "libname_"),
                argumentSet("dash inside", "lib-name"),
                argumentSet("one character", "a"),
                argumentSet("100 characters (the maximum)", "a".repeat(100)));
    }

    static Stream<Arguments> invalidNames() {
        return Stream.of(
                argumentSet("starts with underscore", "_libname"),
                argumentSet("starts with dash", "-libname"),
                argumentSet("contains dollar", "lib$name"),
                argumentSet("contains colon", "lib:name"),
                argumentSet("contains dot", "lib.name"),
                argumentSet("contains space", "lib name"),
                argumentSet("contains NUL (the key separator)", "lib\0name"),
                argumentSet("non-ASCII letter", "libnamé"),
                argumentSet("empty", ""),
                argumentSet("null", (Object) null),
                argumentSet("101 characters", "a".repeat(101)));
    }

    @ParameterizedTest
    @MethodSource("validNames")
    void create_validName_keepsName(String name) {
        assertEquals(name, LibraryId.global(name).name());
        assertEquals(name, new LibraryId(Namespace.scoped("travel-sample", "inventory"), name).name());
    }

    @ParameterizedTest
    @MethodSource("invalidNames")
    void create_invalidName_throwsForLibraryKind(String name) {
        InvalidNameException global = assertThrows(InvalidNameException.class, () -> LibraryId.global(name));
        assertEquals("library", global.kind());
        InvalidNameException scoped = assertThrows(InvalidNameException.class,
                () -> new LibraryId(Namespace.scoped("travel-sample", "inventory"), name));
        assertEquals("library", scoped.kind());
    }

    @Test
    void create_invalidName_messageCarriesRule() {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> LibraryId.global("_x"));
        assertEquals("Library name can start with characters only in range A-Z, a-z, 0-9 and can contain characters"
                + " only in range A-Z, a-z, 0-9, underscore and hyphen ", e.getMessage());
    }

    @Test
    void create_nullNamespace_throwsNullPointer() {
        assertThrows(NullPointerException.class, () -> new LibraryId(null, "lib"));
    }

    @Test
    void equals_sameNameGlobalAndScoped_differ() {
        assertNotEquals(LibraryId.global("lib"), new LibraryId(Namespace.scoped("b", "s"), "lib"));
        assertEquals(LibraryId.global("lib"), new LibraryId(Namespace.GLOBAL, "lib"));
    }
}
