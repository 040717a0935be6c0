package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.evaluator.query.Expression.And;
import dev.evaluator.query.Expression.ArrayConstructor;
import dev.evaluator.query.Expression.Comparison;
import dev.evaluator.query.Expression.Comparison.Operator;
import dev.evaluator.query.Expression.FunctionCall;
import dev.evaluator.query.Expression.Literal;
import dev.evaluator.query.Expression.Missing;
import dev.evaluator.query.Expression.NamedParameter;
import dev.evaluator.query.Expression.Negate;
import dev.evaluator.query.Expression.Not;
import dev.evaluator.query.Expression.ObjectConstructor;
import dev.evaluator.query.Expression.Or;
import dev.evaluator.query.Expression.Path;
import dev.evaluator.query.Expression.PositionalParameter;
import dev.evaluator.query.Statement.Select;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class SelectTest {
    private static final Path A = Path.of("a");
    private static final Path B = Path.of("b");
    private static final Path C = Path.of("c");

    /** The expression of {@code SELECT RAW text}. */
    static Expression raw(String text) {
        Select select = assertInstanceOf(Select.class, SqlParser.parse("SELECT RAW " + text));
        return select.projections().getFirst().expression();
    }

    private static Comparison compare(Expression left, Operator operator, Expression right) {
        return new Comparison(operator, left, right);
    }

    private static Select select(List<Projection> projections, Optional<Keyspace> from, Optional<String> alias,
            Optional<Expression> where, Optional<Long> limit) {
        return new Select(false, projections, from, alias, where, List.of(), limit, Optional.empty());
    }

    private static Select ordered(List<Projection> projections, List<OrderTerm> orderBy, Optional<Long> limit,
            Optional<Long> offset) {
        return new Select(false, projections, Optional.empty(), Optional.empty(), Optional.empty(), orderBy, limit,
                offset);
    }

    private static OrderTerm term(Expression expression, boolean descending, Optional<OrderTerm.Nulls> nulls) {
        return new OrderTerm(expression, descending, nulls);
    }

    private static Projection project(Expression expression) {
        return new Projection(expression, Optional.empty());
    }

    static Stream<Arguments> selectForms() {
        Keyspace functions = new Keyspace(Optional.of("system"), List.of("functions"));
        return Stream.of(
                argumentSet("SELECT *", "SELECT *",
                        select(List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())),
                argumentSet("SELECT * FROM system:functions", "select * from system:functions",
                        select(List.of(), Optional.of(functions), Optional.empty(), Optional.empty(),
                                Optional.empty())),
                argumentSet("RAW without FROM", "SELECT RAW celsius(100)",
                        new Select(true, List.of(project(new FunctionCall(FunctionName.of("celsius"),
                                List.of(new Literal(100L))))), Optional.empty(), Optional.empty(), Optional.empty(),
                                List.of(), Optional.empty(), Optional.empty())),
                argumentSet("ELEMENT and VALUE are RAW", "SELECT ELEMENT 1",
                        new Select(true, List.of(project(new Literal(1L))), Optional.empty(), Optional.empty(),
                                Optional.empty(), List.of(), Optional.empty(), Optional.empty())),
                argumentSet("RAW with an alias", "SELECT VALUE a AS x",
                        new Select(true, List.of(new Projection(A, Optional.of("x"))), Optional.empty(),
                                Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty())),
                argumentSet("projections with and without AS", "SELECT a AS x, b y, c, `d-e` AS `f g`",
                        select(List.of(new Projection(A, Optional.of("x")), new Projection(B, Optional.of("y")),
                                project(C), new Projection(Path.of("d-e"), Optional.of("f g"))), Optional.empty(),
                                Optional.empty(), Optional.empty(), Optional.empty())),
                argumentSet("FROM with alias, WHERE, LIMIT, semicolon",
                        "SELECT f.identity.name FROM system:functions AS f WHERE f.identity.`bucket` = $b LIMIT 10;",
                        select(List.of(project(Path.of("f", "identity", "name"))), Optional.of(functions),
                                Optional.of("f"), Optional.of(compare(Path.of("f", "identity", "bucket"),
                                        Operator.EQUAL, new NamedParameter("b"))), Optional.of(10L))),
                argumentSet("FROM alias without AS", "SELECT 1 FROM k t",
                        select(List.of(project(new Literal(1L))),
                                Optional.of(new Keyspace(Optional.empty(), List.of("k"))), Optional.of("t"),
                                Optional.empty(), Optional.empty())),
                argumentSet("FROM a namespaced scoped collection",
                        "SELECT * FROM default:`travel-sample`.inventory.airline LIMIT 0",
                        select(List.of(), Optional.of(new Keyspace(Optional.of("default"),
                                List.of("travel-sample", "inventory", "airline"))), Optional.empty(),
                                Optional.empty(), Optional.of(0L))),
                argumentSet("FROM a plain path", "SELECT * FROM b.s.c",
                        select(List.of(), Optional.of(new Keyspace(Optional.empty(), List.of("b", "s", "c"))),
                                Optional.empty(), Optional.empty(), Optional.empty())),
                argumentSet("ORDER BY terms, directions and NULLS",
                        "SELECT a ORDER BY a, b ASC, c DESC, a NULLS FIRST, b DESC NULLS LAST",
                        ordered(List.of(project(A)), List.of(term(A, false, Optional.empty()),
                                term(B, false, Optional.empty()), term(C, true, Optional.empty()),
                                term(A, false, Optional.of(OrderTerm.Nulls.FIRST)),
                                term(B, true, Optional.of(OrderTerm.Nulls.LAST))), Optional.empty(),
                                Optional.empty())),
                argumentSet("LIMIT then OFFSET", "SELECT a LIMIT 2 OFFSET 3",
                        ordered(List.of(project(A)), List.of(), Optional.of(2L), Optional.of(3L))),
                argumentSet("OFFSET then LIMIT", "SELECT a order by a desc OFFSET 3 LIMIT 2",
                        ordered(List.of(project(A)), List.of(term(A, true, Optional.empty())), Optional.of(2L),
                                Optional.of(3L))),
                argumentSet("OFFSET alone", "SELECT a OFFSET 0",
                        ordered(List.of(project(A)), List.of(), Optional.empty(), Optional.of(0L))),
                argumentSet("LIMIT at the largest long", "SELECT * LIMIT 9223372036854775807",
                        select(List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                                Optional.of(Long.MAX_VALUE))));
    }

    @ParameterizedTest
    @MethodSource("selectForms")
    void parse_select_returnsSelect(String statement, Select expected) {
        assertEquals(expected, SqlParser.parse(statement));
    }

    @Test
    void parse_selectStar_isStar() {
        assertEquals(true, ((Select) SqlParser.parse("SELECT *")).star());
        assertEquals(false, ((Select) SqlParser.parse("SELECT RAW 1")).star());
    }

    static Stream<Arguments> literals() {
        return Stream.of(
                argumentSet("zero", "0", 0L),
                argumentSet("integer", "42", 42L),
                argumentSet("negative integer", "-42", -42L),
                argumentSet("largest long", "9223372036854775807", Long.MAX_VALUE),
                argumentSet("smallest long", "-9223372036854775808", Long.MIN_VALUE),
                argumentSet("just above long", "9223372036854775808", new BigInteger("9223372036854775808")),
                argumentSet("just below long", "-9223372036854775809", new BigInteger("-9223372036854775809")),
                argumentSet("big integer", "123456789012345678901234567890",
                        new BigInteger("123456789012345678901234567890")),
                argumentSet("decimal keeps its scale", "2.50", new BigDecimal("2.50")),
                argumentSet("negative decimal", "-0.125", new BigDecimal("-0.125")),
                argumentSet("exponent", "1e3", new BigDecimal("1E+3")),
                argumentSet("signed exponent", "2.5E-3", new BigDecimal("0.0025")),
                argumentSet("decimal beyond double", "0.1000000000000000000000001",
                        new BigDecimal("0.1000000000000000000000001")),
                argumentSet("double minus", "- -7", 7L),
                argumentSet("minus before parentheses", "-(3)", -3L),
                argumentSet("true, any case", "TrUe", true),
                argumentSet("false", "false", false),
                argumentSet("double-quoted string", "\"abc\"", "abc"),
                argumentSet("single-quoted string", "'abc'", "abc"),
                argumentSet("empty string", "''", ""),
                argumentSet("JSON escapes", "\"\\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\`\"",
                        "\" ' \\ / \b \f \n \r \t `"),
                argumentSet("unicode escapes", "'\\u00e9\\u00C9'", "éÉ"),
                argumentSet("surrogate pair escape", "\"\\uD83D\\uDE00\"", "\uD83D\uDE00"),
                argumentSet("lone surrogate escape", "\"\\uD83D!\"", "\uFFFD!"),
                argumentSet("doubled single quote", "'it''s'", "it's"),
                argumentSet("doubled double quote", "\"say \"\"hi\"\"\"", "say \"hi\""),
                argumentSet("other quote inside", "\"it's\" ", "it's"),
                argumentSet("raw newline and non-ASCII inside", "'a\nb ☃'", "a\nb ☃"),
                argumentSet("comment markers inside a string", "'-- /* */'", "-- /* */"));
    }

    @ParameterizedTest
    @MethodSource("literals")
    void parse_literal_keepsValue(String text, Object value) {
        assertEquals(new Literal(value), raw(text));
    }

    @Test
    void parse_null_isNullLiteral() {
        assertEquals(Literal.NULL, raw("null"));
        assertEquals(Literal.NULL, raw("NULL"));
    }

    static Stream<Arguments> expressions() {
        Literal one = new Literal(1L);
        Literal two = new Literal(2L);
        return Stream.of(
                argumentSet("MISSING", "missing", new Missing()),
                argumentSet("positional parameter", "$12", new PositionalParameter(12)),
                argumentSet("named parameter", "$my_name1", new NamedParameter("my_name1")),
                argumentSet("path", "identity.name", Path.of("identity", "name")),
                argumentSet("back-quoted path", "`t`.`x`", Path.of("t", "x")),
                argumentSet("back-quoted special characters", "`travel-sample`.`a b`.`c``d`.`e\\\\f`",
                        Path.of("travel-sample", "a b", "c`d", "e\\f")),
                argumentSet("back-quoted keyword is a name", "`select`", Path.of("select")),
                argumentSet("identifier with $ inside", "a$b", Path.of("a$b")),
                argumentSet("non-reserved keyword is a name", "user.type", Path.of("user", "type")),
                argumentSet("empty array", "[]", new ArrayConstructor(List.of())),
                argumentSet("empty object", "{}", new ObjectConstructor(Map.of())),
                argumentSet("nested arrays and objects", "[1, [2, []], {\"a\": {\"b\": [null]}, 'c': MISSING}]",
                        new ArrayConstructor(List.of(one, new ArrayConstructor(List.of(two,
                                new ArrayConstructor(List.of()))), new ObjectConstructor(ordered(
                                "a", new ObjectConstructor(Map.of("b", new ArrayConstructor(
                                        List.of(Literal.NULL)))), "c", new Missing()))))),
                argumentSet("function call without arguments", "now_str()",
                        new FunctionCall(FunctionName.of("now_str"), List.of())),
                argumentSet("namespaced scoped function call", "default:b.s.f(1, 2)",
                        new FunctionCall(new FunctionName(Optional.of("default"), List.of("b", "s", "f")),
                                List.of(one, two))),
                argumentSet("meta().id", "meta().id",
                        new Expression.CallPath(new FunctionCall(FunctionName.of("meta"), List.of()), List.of("id"))),
                argumentSet("fields after a call with an argument", "meta(f).`id`.x",
                        new Expression.CallPath(new FunctionCall(FunctionName.of("meta"), List.of(Path.of("f"))),
                                List.of("id", "x"))),
                argumentSet("REPLACE as a function", "REPLACE('a', 'b', 'c')",
                        new FunctionCall(FunctionName.of("REPLACE"), List.of(new Literal("a"), new Literal("b"),
                                new Literal("c")))),
                argumentSet("minus before a path", "-a", new Negate(A)),
                argumentSet("minus before a string", "-'x'", new Negate(new Literal("x"))),
                argumentSet("= and ==", "a = 1 AND b == 2",
                        new And(compare(A, Operator.EQUAL, one), compare(B, Operator.EQUAL, two))),
                argumentSet("!= and <>", "a != 1 OR b <> 2",
                        new Or(compare(A, Operator.NOT_EQUAL, one), compare(B, Operator.NOT_EQUAL, two))),
                argumentSet("orderings", "[a < 1, a <= 1, a > 1, a >= 1]", new ArrayConstructor(List.of(
                        compare(A, Operator.LESS, one), compare(A, Operator.LESS_OR_EQUAL, one),
                        compare(A, Operator.GREATER, one), compare(A, Operator.GREATER_OR_EQUAL, one)))),
                argumentSet("AND binds tighter than OR", "a OR b AND c", new Or(A, new And(B, C))),
                argumentSet("AND and OR are left-associative", "a AND b AND c OR a OR b",
                        new Or(new Or(new And(new And(A, B), C), A), B)),
                argumentSet("NOT binds tighter than AND", "NOT a AND b", new And(new Not(A), B)),
                argumentSet("NOT binds looser than comparison", "NOT a = b", new Not(compare(A, Operator.EQUAL, B))),
                argumentSet("NOT NOT", "not not a", new Not(new Not(A))),
                argumentSet("ordering binds tighter than equality", "a < b = b > c",
                        compare(compare(A, Operator.LESS, B), Operator.EQUAL, compare(B, Operator.GREATER, C))),
                argumentSet("unary minus binds tighter than comparison", "-a < -1",
                        compare(new Negate(A), Operator.LESS, new Literal(-1L))),
                argumentSet("parentheses", "(a OR b) AND NOT (c)", new And(new Or(A, B), new Not(C))),
                argumentSet("keywords in any case", "a or b AnD NoT c", new Or(A, new And(B, new Not(C)))),
                argumentSet("no spaces around operators", "a=1", compare(A, Operator.EQUAL, one)));
    }

    @ParameterizedTest
    @MethodSource("expressions")
    void parse_expression_buildsTree(String text, Expression expected) {
        assertEquals(expected, raw(text));
    }

    @Test
    void parse_objectConstructor_keepsWrittenOrder() {
        ObjectConstructor object = (ObjectConstructor) raw("{'z': 1, 'a': 2, 'm': 3}");
        assertEquals(List.of("z", "a", "m"), List.copyOf(object.fields().keySet()));
    }

    @Test
    void parse_objectConstructorRepeatedName_keepsFirstPlaceAndLastValue() {
        ObjectConstructor object = (ObjectConstructor) raw("{'a': 1, 'b': 2, 'a': 3}");
        assertEquals(List.of("a", "b"), List.copyOf(object.fields().keySet()));
        assertEquals(new Literal(3L), object.fields().get("a"));
    }

    @Test
    void parse_objectConstructor_fieldsAreUnmodifiable() {
        ObjectConstructor object = (ObjectConstructor) raw("{'a': 1}");
        assertThrows(UnsupportedOperationException.class, () -> object.fields().put("b", Literal.NULL));
    }

    private static Map<String, Expression> ordered(String k1, Expression v1, String k2, Expression v2) {
        Map<String, Expression> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
