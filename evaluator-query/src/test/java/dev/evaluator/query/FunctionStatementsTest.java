package dev.evaluator.query;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.evaluator.query.Expression.Literal;
import dev.evaluator.query.Expression.NamedParameter;
import dev.evaluator.query.Expression.Path;
import dev.evaluator.query.Expression.PositionalParameter;
import dev.evaluator.query.Statement.CreateFunction;
import dev.evaluator.query.Statement.DropFunction;
import dev.evaluator.query.Statement.ExecuteFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class FunctionStatementsTest {
    private static final FunctionName F = FunctionName.of("f");

    private static CreateFunction create(FunctionName name, boolean orReplace, boolean ifNotExists,
            List<String> parameters) {
        return new CreateFunction(name, orReplace, ifNotExists, Optional.of(parameters), "add", "math");
    }

    static Stream<Arguments> createForms() {
        return Stream.of(
                argumentSet("no parameters",
                        "CREATE FUNCTION f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, false, false, List.of())),
                argumentSet("two parameters",
                        "CREATE FUNCTION f(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, false, false, List.of("a", "b"))),
                argumentSet("variadic",
                        "CREATE FUNCTION f(...) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        new CreateFunction(F, false, false, Optional.empty(), "add", "math")),
                argumentSet("variadic dots spaced, as Couchbase reads them",
                        "CREATE FUNCTION f(. . .) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        new CreateFunction(F, false, false, Optional.empty(), "add", "math")),
                argumentSet("lower case keywords, single-quoted strings",
                        "create function f(a) language javascript as 'add' at 'math'",
                        create(F, false, false, List.of("a"))),
                argumentSet("mixed case keywords",
                        "CrEaTe FuNcTiOn f(a) LaNgUaGe JaVaScRiPt As \"add\" aT \"math\"",
                        create(F, false, false, List.of("a"))),
                argumentSet("OR REPLACE",
                        "CREATE OR REPLACE FUNCTION f(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, true, false, List.of("a"))),
                argumentSet("IF NOT EXISTS before the name",
                        "CREATE FUNCTION IF NOT EXISTS f(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, false, true, List.of("a"))),
                argumentSet("IF NOT EXISTS after the parameters",
                        "CREATE FUNCTION f(a) IF NOT EXISTS LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, false, true, List.of("a"))),
                argumentSet("OR REPLACE with IF NOT EXISTS: both recorded, the caller rejects",
                        "CREATE OR REPLACE FUNCTION IF NOT EXISTS f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, true, true, List.of())),
                argumentSet("default namespace",
                        "CREATE FUNCTION default:f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(new FunctionName(Optional.of("default"), List.of("f")), false, false, List.of())),
                argumentSet("scoped",
                        "CREATE FUNCTION `travel-sample`.inventory.f() LANGUAGE JAVASCRIPT AS \"add\""
                                + " AT \"travel-sample/inventory/math\"",
                        new CreateFunction(FunctionName.of("travel-sample", "inventory", "f"), false, false,
                                Optional.of(List.of()), "add", "travel-sample/inventory/math")),
                argumentSet("scoped with namespace",
                        "CREATE FUNCTION default:b.s.f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(new FunctionName(Optional.of("default"), List.of("b", "s", "f")), false, false,
                                List.of())),
                argumentSet("two parts: recorded, the caller rejects",
                        "CREATE FUNCTION a.f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(FunctionName.of("a", "f"), false, false, List.of())),
                argumentSet("four parts: recorded, the caller rejects",
                        "CREATE FUNCTION a.b.c.f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(FunctionName.of("a", "b", "c", "f"), false, false, List.of())),
                argumentSet("back-quoted reserved word and escaped back-quote as names",
                        "CREATE FUNCTION `select`(`from`, `a``b`) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(FunctionName.of("select"), false, false, List.of("from", "a`b"))),
                argumentSet("non-reserved keywords, and ORDER, as names",
                        "CREATE FUNCTION user(type, default, order) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(FunctionName.of("user"), false, false, List.of("type", "default", "order"))),
                argumentSet("names differing only in case are different",
                        "CREATE FUNCTION f(a, A) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                        create(F, false, false, List.of("a", "A"))),
                argumentSet("comments, newlines and a trailing semicolon",
                        "-- adds\nCREATE FUNCTION /* the name */ f(a, -- first\n b)\n"
                                + "LANGUAGE JAVASCRIPT AS \"add\" AT \"math\" ;  -- done",
                        create(F, false, false, List.of("a", "b"))),
                argumentSet("strings with escapes",
                        "CREATE FUNCTION f() LANGUAGE JAVASCRIPT AS \"a\\\"d\\u0064\" AT 'ma''th'",
                        new CreateFunction(F, false, false, Optional.of(List.of()), "a\"dd", "ma'th")));
    }

    @ParameterizedTest
    @MethodSource("createForms")
    void parse_createFunction_returnsCreateFunction(String statement, CreateFunction expected) {
        assertEquals(expected, SqlParser.parse(statement));
    }

    @Test
    void parse_variadicCreateFunction_isVariadic() {
        CreateFunction variadic = (CreateFunction) SqlParser.parse(
                "CREATE FUNCTION f(...) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        CreateFunction none = (CreateFunction) SqlParser.parse(
                "CREATE FUNCTION f() LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        assertTrue(variadic.variadic());
        assertFalse(none.variadic());
        assertEquals(Optional.of(List.of()), none.parameters());
    }

    static Stream<Arguments> dropForms() {
        return Stream.of(
                argumentSet("plain", "DROP FUNCTION f", new DropFunction(F, false)),
                argumentSet("IF EXISTS before the name", "DROP FUNCTION IF EXISTS f", new DropFunction(F, true)),
                argumentSet("IF EXISTS after the name", "drop function f if exists;", new DropFunction(F, true)),
                argumentSet("scoped, namespaced, back-quoted", "DROP FUNCTION default:`travel-sample`.`in``v`.f",
                        new DropFunction(new FunctionName(Optional.of("default"),
                                List.of("travel-sample", "in`v", "f")), false)),
                argumentSet("system namespace", "DROP FUNCTION system:f",
                        new DropFunction(new FunctionName(Optional.of("system"), List.of("f")), false)),
                argumentSet("namespace as written", "DROP FUNCTION DEFAULT:f",
                        new DropFunction(new FunctionName(Optional.of("DEFAULT"), List.of("f")), false)));
    }

    @ParameterizedTest
    @MethodSource("dropForms")
    void parse_dropFunction_returnsDropFunction(String statement, DropFunction expected) {
        assertEquals(expected, SqlParser.parse(statement));
    }

    static Stream<Arguments> executeForms() {
        return Stream.of(
                argumentSet("no arguments", "EXECUTE FUNCTION f()", new ExecuteFunction(F, List.of())),
                argumentSet("literal and parameter arguments", "execute function f(1, 'a', $1, $x, NULL);",
                        new ExecuteFunction(F, List.of(new Literal(1L), new Literal("a"),
                                new PositionalParameter(1), new NamedParameter("x"), Literal.NULL))),
                argumentSet("expression arguments", "EXECUTE FUNCTION b.s.f([1, {\"k\": -2}], g(x), a.b)",
                        new ExecuteFunction(FunctionName.of("b", "s", "f"), List.of(
                                new Expression.ArrayConstructor(List.of(new Literal(1L),
                                        new Expression.ObjectConstructor(java.util.Map.of("k", new Literal(-2L))))),
                                new Expression.FunctionCall(FunctionName.of("g"), List.of(Path.of("x"))),
                                Path.of("a", "b")))));
    }

    @ParameterizedTest
    @MethodSource("executeForms")
    void parse_executeFunction_returnsExecuteFunction(String statement, ExecuteFunction expected) {
        assertEquals(expected, SqlParser.parse(statement));
    }
}
