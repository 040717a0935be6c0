package dev.evaluator.query;

import java.util.Locale;
import java.util.Set;

/**
 * Couchbase's reserved words: keywords that cannot be names unless back-quoted. The list is Couchbase's (8.0)
 * minus the keywords its grammar also accepts as names ({@code DEFAULT}, {@code USER}, {@code TYPE} and the like),
 * so a name that works here also works on Couchbase.
 */
final class ReservedWords {
    private static final Set<String> WORDS = Set.of(
            "ADVISE", "ALL", "ALTER", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "AT", "BEGIN", "BETWEEN",
            "BINARY", "BOOLEAN", "BREAK", "BUCKET", "BUILD", "BY", "CACHE", "CALL", "CASE", "CAST", "CLUSTER",
            "COLLATE", "COLLECTION", "COMMIT", "COMMITTED", "CONNECT", "CONTINUE", "CORRELATED", "COVER", "CREATE",
            "CURRENT", "DATABASE", "DATASET", "DATASTORE", "DECLARE", "DECREMENT", "DELETE", "DERIVED", "DESC",
            "DESCRIBE", "DISTINCT", "DO", "DROP", "EACH", "ELEMENT", "ELSE", "END", "ESCAPE", "EVERY", "EXCEPT",
            "EXCLUDE", "EXECUTE", "EXISTS", "EXPLAIN", "FALSE", "FETCH", "FILTER", "FIRST", "FLATTEN",
            "FLATTEN_KEYS", "FLUSH", "FOLLOWING", "FOR", "FORCE", "FROM", "FTS", "FUNCTION", "GOLANG", "GRANT",
            "GROUP", "GROUPS", "GSI", "HASH", "HAVING", "IF", "IGNORE", "ILIKE", "IN", "INCLUDE", "INCREMENT",
            "INDEX", "INFER", "INLINE", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "ISOLATION", "JAVASCRIPT",
            "JOIN", "KEY", "KEYS", "KEYSPACE", "KNOWN", "LANGUAGE", "LAST", "LATERAL", "LEFT", "LET", "LETTING",
            "LEVEL", "LIKE", "LIMIT", "LSM", "MAP", "MAPPING", "MATCHED", "MATERIALIZED", "MAXVALUE", "MERGE",
            "MINVALUE", "MISSING", "NAMESPACE", "NEST", "NEXT", "NEXTVAL", "NL", "NO", "NOT", "NTH_VALUE", "NULL",
            "NULLS", "NUMBER", "OBJECT", "OFFSET", "ON", "OPTION", "OPTIONS", "OR", "ORDER", "OTHERS", "OUTER",
            "OVER", "PARSE", "PARTITION", "PASSWORD", "PATH", "POOL", "PRECEDING", "PREPARE", "PREV", "PREVIOUS",
            "PREVVAL", "PRIMARY", "PRIVATE", "PRIVILEGE", "PROBE", "PROCEDURE", "PUBLIC", "RANGE", "RAW", "READ",
            "REALM", "RECURSIVE", "REDUCE", "RENAME", "REPLACE", "RESPECT", "RESTART", "RESTRICT", "RETURN",
            "RETURNING", "REVOKE", "RIGHT", "ROLE", "ROLES", "ROLLBACK", "ROW", "ROWS", "SATISFIES", "SAVE",
            "SAVEPOINT", "SCHEMA", "SCOPE", "SELECT", "SELF", "SET", "SHOW", "SOME", "START", "STATISTICS",
            "STRING", "SYSTEM", "THEN", "TIES", "TO", "TRAN", "TRANSACTION", "TRIGGER", "TRUE", "TRUNCATE",
            "UNBOUNDED", "UNDER", "UNION", "UNIQUE", "UNKNOWN", "UNNEST", "UNSET", "UPDATE", "UPSERT", "USE",
            "USING", "VALIDATE", "VALUE", "VALUED", "VALUES", "VIA", "VIEW", "WHEN", "WHERE", "WHILE", "WINDOW",
            "WITH", "WITHIN", "WORK", "XOR");

    private ReservedWords() {
    }

    /**
     * Whether an unquoted word is reserved, in any letter case.
     *
     * @param word the word
     * @return true if reserved
     */
    static boolean contains(String word) {
        return WORDS.contains(word.toUpperCase(Locale.ROOT));
    }

    /**
     * A name as SQL++ text: as it is when it reads back as the same identifier, otherwise back-quoted with its
     * back-quotes doubled and its backslashes escaped.
     *
     * @param name the name
     * @return the identifier text
     */
    static String identifier(String name) {
        boolean plain = !name.isEmpty() && Lexer.isWordStart(name.charAt(0)) && !contains(name);
        for (int i = 1; plain && i < name.length(); i++) {
            plain = Lexer.isWordPart(name.charAt(i));
        }
        return plain ? name : "`" + name.replace("\\", "\\\\").replace("`", "``") + "`";
    }
}
