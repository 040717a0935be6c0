package dev.evaluator.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQL++ functions bound to library functions through {@code /query/service}: the statement forms and their error
 * codes, Couchbase's name and library path rules, the checks at CREATE time, system:functions, the delete guard,
 * and the functions-introspection route.
 */
class FunctionsIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVENTORY = "default:`travel-sample`.inventory";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void start() {
        library("/math", "", """
                /** Adds two numbers. */
                function add(a, b) { return a + b; }
                // Multiplies.
                function mul(a, b) { return a * b; }
                function sum(...xs) { return xs.reduce((s, x) => s + x, 0); }""");
        library("/science", "bucket=travel-sample&scope=inventory", "function f2c(f) { return (5/9)*(f-32); }");
        library("/arith", "", "function add(a, b) { return a + b; }");
        library("/words", "", "function add(a, b) { return a + b; }");
    }

    private static void library(String path, String query, String code) {
        server.admin().body(code).post(LIBS + path + (query.isEmpty() ? "" : "?" + query)).then().statusCode(200);
    }

    static Response query(RequestSpecification as, String statement, String queryContext) {
        RequestSpecification request = as.contentType("application/x-www-form-urlencoded")
                .formParam("statement", statement);
        if (queryContext != null) {
            request = request.formParam("query_context", queryContext);
        }
        return request.post(QueryService.PATH);
    }

    static Response query(String statement) {
        return query(server.admin(), statement, null);
    }

    private static void succeeds(String statement, String queryContext) {
        query(server.admin(), statement, queryContext).then().statusCode(200).body("status", equalTo("success"));
    }

    private static void fails(String statement, String queryContext, int status, int code, String message) {
        query(server.admin(), statement, queryContext).then().statusCode(status)
                .body("status", equalTo("errors"))
                .body("errors[0].code", equalTo(code))
                .body("errors[0].msg", containsString(message));
    }

    private static Map<String, Object> catalogEntry(String name) {
        Response r = query("SELECT RAW f FROM system:functions AS f WHERE f.identity.name = \"" + name + "\"");
        r.then().statusCode(200);
        List<Map<String, Object>> rows = r.jsonPath().getList("results");
        assertEquals(1, rows.size(), r.asString());
        return rows.getFirst();
    }

    @Test
    void createFunction_seedExample_endToEnd() {
        succeeds("CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        Map<String, Object> entry = catalogEntry("celsius");
        assertEquals("default:`travel-sample`.inventory.celsius", entry.get("qualifiedName"));
        assertEquals(Map.of("name", "celsius", "namespace", "default", "type", "scope", "bucket", "travel-sample",
                "scope", "inventory"), entry.get("identity"));
        assertEquals(Map.of("#language", "javascript", "parameters", List.of("f"), "library", "./science",
                "object", "f2c", "libName", "science", "prefix", "travel-sample/inventory"), entry.get("definition"));

        server.admin().delete(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(409)
                .body("code", equalTo("library_in_use"))
                .body("functions", equalTo(List.of("default:`travel-sample`.inventory.celsius")));
        server.admin().get(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);

        succeeds("DROP FUNCTION celsius", INVENTORY);
        server.admin().get(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
        server.admin().delete(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
        library("/science", "bucket=travel-sample&scope=inventory", "function f2c(f) { return (5/9)*(f-32); }");
    }

    /**
     * The HTTP status and Couchbase code of each kind of failed statement (the rules themselves are tested in the
     * engine, StatementRunnerTest).
     */
    @ParameterizedTest(name = "{0} -> {2} {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', nullValues = "-", value = {
            "CREATE FUNCTION m1(a) LANGUAGE JAVASCRIPT AS \"x\" AT \"nolib\"|-|400|10120|Library [nolib] does not exist",
            "CREATE FUNCTION m2(a, b) LANGUAGE JAVASCRIPT AS \"div\" AT \"math\"|-|400|10121"
                    + "|defines no top-level function named div; it defines: add, mul, sum",
            "CREATE FUNCTION m3(a) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|400|10122"
                    + "|declares 1 parameter(s) but add in library [math] takes 2 (a, b)",
            "CREATE FUNCTION taken(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"arith\"|-|409|10102"
                    + "|Function 'taken' already exists",
            "CREATE OR REPLACE FUNCTION IF NOT EXISTS x(a, b) LANGUAGE JAVASCRIPT AS \"mul\" AT \"math\"|-|400|3000"
                    + "|OR REPLACE and IF NOT EXISTS",
            "CREATE FUNCTION a.b(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|400|10105|Invalid function name",
            "CREATE FUNCTION p(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"beer/brewery/science\"|" + INVENTORY
                    + "|400|10114|Invalid javascript library path: beer/brewery/science. Use a root level path, the same"
                    + " path as the function scope, or a local path ('./library')",
            "DROP FUNCTION nothere|-|404|10101|Function 'nothere' not found",
            "EXECUTE FUNCTION default:nothere()|-|404|10101|Function 'default:nothere' not found",
            "EXECUTE FUNCTION taken(1)|-|400|10104|Incorrect number of arguments supplied to function 'taken'",
            "SELECT taken($1, 1)|-|400|1050|No value for positional parameter $1",
            "INSERT INTO b VALUES (\"k\", {})|-|400|4000|INSERT statements are not supported",
            "SELECT * FROM `travel-sample`|-|400|4010|system:functions, system:functions_cache and system:active_requests"
                    + " only",
            "CREATE FUNCTION f(a LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"|-|400|3000|line 1, column",
    })
    void failedStatements_statusAndCouchbaseCode(String statement, String context, int status, int code,
                                                 String message) {
        query("CREATE FUNCTION IF NOT EXISTS taken(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"arith\"").then()
                .statusCode(200);
        fails(statement, context, status, code, message);
    }

    @Test
    void replaceLibrary_droppingABoundFunction_409UnlessForced() {
        library("/guarded", "", "function keep() { return 1; }\nfunction bound() { return 2; }");
        succeeds("CREATE FUNCTION boundfn() LANGUAGE JAVASCRIPT AS \"bound\" AT \"guarded\"", null);
        server.admin().body("function keep() { return 1; }").post(LIBS + "/guarded").then().statusCode(409)
                .body("code", equalTo("binding_broken"))
                .body("functions", equalTo(List.of("default:boundfn")));
        server.admin().get(LIBS + "/guarded").then().body("guarded", containsString("bound"));
        // Replacing with every bound function still present is fine.
        server.admin().body("function bound() { return 3; }\nfunction keep() {}").post(LIBS + "/guarded")
                .then().statusCode(200);
        server.admin().body("function keep() { return 1; }").post(LIBS + "/guarded?force=true")
                .then().statusCode(200);
        Map<String, Object> entry = catalogEntry("boundfn");
        assertEquals(true, entry.get("broken"));
        assertTrue(((String) entry.get("brokenReason")).contains("does not define function bound"));
        server.admin().get(LIBS + "/guarded/functions").then().statusCode(200)
                .body("brokenBindings[0].function", equalTo("default:boundfn"))
                .body("brokenBindings[0].object", equalTo("bound"));
        succeeds("DROP FUNCTION boundfn", null);
        server.admin().delete(LIBS + "/guarded").then().statusCode(200);
    }

    @Test
    void libraryFunctions_listsDefinitionsWithDocsAndBindings() {
        succeeds("CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null);
        Response r = server.admin().get(LIBS + "/math/functions");
        r.then().statusCode(200)
                .body("name", equalTo("math"))
                .body("functions.name", equalTo(List.of("add", "mul", "sum")))
                .body("functions[0].parameters", equalTo(List.of("a", "b")))
                .body("functions[0].line", equalTo(2))
                .body("functions[0].doc", equalTo("Adds two numbers."))
                .body("functions[0].boundBy", equalTo(List.of("default:plus")))
                .body("functions[1].doc", equalTo("Multiplies."))
                .body("functions[2].variadic", equalTo(true))
                .body("functions[2].doc", nullValue());
        server.admin().get(LIBS + "/nolib/functions").then().statusCode(404);
        succeeds("DROP FUNCTION plus", null);
    }

    @Test
    void systemFunctions_projectionsAndFilters() {
        succeeds("CREATE FUNCTION q1(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null);
        succeeds("CREATE FUNCTION q2(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        query("SELECT RAW identity.name FROM system:functions WHERE identity.type = \"scope\"").then()
                .statusCode(200).body("results", hasItem("q2")).body("results", not(hasItem("q1")));
        query("SELECT identity.name AS n, definition.libName FROM system:functions WHERE identity.name = \"q1\"")
                .then().body("results", equalTo(List.of(Map.of("n", "q1", "libName", "math"))))
                .body("signature", equalTo(Map.of("n", "json", "libName", "json")));
        server.admin().contentType("application/json")
                .body("{\"statement\":\"SELECT RAW identity.name FROM system:functions WHERE identity.name = $1\","
                        + "\"args\":[\"q2\"]}")
                .post(QueryService.PATH).then().statusCode(200).body("results", equalTo(List.of("q2")));
        server.admin().queryParam("statement", "SELECT RAW identity.name FROM system:functions WHERE "
                        + "identity.name = $n").queryParam("$n", "\"q1\"")
                .get(QueryService.PATH).then().statusCode(200).body("results", equalTo(List.of("q1")));
        query("SELECT * FROM system:functions LIMIT 1").then().body("metrics.resultCount", equalTo(1));
        succeeds("DROP FUNCTION q1", null);
        succeeds("DROP FUNCTION q2", INVENTORY);
    }

    @Test
    void systemFunctions_orderByOffsetLimitMetaIdAndCacheRowsPerSqlFunction() {
        succeeds("CREATE FUNCTION o1(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null);
        succeeds("CREATE FUNCTION o2(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null);
        succeeds("CREATE FUNCTION o3(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY);
        query("SELECT RAW meta(f).id FROM system:functions AS f WHERE f.identity.name >= \"o1\""
                + " AND f.identity.name <= \"o3\" ORDER BY f.identity.name DESC OFFSET 1 LIMIT 2").then()
                .statusCode(200).body("results", equalTo(List.of("default:o2", "default:o1")))
                .body("metrics.resultCount", equalTo(2));
        succeeds("EXECUTE FUNCTION o2(1, 2)", null);
        query("SELECT c.name, c.uses, meta(c).id AS id FROM system:functions_cache AS c WHERE c.name = \"default:o2\"")
                .then().statusCode(200)
                .body("results", equalTo(List.of(Map.of("name", "default:o2", "uses", 1, "id", "default:o2"))));
        succeeds("DROP FUNCTION o1", null);
        succeeds("DROP FUNCTION o2", null);
        succeeds("DROP FUNCTION o3", INVENTORY);
    }

    @Test
    void requestForms_missingStatementGetOfAChangeAndNoCredentials_clearErrors() {
        server.admin().formParam("query_context", INVENTORY).post(QueryService.PATH).then().statusCode(400)
                .body("errors[0].code", equalTo(1050))
                .body("errors[0].msg", containsString("No statement"));
        server.admin().queryParam("statement", "DROP FUNCTION x").get(QueryService.PATH).then().statusCode(403)
                .body("errors[0].code", equalTo(1000))
                .body("errors[0].msg", containsString("POST"));
        server.admin().formParam("statement", "SELECT 1").formParam("timeout", "soon").post(QueryService.PATH)
                .then().statusCode(400).body("errors[0].code", equalTo(1040))
                .body("errors[0].msg", equalTo("timeout must be a positive duration such as 500ms, 10s or 2m, not soon"));
        server.anonymous().formParam("statement", "SELECT 1").post(QueryService.PATH).then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"evaluator\"")
                .body("errors[0].code", equalTo(10000));
    }

    /**
     * Regression: a function named {@code select} was listed by the delete guard's 409 and by system:functions
     * as {@code default:select}, which DROP FUNCTION rejects. The names the server prints must work as written.
     */
    @Test
    void reservedWordName_printedBackQuoted_andDroppableAsPrinted() {
        succeeds("CREATE FUNCTION `select`(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"words\"", null);
        String guarded = server.admin().delete(LIBS + "/words").then().statusCode(409)
                .body("functions", equalTo(List.of("default:`select`"))).extract().jsonPath()
                .getString("functions[0]");
        query("SELECT RAW f.qualifiedName FROM system:functions AS f WHERE f.identity.name = \"select\"").then()
                .body("results", equalTo(List.of(guarded)));
        succeeds("DROP FUNCTION " + guarded, null);
    }

    @Test
    void lenientBindings_createWithoutLibrary_acceptedAndReportedBroken(@TempDir Path lenientDir) {
        try (TestServer lenient = TestServer.start(lenientDir, 1024 * 1024, true)) {
            query(lenient.admin(), "CREATE FUNCTION late(a) LANGUAGE JAVASCRIPT AS \"later\" AT \"notyet\"", null)
                    .then().statusCode(200);
            query(lenient.admin(), "SELECT RAW f FROM system:functions AS f", null).then()
                    .body("results[0].broken", equalTo(true))
                    .body("results[0].brokenReason", containsString("library [notyet] does not exist"));
            lenient.admin().body("function later(a) { return a; }").post(LIBS + "/notyet").then().statusCode(200);
            query(lenient.admin(), "SELECT RAW f FROM system:functions AS f", null).then()
                    .body("results[0].broken", nullValue());
        }
    }

    @Test
    void permissions_createAndDropNeedTheNamespacesManageRole() {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=scoped-pass&roles=query_manage_external_functions[travel-sample:inventory]")
                .put(UserService.PATH + "/local/scoped").then().statusCode(200);
        RequestSpecification scoped = server.anonymous().auth().preemptive().basic("scoped", "scoped-pass");
        query(scoped, "CREATE FUNCTION mine(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"", INVENTORY)
                .then().statusCode(200);
        query(server.anonymous().auth().preemptive().basic("scoped", "scoped-pass"),
                "CREATE FUNCTION notmine(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null)
                .then().statusCode(403).body("errors[0].code", equalTo(13014))
                .body("errors[0].msg", containsString("query_manage_global_external_functions"));
        query(server.anonymous().auth().preemptive().basic("scoped", "scoped-pass"),
                "DROP FUNCTION `beer-sample`.brewery.x", null)
                .then().statusCode(403)
                .body("errors[0].msg", containsString("query_manage_external_functions[beer-sample:brewery]"));
        // system:functions shows the scoped user only what it may see.
        succeeds("CREATE FUNCTION hidden(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null);
        query(server.anonymous().auth().preemptive().basic("scoped", "scoped-pass"),
                "SELECT RAW identity.name FROM system:functions", null)
                .then().statusCode(200).body("results", hasItem("mine")).body("results", not(hasItem("hidden")));
        query(server.anonymous().auth().preemptive().basic("scoped", "scoped-pass"), "DROP FUNCTION mine", INVENTORY)
                .then().statusCode(200);
        succeeds("DROP FUNCTION hidden", null);
    }
}
