package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.evaluator.query.Expression.Literal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class ValueTypesTest {
    static Stream<Arguments> writtenNames() {
        return Stream.of(
                argumentSet("plain", FunctionName.of("f"), "f", Optional.empty(), Optional.empty()),
                argumentSet("scoped", FunctionName.of("b", "s", "f"), "b.s.f", Optional.of("b"), Optional.of("s")),
                argumentSet("namespaced and back-quoted",
                        new FunctionName(Optional.of("default"), List.of("travel-sample", "inventory", "f")),
                        "default:`travel-sample`.inventory.f", Optional.of("travel-sample"), Optional.of("inventory")),
                argumentSet("system namespace stays unquoted",
                        new FunctionName(Optional.of("system"), List.of("f")), "system:f", Optional.empty(),
                        Optional.empty()),
                argumentSet("reserved words, back-quotes and backslashes quoted",
                        FunctionName.of("select", "a`b", "c\\d"), "`select`.`a``b`.`c\\\\d`", Optional.of("select"),
                        Optional.of("a`b")),
                argumentSet("two parts: no bucket or scope", FunctionName.of("s", "f"), "s.f", Optional.empty(),
                        Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("writtenNames")
    void functionName_variousForms_writesAndSplitsParts(FunctionName name, String written, Optional<String> bucket,
            Optional<String> scope) {
        assertEquals(written, name.toString());
        assertEquals(bucket, name.bucket());
        assertEquals(scope, name.scope());
        assertEquals(name.parts().getLast(), name.name());
    }

    @Test
    void keyspace_toString_writesNamespaceAndPath() {
        assertEquals("system:functions", new Keyspace(Optional.of("system"), List.of("functions")).toString());
        assertEquals("`travel-sample`.inventory.`order`",
                new Keyspace(Optional.empty(), List.of("travel-sample", "inventory", "order")).toString());
    }

    static Stream<Arguments> invalidValues() {
        Literal one = new Literal(1L);
        return Stream.of(
                argumentSet("function name without parts", (Executable) FunctionName::of),
                argumentSet("function name with an empty part", (Executable) () -> FunctionName.of("a", "")),
                argumentSet("function name with an empty namespace",
                        (Executable) () -> new FunctionName(Optional.of(""), List.of("f"))),
                argumentSet("keyspace without parts",
                        (Executable) () -> new Keyspace(Optional.empty(), List.of())),
                argumentSet("literal of another type", (Executable) () -> new Literal(1)),
                argumentSet("literal of a double", (Executable) () -> new Literal(1.5)),
                argumentSet("positional parameter 0", (Executable) () -> new Expression.PositionalParameter(0)),
                argumentSet("empty parameter name", (Executable) () -> new Expression.NamedParameter("")),
                argumentSet("empty path", (Executable) () -> new Expression.Path(List.of())),
                argumentSet("repeated parameter names", (Executable) () -> new Statement.CreateFunction(
                        FunctionName.of("f"), false, false, Optional.of(List.of("a", "a")), "f", "l")),
                argumentSet("RAW with two projections", (Executable) () -> new Statement.Select(true, List.of(
                        new Projection(one, Optional.empty()), new Projection(one, Optional.empty())),
                        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                        Optional.empty())),
                argumentSet("FROM alias without FROM", (Executable) () -> new Statement.Select(false, List.of(),
                        Optional.empty(), Optional.of("t"), Optional.empty(), List.of(), Optional.empty(),
                        Optional.empty())),
                argumentSet("negative LIMIT", (Executable) () -> new Statement.Select(false, List.of(),
                        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.of(-1L),
                        Optional.empty())),
                argumentSet("negative OFFSET", (Executable) () -> new Statement.Select(false, List.of(),
                        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                        Optional.of(-1L))),
                argumentSet("call path without fields", (Executable) () -> new Expression.CallPath(
                        new Expression.FunctionCall(FunctionName.of("meta"), List.of()), List.of())),
                argumentSet("blank statement kind", (Executable) () -> new Statement.Unsupported(" ")));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void create_invalidValue_throwsIllegalArgument(Executable create) {
        assertThrows(IllegalArgumentException.class, create);
    }

    @Test
    void create_nullComponent_throwsNullPointer() {
        assertThrows(NullPointerException.class, () -> new FunctionName(null, List.of("f")));
        assertThrows(NullPointerException.class, () -> FunctionName.of("a", null));
        assertThrows(NullPointerException.class, () -> new Projection(null, Optional.empty()));
        assertThrows(NullPointerException.class,
                () -> new Expression.ArrayConstructor(java.util.Arrays.asList(Literal.NULL, null)));
        assertThrows(NullPointerException.class, () -> new Statement.DropFunction(null, false));
    }

    @Test
    void literal_bigIntegerThatFitsALong_isStoredAsLong() {
        assertEquals(new Literal(5L), new Literal(BigInteger.valueOf(5)));
        assertEquals(Long.class, new Literal(BigInteger.valueOf(Long.MIN_VALUE)).value().getClass());
        assertEquals(BigInteger.class, new Literal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE))
                .value().getClass());
    }

    @Test
    void literal_decimal_keepsScale() {
        assertEquals(new BigDecimal("1.50"), new Literal(new BigDecimal("1.50")).value());
    }

    @Test
    void createFunction_parametersList_isImmutableCopy() {
        List<String> names = new java.util.ArrayList<>(List.of("a"));
        Statement.CreateFunction create = new Statement.CreateFunction(FunctionName.of("f"), false, false,
                Optional.of(names), "f", "l");
        names.add("b");
        assertEquals(Optional.of(List.of("a")), create.parameters());
        assertThrows(UnsupportedOperationException.class, () -> create.parameters().orElseThrow().add("c"));
    }
}
