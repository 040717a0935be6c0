package dev.evaluator.query;

import java.util.stream.Stream;

import dev.evaluator.query.Statement.Unsupported;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class UnsupportedTest {
    static Stream<Arguments> statements() {
        return Stream.of(
                argumentSet("INSERT", "INSERT INTO k (KEY, VALUE) VALUES ('a', 1)", "INSERT"),
                argumentSet("UPSERT", "upsert into k values ('a', 1)", "UPSERT"),
                argumentSet("UPDATE", "UPDATE k SET a = 1", "UPDATE"),
                argumentSet("UPDATE STATISTICS", "UPDATE STATISTICS FOR k(a)", "UPDATE STATISTICS"),
                argumentSet("DELETE", "DELETE FROM k", "DELETE"),
                argumentSet("MERGE", "MERGE INTO k USING j ON a = b WHEN MATCHED THEN DELETE", "MERGE"),
                argumentSet("CREATE INDEX", "CREATE INDEX i ON k(a)", "CREATE INDEX"),
                argumentSet("CREATE PRIMARY INDEX", "create primary index on k", "CREATE PRIMARY INDEX"),
                argumentSet("CREATE VECTOR INDEX", "CREATE VECTOR INDEX v ON k(e VECTOR)", "CREATE VECTOR INDEX"),
                argumentSet("CREATE SCOPE", "CREATE SCOPE b.s", "CREATE SCOPE"),
                argumentSet("CREATE COLLECTION", "CREATE COLLECTION b.s.c", "CREATE COLLECTION"),
                argumentSet("CREATE EXTERNAL COLLECTION", "CREATE EXTERNAL COLLECTION c", "CREATE EXTERNAL COLLECTION"),
                argumentSet("CREATE SEQUENCE", "CREATE SEQUENCE s", "CREATE SEQUENCE"),
                argumentSet("CREATE USER", "CREATE USER u", "CREATE USER"),
                argumentSet("CREATE GROUP", "CREATE GROUP g", "CREATE GROUP"),
                argumentSet("CREATE BUCKET", "CREATE BUCKET b", "CREATE BUCKET"),
                argumentSet("CREATE FUNCTION LANGUAGE INLINE",
                        "CREATE FUNCTION f(a) LANGUAGE INLINE AS a + 1", "CREATE FUNCTION ... LANGUAGE INLINE"),
                argumentSet("CREATE FUNCTION with a braced body (inline)",
                        "CREATE OR REPLACE FUNCTION f(a) { a + 1 }", "CREATE FUNCTION ... LANGUAGE INLINE"),
                argumentSet("CREATE FUNCTION LANGUAGE GOLANG",
                        "CREATE FUNCTION f(a) LANGUAGE golang AS 'f' AT 'lib'", "CREATE FUNCTION ... LANGUAGE GOLANG"),
                argumentSet("DROP INDEX", "DROP INDEX k.i", "DROP INDEX"),
                argumentSet("DROP PRIMARY INDEX", "DROP PRIMARY INDEX ON k", "DROP PRIMARY INDEX"),
                argumentSet("DROP SCOPE", "DROP SCOPE b.s", "DROP SCOPE"),
                argumentSet("DROP COLLECTION", "DROP COLLECTION b.s.c", "DROP COLLECTION"),
                argumentSet("ALTER INDEX", "ALTER INDEX i ON k WITH {}", "ALTER INDEX"),
                argumentSet("BUILD INDEX", "BUILD INDEX ON k(i)", "BUILD INDEX"),
                argumentSet("EXPLAIN", "EXPLAIN SELECT 1", "EXPLAIN"),
                argumentSet("EXPLAIN FUNCTION", "EXPLAIN FUNCTION f", "EXPLAIN FUNCTION"),
                argumentSet("PREPARE", "PREPARE p FROM SELECT 1", "PREPARE"),
                argumentSet("EXECUTE of a prepared statement", "EXECUTE p", "EXECUTE"),
                argumentSet("INFER", "INFER k", "INFER"),
                argumentSet("GRANT", "GRANT query_select ON k TO u", "GRANT"),
                argumentSet("REVOKE", "REVOKE query_select ON k FROM u", "REVOKE"),
                argumentSet("BEGIN", "BEGIN WORK", "BEGIN"),
                argumentSet("START", "START TRANSACTION", "START"),
                argumentSet("COMMIT", "COMMIT", "COMMIT"),
                argumentSet("ROLLBACK", "ROLLBACK TO SAVEPOINT s", "ROLLBACK"),
                argumentSet("SAVEPOINT", "SAVEPOINT s", "SAVEPOINT"),
                argumentSet("SET", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET"),
                argumentSet("ADVISE", "ADVISE SELECT 1", "ADVISE"),
                argumentSet("WITH", "WITH a AS (SELECT 1) SELECT a", "WITH"),
                argumentSet("ANALYZE", "ANALYZE k(a)", "ANALYZE"),
                argumentSet("after a comment", "/* bulk */ -- load\n insert into k values ('a', 1)", "INSERT"));
    }

    @ParameterizedTest
    @MethodSource("statements")
    void parse_statementNotRunHere_returnsUnsupportedKind(String statement, String kind) {
        assertEquals(new Unsupported(kind), SqlParser.parse(statement));
    }
}
