package dev.evaluator.engine;

import dev.evaluator.query.SqlParser;
import dev.evaluator.query.Statement;
import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.JsExecutionException;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQL++ statements run by the engine without HTTP, on real RocksDB and real GraalJS: every statement form, every
 * error kind a statement can end in, Couchbase's name and library-path rules, the checks at CREATE, the delete
 * guard, and the rule that every name the engine prints parses back to the same function.
 */
class StatementRunnerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INVENTORY = "travel-sample.inventory";
    private static final Caller ADMIN = new Caller("admin", List.of(Role.ADMIN));
    private static final Caller SCOPE_MANAGER = new Caller("smgr",
            List.of(Role.parse("query_manage_external_functions[travel-sample:inventory]")));
    private static final Caller GLOBAL_EXECUTOR = new Caller("gexec",
            List.of(Role.parse("query_execute_global_external_functions")));
    private static final Caller READ_ONLY = new Caller("ro", List.of(Role.parse("ro_admin")));
    private static final Caller GLOBAL_MANAGER = new Caller("gmgr",
            List.of(Role.parse("query_manage_global_external_functions")));

    private static JsRuntime runtime;

    @TempDir
    Path dir;
    private RocksDbStore store;
    private FunctionCatalog catalog;
    private FunctionExecutor executor;
    private StatementRunner runner;

    @BeforeAll
    static void startRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void stopRuntime() {
        runtime.close();
    }

    @BeforeEach
    void open() {
        store = RocksDbStore.open(dir);
        catalog = new FunctionCatalog(store, runtime, false);
        executor = new FunctionExecutor(catalog, runtime, CallLimits.DEFAULT);
        runner = new StatementRunner(catalog, executor);
        catalog.upsertLibrary(LibraryId.global("math"), """
                function add(a, b) { return a + b; }
                function mul(a, b) { return a * b; }
                function sum(...xs) { return xs.reduce((s, x) => s + x, 0); }
                function fails() { throw new Error("no"); }
                function keys(o) { var k = []; for (var x in o) { k.push(x); } return k; }
                function spin() { while (true) {} }""", false);
        catalog.upsertLibrary(new LibraryId(Namespace.scoped("travel-sample", "inventory"), "science"),
                "function f2c(f) { return (5/9)*(f-32); }", false);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private StatementRunner.Outcome run(Caller caller, String statement, String queryContext) {
        return run(caller, statement, queryContext, List.of(), Map.of());
    }

    private StatementRunner.Outcome run(Caller caller, String statement, String queryContext,
                                        List<JsonNode> positional, Map<String, JsonNode> named) {
        Optional<Namespace> context = queryContext == null ? Optional.empty()
                : Optional.of(Namespace.scoped(queryContext.substring(0, queryContext.indexOf('.')),
                queryContext.substring(queryContext.indexOf('.') + 1)));
        List<CallResult.LogLine> logs = new ArrayList<>();
        return runner.run(SqlParser.parse(statement),
                new StatementRunner.Context(caller, context, positional, named, Optional.empty(), logs));
    }

    private StatementRunner.Outcome run(String statement) {
        return run(ADMIN, statement, null);
    }

    private List<String> results(String statement) {
        return run(statement).results().stream().map(JsonNode::toString).toList();
    }

    /**
     * Each row: the statement, its query context, the caller, and the kind it fails with. Every kind a statement
     * can end in has at least one row.
     */
    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "CREATE FUNCTION m1(a) LANGUAGE JAVASCRIPT AS \"x\" AT \"nolib\"|-|admin|LIBRARY_NOT_FOUND",
            "CREATE FUNCTION m2(a, b) LANGUAGE JAVASCRIPT AS \"div\" AT \"math\"|-|admin|OBJECT_NOT_FOUND",
            "CREATE FUNCTION m3(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|PARAMETER_MISMATCH",
            "CREATE FUNCTION dup(a, b) LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"|-|admin|FUNCTION_EXISTS",
            "CREATE OR REPLACE FUNCTION IF NOT EXISTS x(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|SYNTAX",
            "CREATE FUNCTION a.b(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|INVALID_FUNCTION_NAME",
            "CREATE FUNCTION a.b.c.d(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|INVALID_FUNCTION_NAME",
            "CREATE FUNCTION other:f(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|INVALID_FUNCTION_NAME",
            "CREATE FUNCTION `travel-sample`.`_x`.f(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin"
                    + "|INVALID_FUNCTION_NAME",
            "CREATE FUNCTION `a\u0001b`(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|admin|INVALID_FUNCTION_NAME",
            "CREATE FUNCTION p1(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"travel-sample/tenants/science\"|" + INVENTORY
                    + "|admin|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION p2(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"beer/brewery/science\"|" + INVENTORY
                    + "|admin|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION p3(a) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"travel-sample/inventory/science\"|-|admin"
                    + "|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION p4(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"a/b\"|" + INVENTORY + "|admin"
                    + "|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION p5(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./x/science\"|" + INVENTORY + "|admin"
                    + "|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION p6(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./_bad\"|" + INVENTORY + "|admin"
                    + "|INVALID_LIBRARY_PATH",
            "CREATE FUNCTION g(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|smgr|FORBIDDEN",
            "CREATE FUNCTION g(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|ro|FORBIDDEN",
            "DROP FUNCTION nothere|-|admin|FUNCTION_NOT_FOUND",
            "DROP FUNCTION `beer-sample`.brewery.x|-|smgr|FORBIDDEN",
            "DROP FUNCTION dup|-|gexec|FORBIDDEN",
            "EXECUTE FUNCTION nothere()|-|admin|FUNCTION_NOT_FOUND",
            "EXECUTE FUNCTION dup(1)|-|admin|WRONG_ARGUMENT_COUNT",
            "EXECUTE FUNCTION dup(1, 2)|-|ro|FORBIDDEN",
            "SELECT dup($1, 2)|-|admin|MISSING_ARGUMENT",
            "SELECT dup($n, 2)|-|admin|MISSING_ARGUMENT",
            "EXECUTE FUNCTION dup(1, 2)|-|gmgr|FORBIDDEN",
            "SELECT *|-|admin|SYNTAX",
            "SELECT RAW meta(a, b)|-|admin|SYNTAX",
            "SELECT * FROM `travel-sample`|-|admin|UNSUPPORTED_KEYSPACE",
            "SELECT * FROM system:indexes|-|admin|UNSUPPORTED_KEYSPACE",
            "INSERT INTO b VALUES (\"k\", {})|-|admin|UNSUPPORTED_STATEMENT",
    })
    void run_refused_failsWithItsKindAndChangesNothing(String statement, String context, String caller,
                                                       EngineException.Kind kind) {
        run("CREATE FUNCTION dup(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        List<String> before = results("SELECT RAW f FROM system:functions AS f");
        EngineException e = assertThrows(EngineException.class, () -> run(caller(caller), statement, context));
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(before, results("SELECT RAW f FROM system:functions AS f"), "nothing changed");
    }

    private static Caller caller(String name) {
        return switch (name) {
            case "admin" -> ADMIN;
            case "smgr" -> SCOPE_MANAGER;
            case "gexec" -> GLOBAL_EXECUTOR;
            case "gmgr" -> GLOBAL_MANAGER;
            case "ro" -> READ_ONLY;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void everyStatementKind_hasARowInTheTableOrItsOwnTest() {
        // The kinds that no statement raises: the guard's (tested below through the catalog), the user ones, and
        // the library lifecycle's (LibraryHistoryTest, LibraryArchiveTest).
        List<EngineException.Kind> notStatements = List.of(EngineException.Kind.LIBRARY_IN_USE,
                EngineException.Kind.BINDING_BROKEN, EngineException.Kind.UNKNOWN_PARAMETER,
                EngineException.Kind.INVALID_ARGUMENT, EngineException.Kind.QUERY_TIMEOUT,
                EngineException.Kind.CALL_NOT_FOUND, EngineException.Kind.CALL_CANCELLED,
                EngineException.Kind.INVALID_ROLE, EngineException.Kind.CONFUSABLE_NAME,
                EngineException.Kind.INVALID_PASSWORD,
                EngineException.Kind.PASSWORD_REQUIRED, EngineException.Kind.USER_NOT_FOUND,
                EngineException.Kind.LAST_ADMIN, EngineException.Kind.VERSION_NOT_FOUND,
                EngineException.Kind.PRECONDITION_FAILED, EngineException.Kind.IMPORT_INVALID,
                EngineException.Kind.IMPORT_COLLISION);
        String table = String.join("\n", List.of(getClass().getDeclaredMethods()).stream()
                .filter(m -> m.getName().equals("run_refused_failsWithItsKindAndChangesNothing"))
                .map(m -> String.join("\n", m.getAnnotation(CsvSource.class).value()))
                .toList());
        for (EngineException.Kind kind : EngineException.Kind.values()) {
            if (!notStatements.contains(kind)) {
                assertTrue(table.contains("|" + kind.name()), kind + " has no row");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "g1|-|g1|global",
            "default:g2|" + INVENTORY + "|g2|global",
            "s1|" + INVENTORY + "|s1|scope",
            "`travel-sample`.inventory.s2|-|s2|scope",
            "default:`travel-sample`.inventory.s3|-|s3|scope"})
    void createAndDrop_nameForms_resolveAsCouchbase(String name, String context, String simple, String type) {
        String at = type.equals("global") ? "math" : "travel-sample/inventory/science";
        String object = type.equals("global") ? "add" : "f2c";
        String params = type.equals("global") ? "(a, b)" : "(f)";
        run(ADMIN, "CREATE FUNCTION " + name + params + " LANGUAGE JAVASCRIPT AS \"" + object + "\" AT \"" + at
                + "\"", context);
        assertEquals(List.of("\"" + type + "\""), results("SELECT RAW identity.type FROM system:functions WHERE"
                + " identity.name = \"" + simple + "\""));
        run(ADMIN, "DROP FUNCTION " + name, context);
        assertEquals(List.of(), results("SELECT RAW identity.name FROM system:functions"));
    }

    @Test
    void create_libraryPathForms_globalByNameOwnNamespaceByDot() {
        run(ADMIN, "CREATE FUNCTION usesglobal(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", INVENTORY);
        run(ADMIN, "CREATE FUNCTION dotglobal(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"./math\"", null);
        run(ADMIN, "CREATE FUNCTION own(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        run(ADMIN, "CREATE FUNCTION fullpath(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"travel-sample/inventory/science\"",
                INVENTORY);
        assertEquals(List.of("[\"dotglobal\",null]", "[\"fullpath\",\"travel-sample/inventory\"]",
                        "[\"own\",\"travel-sample/inventory\"]", "[\"usesglobal\",null]"),
                results("SELECT RAW [identity.name, definition.prefix] FROM system:functions").stream().sorted()
                        .toList());
        // definition.library is the AT path as written, as Couchbase shows it.
        assertEquals(List.of("[\"dotglobal\",\"./math\"]", "[\"fullpath\",\"travel-sample/inventory/science\"]",
                        "[\"own\",\"./science\"]", "[\"usesglobal\",\"math\"]"),
                results("SELECT RAW [identity.name, definition.library] FROM system:functions").stream().sorted()
                        .toList());
    }

    @Test
    void create_orReplaceAndIfNotExists() {
        run("CREATE FUNCTION dup(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        run("CREATE FUNCTION IF NOT EXISTS dup(a, b) LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"");
        run("CREATE FUNCTION dup(a, b) IF NOT EXISTS LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"");
        assertEquals(List.of("\"add\""), results("SELECT RAW definition.`object` FROM system:functions"));
        run("CREATE OR REPLACE FUNCTION dup(a, b) LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"");
        assertEquals(List.of("\"mul\""), results("SELECT RAW definition.`object` FROM system:functions"));
    }

    @Test
    void create_variadicDeclarationOrFunction_skipsTheCount() {
        run("CREATE FUNCTION m4(...) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        run("CREATE FUNCTION m5(a, b, c) LANGUAGE JAVASCRIPT AS \"sum\" AT \"math\"");
        assertEquals(List.of("3"), results("EXECUTE FUNCTION m4(1, 2)"));
        assertEquals(List.of("7"), results("EXECUTE FUNCTION m5(1, 2, 4)"));
    }

    @Test
    void drop_ifExists_missingIsFine() {
        run("DROP FUNCTION IF EXISTS nothere");
        run("DROP FUNCTION nothere IF EXISTS");
    }

    @Test
    void executeAndSelect_callFunctionsWithArgumentsAndParameters() {
        run(ADMIN, "CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        run("CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        assertEquals(List.of("100"), run(ADMIN, "EXECUTE FUNCTION celsius(212)", INVENTORY).results().stream()
                .map(JsonNode::toString).toList());
        assertEquals(List.of("{\"x\":5,\"$2\":100}"), run(ADMIN,
                "SELECT plus($1, 2) AS x, `travel-sample`.inventory.celsius($f)", null,
                List.of(MAPPER.getNodeFactory().numberNode(3)), Map.of("f", MAPPER.getNodeFactory().numberNode(212)))
                .results().stream().map(JsonNode::toString).toList());
        FunctionCallException e = assertThrows(FunctionCallException.class, () -> {
            run("CREATE FUNCTION boom() LANGUAGE JAVASCRIPT AS \"fails\" AT \"math\"");
            run("EXECUTE FUNCTION boom()");
        });
        assertEquals("boom", e.function());
        assertEquals("fails", e.object());
    }

    @Test
    void objectArguments_reachJavaScriptWithSortedKeys() {
        run("CREATE FUNCTION keysOf(o) LANGUAGE JAVASCRIPT AS \"keys\" AT \"math\"");
        assertEquals(List.of("[\"age\",\"fname\",\"lname\",\"nested\"]"),
                results("EXECUTE FUNCTION keysOf({\"fname\": \"John\", \"lname\": \"Doe\", \"nested\": {\"b\": 1, \"a\": 2},"
                        + " \"age\": 25})"));
    }

    @Test
    void requestTimeout_runsOut_queryTimeoutWithCouchbasesMessage() {
        run("CREATE FUNCTION spinner() LANGUAGE JAVASCRIPT AS \"spin\" AT \"math\"");
        StatementRunner.Context context = new StatementRunner.Context(ADMIN, Optional.empty(), List.of(), Map.of(),
                Optional.of(java.time.Duration.ofMillis(300)), new ArrayList<>());
        EngineException e = assertThrows(EngineException.class,
                () -> runner.run(SqlParser.parse("EXECUTE FUNCTION spinner()"), context));
        assertEquals(EngineException.Kind.QUERY_TIMEOUT, e.kind());
        assertEquals("Timeout 300ms exceeded", e.getMessage());
        // A request whose time is already up does not start another call.
        StatementRunner.Context late = new StatementRunner.Context(ADMIN, Optional.empty(), List.of(), Map.of(),
                Optional.of(java.time.Duration.ofMillis(1)), new ArrayList<>(), System.nanoTime() - 1_000_000_000L, ClientPresence.STAYS);
        assertEquals(EngineException.Kind.QUERY_TIMEOUT, assertThrows(EngineException.class,
                () -> runner.run(SqlParser.parse("EXECUTE FUNCTION spinner()"), late)).kind());
    }

    @Test
    void serversOwnCallLimit_runsOut_10109StoppedAfterRunningBeyond() {
        StatementRunner capped = new StatementRunner(catalog, new FunctionExecutor(catalog, runtime,
                CallLimits.DEFAULT.withTimeout(java.time.Duration.ofMillis(300))));
        run("CREATE FUNCTION spinner() LANGUAGE JAVASCRIPT AS \"spin\" AT \"math\"");
        FunctionCallException e = assertThrows(FunctionCallException.class, () -> capped.run(
                SqlParser.parse("EXECUTE FUNCTION spinner()"), new StatementRunner.Context(ADMIN, Optional.empty(),
                        List.of(), Map.of(), Optional.empty(), new ArrayList<>())));
        assertEquals(JsExecutionException.Kind.TIMEOUT, e.failure().kind());
        assertEquals("stopped after running beyond 300 ms", e.getMessage());
    }

    @Test
    void systemFunctions_eachCallerSeesOnlyItsNamespaces() {
        run(ADMIN, "CREATE FUNCTION mine(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        run("CREATE FUNCTION hidden(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        assertEquals(List.of("\"mine\""), run(SCOPE_MANAGER, "SELECT RAW identity.name FROM system:functions", null)
                .results().stream().map(JsonNode::toString).toList());
        assertEquals(List.of("\"hidden\""), run(GLOBAL_EXECUTOR, "SELECT RAW identity.name FROM system:functions",
                null).results().stream().map(JsonNode::toString).toList());
        assertEquals(2, run(READ_ONLY, "SELECT RAW identity.name FROM system:functions", null).results().size());
    }

    @Test
    void systemFunctionsCache_countsCallsOfVisibleNamespaces() {
        run("CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        run("EXECUTE FUNCTION plus(1, 2)");
        run("EXECUTE FUNCTION plus(1, 2)");
        JsonNode row = run("SELECT RAW c FROM system:functions_cache AS c").results().getFirst();
        assertEquals("math", row.get("library").asText());
        assertEquals("add", row.get("object").asText());
        assertEquals(2, row.get("uses").asInt());
        // Executors may call functions but not read libraries, and so not their statistics.
        assertEquals(List.of(), run(GLOBAL_EXECUTOR, "SELECT RAW c FROM system:functions_cache AS c", null)
                .results());
        assertEquals(1, run(SCOPE_MANAGER, "SELECT RAW c FROM system:functions_cache AS c", null).results().size());
    }

    private void createOrderedFunctions() {
        run("CREATE FUNCTION b1(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        run("CREATE FUNCTION a2(a, b) LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"");
        run("CREATE FUNCTION c3(...) LANGUAGE JAVASCRIPT AS \"sum\" AT \"math\"");
        run(ADMIN, "CREATE FUNCTION s4(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
    }

    private JsonNode resultArray(String statement) {
        return MAPPER.valueToTree(run(statement).results());
    }

    /**
     * Each row: a SELECT over four functions (global a2(a, b), b1(a, b), c3(...) and scoped s4(f)) and its results.
     * WHERE filters, ORDER BY sorts in Couchbase's order, then OFFSET skips and LIMIT keeps rows that have a result.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name|[\"a2\",\"b1\",\"c3\",\"s4\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name ASC|[\"a2\",\"b1\",\"c3\",\"s4\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name DESC|[\"s4\",\"c3\",\"b1\",\"a2\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name LIMIT 2 OFFSET 1|[\"b1\",\"c3\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name OFFSET 3 LIMIT 2|[\"s4\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name OFFSET 4|[]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.name LIMIT 0|[]",
            "SELECT RAW identity.name FROM system:functions WHERE identity.type = 'global' ORDER BY identity.name DESC"
                    + " LIMIT 1 OFFSET 1|[\"b1\"]",
            // MISSING parameters (variadic c3) first, then arrays element by element; ties by the next term
            "SELECT RAW identity.name FROM system:functions ORDER BY definition.parameters, identity.name"
                    + "|[\"c3\",\"a2\",\"b1\",\"s4\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY definition.parameters DESC, identity.name"
                    + "|[\"s4\",\"a2\",\"b1\",\"c3\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY definition.parameters DESC NULLS FIRST,"
                    + " identity.name|[\"c3\",\"s4\",\"a2\",\"b1\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY definition.parameters NULLS LAST,"
                    + " identity.name DESC|[\"b1\",\"a2\",\"s4\",\"c3\"]",
            "SELECT RAW identity.name FROM system:functions ORDER BY identity.`bucket` DESC, identity.name"
                    + "|[\"s4\",\"a2\",\"b1\",\"c3\"]",
            // a projection's alias in ORDER BY
            "SELECT identity.name AS n FROM system:functions ORDER BY n DESC LIMIT 2|[{\"n\":\"s4\"},{\"n\":\"c3\"}]",
            "SELECT RAW f.identity.name FROM system:functions AS f ORDER BY f.identity.name DESC OFFSET 2"
                    + "|[\"b1\",\"a2\"]",
            // a RAW projection that is MISSING has no row, and OFFSET and LIMIT count rows
            "SELECT RAW definition.parameters FROM system:functions ORDER BY identity.name OFFSET 1"
                    + "|[[\"a\",\"b\"],[\"f\"]]",
            "SELECT VALUE definition.parameters FROM system:functions ORDER BY identity.name LIMIT 3"
                    + "|[[\"a\",\"b\"],[\"a\",\"b\"],[\"f\"]]",
            "SELECT RAW meta().id FROM system:functions ORDER BY meta().id DESC"
                    + "|[\"default:travel-sample.inventory.s4\",\"default:c3\",\"default:b1\",\"default:a2\"]",
            "SELECT RAW meta(f).id FROM system:functions AS f WHERE meta(f).id = 'default:b1'|[\"default:b1\"]",
            "SELECT meta().id AS id, identity.name FROM system:functions WHERE meta().id = 'default:a2'"
                    + "|[{\"id\":\"default:a2\",\"name\":\"a2\"}]",
            "SELECT RAW meta(other).id FROM system:functions AS f|[]",
            "SELECT meta().id|[{}]",
    })
    void select_orderByLimitOffsetAndMeta_asCouchbase(String statement, String expected) throws Exception {
        createOrderedFunctions();
        assertEquals(MAPPER.readTree(expected), resultArray(statement), statement);
    }

    @Test
    void select_starOrderedWithOffsetAndLimit_rowsUnderTheAlias() {
        createOrderedFunctions();
        List<JsonNode> rows = run("SELECT * FROM system:functions AS f ORDER BY f.identity.name DESC LIMIT 1 OFFSET 1")
                .results();
        assertEquals(1, rows.size());
        assertEquals("c3", rows.getFirst().get("f").get("identity").get("name").asText());
    }

    @Test
    void systemFunctionsCache_rowsPerSqlFunctionBesideRowsPerLibraryFunction() throws Exception {
        createOrderedFunctions();
        run("CREATE FUNCTION b1too(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        run("EXECUTE FUNCTION b1(1, 2)");
        run("SELECT b1(3, 4), b1too(5, 6)");
        run(ADMIN, "EXECUTE FUNCTION s4(212)", INVENTORY);
        // the invoke endpoint's way: counted for the library function only
        executor.call(catalog.findLibrary(LibraryId.global("math")).orElseThrow(), "add", "[1, 2]",
                executor.limits(Optional.empty()), ADMIN, ClientPresence.STAYS);
        String rows = "SELECT RAW [meta(c).id, c.name, c.library, c.`object`, c.uses] FROM system:functions_cache AS c"
                + " ORDER BY meta(c).id";
        assertEquals(MAPPER.readTree("""
                [["default:b1", "default:b1", "math", "add", 2],
                 ["default:b1too", "default:b1too", "math", "add", 1],
                 ["default:travel-sample.inventory.s4", "default:`travel-sample`.inventory.s4", "science", "f2c", 1],
                 ["math/add", null, "math", "add", 4],
                 ["travel-sample/inventory/science/f2c", null, "science", "f2c", 1]]""").toString(),
                resultArray(rows).toString());
        JsonNode s4 = run("SELECT RAW c FROM system:functions_cache AS c WHERE c.name = 'default:`travel-sample`"
                + ".inventory.s4'").results().getFirst();
        assertEquals("scope", s4.get("type").asText());
        assertEquals("travel-sample", s4.get("bucket").asText());
        assertEquals("inventory", s4.get("scope").asText());
        assertEquals("travel-sample/inventory", s4.get("prefix").asText());
        assertEquals(MAPPER.readTree("[\"f\"]"), s4.get("parameters"));
        for (String field : List.of("lastUse", "minServiceTime", "maxServiceTime", "avgServiceTime")) {
            assertTrue(s4.hasNonNull(field), field + " in " + s4);
        }
        // A scope's manager reads global libraries but not global functions; an executor may read neither.
        assertEquals(MAPPER.readTree("[\"default:travel-sample.inventory.s4\",\"math/add\","
                        + "\"travel-sample/inventory/science/f2c\"]"),
                MAPPER.valueToTree(run(SCOPE_MANAGER, "SELECT RAW meta().id FROM system:functions_cache"
                        + " ORDER BY meta().id", null).results()));
        assertEquals(List.of(), run(GLOBAL_EXECUTOR, "SELECT RAW meta().id FROM system:functions_cache", null)
                .results());
        // A dropped function's figures go with it, as Couchbase clears its cache entry.
        run("DROP FUNCTION b1");
        run("CREATE FUNCTION b1(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        assertEquals(List.of(), run("SELECT RAW c.uses FROM system:functions_cache AS c WHERE c.name = 'default:b1'")
                .results());
    }

    @Test
    void guard_deleteOfAUsedLibrary_refusedNamingItsFunctions() {
        run(ADMIN, "CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        LibraryId science = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "science");
        EngineException e = assertThrows(EngineException.class, () -> catalog.deleteLibrary(science));
        assertEquals(EngineException.Kind.LIBRARY_IN_USE, e.kind());
        assertEquals(List.of("default:`travel-sample`.inventory.celsius"), e.functions());
        assertTrue(store.libraries().find(science).isPresent());
        run(ADMIN, "DROP FUNCTION celsius", INVENTORY);
        catalog.deleteLibrary(science);
        assertFalse(store.libraries().find(science).isPresent());
        assertEquals(EngineException.Kind.LIBRARY_NOT_FOUND,
                assertThrows(EngineException.class, () -> catalog.deleteLibrary(science)).kind());
    }

    @Test
    void guard_replaceDroppingABoundFunction_refusedUnlessForced() {
        run("CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"");
        EngineException e = assertThrows(EngineException.class,
                () -> catalog.upsertLibrary(LibraryId.global("math"), "function mul(a, b) { return a * b; }", false));
        assertEquals(EngineException.Kind.BINDING_BROKEN, e.kind());
        assertEquals(List.of("default:plus"), e.functions());
        catalog.upsertLibrary(LibraryId.global("math"), "function mul(a, b) { return a * b; }", true);
        JsonNode entry = run("SELECT RAW f FROM system:functions AS f").results().getFirst();
        assertTrue(entry.get("broken").asBoolean());
        assertTrue(entry.get("brokenReason").asText().contains("does not define function add"), entry.toString());
        assertEquals(List.of(new FunctionCatalog.BrokenBinding("default:plus", "add")),
                catalog.functionsOf(catalog.library(LibraryId.global("math"))).broken());
    }

    @Test
    void lenientBindings_createWithoutLibrary_reportedBrokenUntilTheLibraryExists(@TempDir Path lenientDir) {
        try (RocksDbStore lenientStore = RocksDbStore.open(lenientDir)) {
            FunctionCatalog lenient = new FunctionCatalog(lenientStore, runtime,
                    true);
            StatementRunner lenientRunner = new StatementRunner(lenient,
                    new FunctionExecutor(lenient, runtime, CallLimits.DEFAULT));
            StatementRunner.Context context = new StatementRunner.Context(ADMIN, Optional.empty(), List.of(),
                    Map.of(), Optional.empty(), new ArrayList<>());
            lenientRunner.run(SqlParser.parse("CREATE FUNCTION late(a) LANGUAGE JAVASCRIPT AS \"later\" AT \"notyet\""),
                    context);
            Statement all = SqlParser.parse("SELECT RAW f FROM system:functions AS f");
            JsonNode entry = lenientRunner.run(all, context).results().getFirst();
            assertTrue(entry.get("brokenReason").asText().contains("library [notyet] does not exist"));
            EngineException call = assertThrows(EngineException.class,
                    () -> lenientRunner.run(SqlParser.parse("EXECUTE FUNCTION late(1)"), context));
            assertEquals(EngineException.Kind.LIBRARY_NOT_FOUND, call.kind());
            assertTrue(call.getMessage().startsWith("Library or function missing"), call.getMessage());
            lenient.upsertLibrary(LibraryId.global("notyet"), "function sooner(a) { return a; }", true);
            FunctionCallException missing = assertThrows(FunctionCallException.class,
                    () -> lenientRunner.run(SqlParser.parse("EXECUTE FUNCTION late(1)"), context));
            assertTrue(missing.getMessage().endsWith("later is not a function"), missing.getMessage());
            lenient.upsertLibrary(LibraryId.global("notyet"), "function later(a) { return a; }", false);
            assertFalse(lenientRunner.run(all, context).results().getFirst().has("broken"));
        }
    }

    /**
     * Regression: a function named {@code select} was printed as {@code default:select}, which DROP FUNCTION
     * rejects. Every name the engine prints (the guard's list, {@code system:functions}' {@code qualifiedName},
     * {@code boundBy}) must parse back to the same function.
     */
    @ParameterizedTest
    @ValueSource(strings = {"select", "SELECT", "from", "Function", "value", "plain", "with-dash", "dollar$x", "c%.-_",
            "a.b", "9lives", "sp ace", "back`quote",
            "_under"})
    void printedNames_reservedWordsAndOddCharacters_parseBackToTheSameFunction(String name) {
        for (String namespace : List.of("", INVENTORY)) {
            String at = namespace.isEmpty() ? "math" : "./science";
            String object = namespace.isEmpty() ? "add" : "f2c";
            String context = namespace.isEmpty() ? null : namespace;
            run(ADMIN, "CREATE FUNCTION `" + name.replace("`", "``") + "`(...) LANGUAGE JAVASCRIPT AS \"" + object + "\" AT \"" + at
                    + "\"", context);
            FunctionId id = new FunctionId(namespace.isEmpty() ? Namespace.GLOBAL
                    : Namespace.scoped("travel-sample", "inventory"), name);
            LibraryId library = new LibraryId(id.namespace(), namespace.isEmpty() ? "math" : "science");

            List<String> printed = new ArrayList<>(assertThrows(EngineException.class,
                    () -> catalog.deleteLibrary(library)).functions());
            printed.add(run("SELECT RAW f.qualifiedName FROM system:functions AS f").results().getFirst().asText());
            printed.addAll(catalog.functionsOf(catalog.library(library)).functions().stream()
                    .flatMap(f -> f.boundBy().stream()).toList());
            assertEquals(3, printed.size(), printed.toString());
            for (String text : printed) {
                Statement.DropFunction drop = (Statement.DropFunction) SqlParser.parse("DROP FUNCTION " + text);
                assertEquals(id, StatementRunner.resolve(drop.name(), Optional.empty()), text);
            }
            run("DROP FUNCTION " + printed.getFirst());
            assertEquals(List.of(), run("SELECT RAW f FROM system:functions AS f").results());
        }
    }
}
