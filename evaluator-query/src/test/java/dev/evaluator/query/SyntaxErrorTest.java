package dev.evaluator.query;

import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class SyntaxErrorTest {
    static Stream<Arguments> badStatements() {
        return Stream.of(
                argumentSet("empty input", "", 1, 1,
                        "syntax error - line 1, column 1, at: end of input"),
                argumentSet("only a comment", "  -- nothing\n", 1, 1,
                        "syntax error - line 1, column 1, at: end of input"),
                argumentSet("only a semicolon", ";", 1, 1,
                        "syntax error - line 1, column 1, at: ;"),
                argumentSet("not a statement", "hello world", 1, 1,
                        "syntax error - line 1, column 1, at: hello"),
                argumentSet("CREATE VIEW (Couchbase's own example)", "CREATE VIEW v AS SELECT 1", 1, 8,
                        "syntax error - line 1, column 8, near 'CREATE ', at: VIEW (reserved word)"),
                argumentSet("CREATE PRIMARY without INDEX", "CREATE PRIMARY KEY", 1, 16,
                        "syntax error - line 1, column 16, near 'CREATE PRIMARY ', at: KEY (reserved word)"),
                argumentSet("OR without REPLACE", "CREATE OR FUNCTION f() LANGUAGE JAVASCRIPT AS 'f' AT 'l'", 1, 11,
                        "syntax error - line 1, column 11, near 'CREATE OR ', at: FUNCTION (reserved word)"),
                argumentSet("missing parameter list",
                        "CREATE FUNCTION f LANGUAGE JAVASCRIPT AS \"f\" AT \"lib\"", 1, 19,
                        "syntax error - line 1, column 19, near 'CREATE FUNCTION f ', at: LANGUAGE (reserved word)"),
                argumentSet("missing closing parenthesis", "EXECUTE FUNCTION f(1, 2", 1, 24,
                        "syntax error - line 1, column 24, near '...CUTE FUNCTION f(1, 2', at: end of input"),
                argumentSet("EXECUTE FUNCTION without arguments", "EXECUTE FUNCTION f", 1, 19,
                        "syntax error - line 1, column 19, near 'EXECUTE FUNCTION f', at: end of input"),
                argumentSet("IF NOT EXISTS twice",
                        "CREATE FUNCTION IF NOT EXISTS f(a) IF NOT EXISTS LANGUAGE JAVASCRIPT AS \"f\" AT \"lib\"",
                        1, 36, "syntax error: specify IF NOT EXISTS only once - line 1, column 36,"
                                + " near '...IF NOT EXISTS f(a) ', at: IF (reserved word)"),
                argumentSet("IF EXISTS twice", "DROP FUNCTION IF EXISTS f IF EXISTS", 1, 27,
                        "syntax error - line 1, column 27, near '...UNCTION IF EXISTS f ', at: IF (reserved word)"),
                argumentSet("duplicate parameter",
                        "CREATE FUNCTION f(a, b, a) LANGUAGE JAVASCRIPT AS \"f\" AT \"lib\"", 1, 25,
                        "syntax error: duplicate parameter name 'a' - line 1, column 25,"
                                + " near '...TE FUNCTION f(a, b, ', at: a"),
                argumentSet("JavaScript without AT", "CREATE FUNCTION f(a) LANGUAGE JAVASCRIPT AS \"f\"", 1, 48,
                        "syntax error - line 1, column 48, near '...GE JAVASCRIPT AS \"f\"', at: end of input"),
                argumentSet("unknown language", "CREATE FUNCTION f() LANGUAGE python AS \"f\" AT \"l\"", 1, 30,
                        "syntax error - line 1, column 30, near '...NCTION f() LANGUAGE ', at: python"),
                argumentSet("AS with a name, not a string", "CREATE FUNCTION f() LANGUAGE JAVASCRIPT AS f AT \"l\"",
                        1, 44, "syntax error - line 1, column 44, near '...GUAGE JAVASCRIPT AS ', at: f"),
                argumentSet("reserved word as function name", "DROP FUNCTION select", 1, 15,
                        "syntax error - line 1, column 15, near 'DROP FUNCTION ', at: select (reserved word)"),
                argumentSet("reserved word as parameter",
                        "CREATE FUNCTION f(value) LANGUAGE JAVASCRIPT AS \"f\" AT \"l\"", 1, 19,
                        "syntax error - line 1, column 19, near 'CREATE FUNCTION f(', at: value (reserved word)"),
                argumentSet("reserved word in a path, as on Couchbase", "SELECT RAW identity.bucket", 1, 21,
                        "syntax error - line 1, column 21, near 'SELECT RAW identity.', at: bucket (reserved word)"),
                argumentSet("stray token after statement", "DROP FUNCTION f x", 1, 17,
                        "syntax error - line 1, column 17, near 'DROP FUNCTION f ', at: x"),
                argumentSet("second statement", "SELECT 1; SELECT 2", 1, 11,
                        "syntax error - line 1, column 11, near 'SELECT 1; ', at: SELECT (reserved word)"),
                argumentSet("two semicolons", "SELECT 1;;", 1, 10,
                        "syntax error - line 1, column 10, near 'SELECT 1;', at: ;"),
                argumentSet("unterminated string", "SELECT RAW \"abc", 1, 12,
                        "syntax error: invalid quoted string - missing closing quote - line 1, column 12,"
                                + " near 'SELECT RAW ', at: \"abc"),
                argumentSet("unterminated string after an escaped quote", "SELECT RAW 'abc\\'", 1, 12,
                        "syntax error: invalid quoted string - missing closing quote - line 1, column 12,"
                                + " near 'SELECT RAW ', at: 'abc\\'"),
                argumentSet("unterminated string on line 2", "SELECT RAW\n  'it''s", 2, 3,
                        "syntax error: invalid quoted string - missing closing quote - line 2, column 3,"
                                + " at: 'it''s"),
                argumentSet("unterminated back-quote", "DROP FUNCTION `travel-sample.f", 1, 15,
                        "syntax error: invalid escaped identifier - missing closing quote - line 1, column 15,"
                                + " near 'DROP FUNCTION ', at: `travel-sample.f"),
                argumentSet("empty back-quote", "SELECT RAW ``", 1, 12,
                        "syntax error: invalid escaped identifier - empty identifier - line 1, column 12,"
                                + " near 'SELECT RAW ', at: ``"),
                argumentSet("invalid escape", "SELECT RAW \"a\\x\"", 1, 12,
                        "syntax error: invalid quoted string - invalid escape sequence - line 1, column 12,"
                                + " near 'SELECT RAW ', at: \"a\\x\""),
                argumentSet("short unicode escape", "SELECT RAW '\\u12'", 1, 12,
                        "syntax error: invalid quoted string - invalid escape sequence - line 1, column 12,"
                                + " near 'SELECT RAW ', at: '\\u12'"),
                argumentSet("letters glued to a number", "SELECT RAW 12abc", 1, 12,
                        "syntax error: invalid number - line 1, column 12, near 'SELECT RAW ', at: 12abc"),
                argumentSet("leading zero", "SELECT RAW 01", 1, 12,
                        "syntax error: invalid number - line 1, column 12, near 'SELECT RAW ', at: 01"),
                argumentSet("unterminated block comment", "SELECT 1 /* never closed", 1, 10,
                        "syntax error: unterminated comment - line 1, column 10, near 'SELECT 1 ',"
                                + " at: /* never closed"),
                argumentSet("chained comparison", "SELECT RAW a = b = c", 1, 18,
                        "syntax error - line 1, column 18, near 'SELECT RAW a = b ', at: ="),
                argumentSet("trailing comma", "SELECT RAW [1, 2,]", 1, 18,
                        "syntax error - line 1, column 18, near 'SELECT RAW [1, 2,', at: ]"),
                argumentSet("object name not a string", "SELECT RAW {a: 1}", 1, 13,
                        "syntax error - line 1, column 13, near 'SELECT RAW {', at: a"),
                argumentSet("namespace outside a function name", "SELECT RAW default:x", 1, 21,
                        "syntax error - line 1, column 21, near 'SELECT RAW default:x', at: end of input"),
                argumentSet("negative LIMIT", "SELECT * LIMIT -1", 1, 16,
                        "syntax error - line 1, column 16, near 'SELECT * LIMIT ', at: -"),
                argumentSet("LIMIT beyond a long", "SELECT * LIMIT 9223372036854775808", 1, 16,
                        "syntax error: LIMIT value out of range - line 1, column 16, near 'SELECT * LIMIT ',"
                                + " at: 9223372036854775808"),
                argumentSet("positional parameter $0", "SELECT RAW $0", 1, 12,
                        "syntax error - line 1, column 12, near 'SELECT RAW ', at: $"),
                argumentSet("positional parameter beyond an int", "SELECT RAW $99999999999", 1, 12,
                        "syntax error: invalid positional parameter - line 1, column 12, near 'SELECT RAW ',"
                                + " at: $99999999999"),
                argumentSet("arithmetic is not supported", "SELECT RAW 1 + 2", 1, 14,
                        "syntax error - line 1, column 14, near 'SELECT RAW 1 ', at: +"),
                argumentSet("DISTINCT is not supported", "SELECT DISTINCT a", 1, 8,
                        "syntax error - line 1, column 8, near 'SELECT ', at: DISTINCT (reserved word)"),
                argumentSet("ORDER without BY", "SELECT a FROM k ORDER a", 1, 23,
                        "syntax error - line 1, column 23, near '...LECT a FROM k ORDER ', at: a"),
                argumentSet("NULLS without FIRST or LAST", "SELECT a ORDER BY a NULLS", 1, 26,
                        "syntax error - line 1, column 26, near '...T a ORDER BY a NULLS', at: end of input"),
                argumentSet("ORDER BY after LIMIT", "SELECT a LIMIT 1 ORDER BY a", 1, 18,
                        "syntax error - line 1, column 18, near 'SELECT a LIMIT 1 ', at: ORDER (reserved word)"),
                argumentSet("OFFSET twice", "SELECT a OFFSET 1 LIMIT 1 OFFSET 2", 1, 27,
                        "syntax error - line 1, column 27, near '...a OFFSET 1 LIMIT 1 ', at: OFFSET"
                                + " (reserved word)"),
                argumentSet("OFFSET beyond a long", "SELECT * OFFSET 9223372036854775808", 1, 17,
                        "syntax error: OFFSET value out of range - line 1, column 17, near 'SELECT * OFFSET ',"
                                + " at: 9223372036854775808"),
                argumentSet("third line, tab counted as one column", "SELECT *\nFROM k\nWHERE\ta ==", 3, 11,
                        "syntax error - line 3, column 11, near 'WHERE\ta ==', at: end of input"),
                argumentSet("columns count code points", "SELECT RAW '\u2603\uD83D\uDE00' x y", 1, 19,
                        "syntax error - line 1, column 19, near 'SELECT RAW '\u2603\uD83D\uDE00' x ', at: y"),
                argumentSet("near stops at the line start", "SELECT RAW [\n    1 2]", 2, 7,
                        "syntax error - line 2, column 7, near '1 ', at: 2"));
    }

    @ParameterizedTest
    @MethodSource("badStatements")
    void parse_badStatement_throwsWithPositionAndCouchbaseMessage(String statement, int line, int column,
            String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> SqlParser.parse(statement));
        assertEquals(message, e.getMessage());
        assertEquals(line, e.line());
        assertEquals(column, e.column());
        assertEquals(3000, e.code());
    }

    @Test
    void parse_duplicateParameter_carriesStructuredFields() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> SqlParser.parse(
                "CREATE FUNCTION f(a, b, a) LANGUAGE JAVASCRIPT AS \"f\" AT \"lib\""));
        assertEquals("...TE FUNCTION f(a, b, ", e.near());
        assertEquals("a", e.at());
        assertEquals(Optional.of("duplicate parameter name 'a'"), e.detail());
        assertFalse(e.reservedWord());
    }

    @Test
    void parse_endOfInput_atSaysEndOfInput() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> SqlParser.parse("SELECT"));
        assertEquals(QuerySyntaxException.END_OF_INPUT, e.at());
        assertEquals("SELECT", e.near());
        assertEquals(Optional.empty(), e.detail());
    }

    @Test
    void parse_reservedWord_isFlagged() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> SqlParser.parse("SELECT FROM"));
        assertTrue(e.reservedWord());
        assertEquals("FROM", e.at());
    }

    @Test
    void parse_deeplyNestedExpression_throwsSyntaxErrorNotStackOverflow() {
        String open = "(".repeat(100_000);
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> SqlParser.parse("SELECT RAW " + open + "1" + ")".repeat(100_000)));
        assertEquals(Optional.of("expression nested too deeply"), e.detail());
        assertThrows(QuerySyntaxException.class, () -> SqlParser.parse("SELECT RAW " + "NOT ".repeat(100_000) + "1"));
        assertThrows(QuerySyntaxException.class, () -> SqlParser.parse("SELECT RAW " + "- ".repeat(100_000) + "1"));
        assertThrows(QuerySyntaxException.class, () -> SqlParser.parse("SELECT RAW " + "[".repeat(100_000)));
    }

    @Test
    void parse_nestingWithinLimit_parses() {
        assertEquals(new Expression.Literal(1L), SelectTest.raw("(".repeat(400) + "1" + ")".repeat(400)));
    }

    @Test
    void parse_null_throwsNullPointer() {
        assertThrows(NullPointerException.class, () -> SqlParser.parse(null));
    }

    @Test
    void create_columnBelowOne_throwsIllegalArgument() {
        assertThrows(IllegalArgumentException.class,
                () -> new QuerySyntaxException(1, 0, "", "x", Optional.empty(), false));
    }

    @Test
    void create_withoutNear_omitsNearFromMessage() {
        QuerySyntaxException e = new QuerySyntaxException(2, 1, "", "x", Optional.of("why"), true);
        assertEquals("syntax error: why - line 2, column 1, at: x (reserved word)", e.getMessage());
        assertEquals(QuerySyntaxException.CODE, e.code());
    }
}
