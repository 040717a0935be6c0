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

class NamespaceTest {
    static Stream<Arguments> validNamespaces() {
        return Stream.of(
                argumentSet("bucket with dash", "travel-sample", "inventory"),
                argumentSet("bucket with dot", "a.b", "inventory"),
                argumentSet("bucket with percent", "a%b", "inventory"),
                argumentSet("bucket with underscore inside", "a_b", "inventory"),
                argumentSet("default scope", "travel-sample", "_default"),
                argumentSet("scope with percent and underscore inside", "b", "s%c_d"),
                argumentSet("251-character names (the maximum)", "b".repeat(251), "s".repeat(251)));
    }

    static Stream<Arguments> invalidNamespaces() {
        return Stream.of(
                argumentSet("bucket starts with underscore", "_x", "inventory", "bucket"),
                argumentSet("bucket starts with percent", "%x", "inventory", "bucket"),
                argumentSet("bucket starts with dot (Couchbase rejects it)", ".x", "inventory", "bucket"),
                argumentSet("bucket empty", "", "inventory", "bucket"),
                argumentSet("bucket null", null, "inventory", "bucket"),
                argumentSet("bucket 252 characters", "b".repeat(252), "inventory", "bucket"),
                argumentSet("bucket with space", "a b", "inventory", "bucket"),
                argumentSet("bucket with slash", "a/b", "inventory", "bucket"),
                argumentSet("bucket with NUL (the key separator)", "a\0b", "inventory", "bucket"),
                argumentSet("scope starts with underscore", "travel-sample", "_x", "scope"),
                argumentSet("scope starts with percent", "travel-sample", "%x", "scope"),
                argumentSet("scope with dot", "travel-sample", "a.b", "scope"),
                argumentSet("scope empty", "travel-sample", "", "scope"),
                argumentSet("scope null", "travel-sample", null, "scope"),
                argumentSet("scope 252 characters", "travel-sample", "s".repeat(252), "scope"),
                argumentSet("scope _default with suffix", "travel-sample", "_defaultx", "scope"),
                argumentSet("both invalid reports the bucket", "_x", "_x", "bucket"));
    }

    @ParameterizedTest
    @MethodSource("validNamespaces")
    void scoped_validNames_keepsNames(String bucket, String scope) {
        Namespace.Scoped namespace = Namespace.scoped(bucket, scope);
        assertEquals(bucket, namespace.bucket());
        assertEquals(scope, namespace.scope());
    }

    @ParameterizedTest
    @MethodSource("invalidNamespaces")
    void scoped_invalidName_throwsWithKindOfField(String bucket, String scope, String kind) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> Namespace.scoped(bucket, scope));
        assertEquals(kind, e.kind());
        assertEquals("Invalid " + kind + " name: " + e.rule(), e.getMessage());
    }

    @Test
    void equals_sameBucketAndScope_equal() {
        assertEquals(Namespace.scoped("b", "s"), Namespace.scoped("b", "s"));
        assertNotEquals(Namespace.scoped("b", "s"), Namespace.scoped("b", "s2"));
        assertNotEquals(Namespace.GLOBAL, Namespace.scoped("b", "s"));
    }
}
