package dev.evaluator.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-function statistics after a known sequence of calls through both entry points, with errors and a timeout,
 * in {@code /evaluator/v1/stats} and {@code system:functions_cache}, filtered by what each caller may read.
 */
class FunctionStatsIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVENTORY = "bucket=travel-sample&scope=inventory";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();
    private static Instant started;

    @BeforeAll
    static void callKnownSequence() {
        started = Instant.now();
        server.admin().body("""
                function ok(x) { return x; }
                function fails() { throw new Error("no"); }
                function spin() { while (true) {} }""").post(LIBS + "/math").then().statusCode(200);
        server.admin().body("function f2c(f) { return (5/9)*(f-32); }").post(LIBS + "/science?" + INVENTORY)
                .then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION spinner() LANGUAGE JAVASCRIPT AS \"spin\" AT \"math\"",
                null).then().statusCode(200);
        user("smgr", "query_manage_external_functions[travel-sample:inventory]");
        user("gmgr", "query_manage_global_external_functions");
        user("gexec", "query_execute_global_external_functions");

        for (int i = 0; i < 3; i++) {
            invoke("/math/functions/ok/invoke", "{\"args\":[" + i + "]}").then().statusCode(200);
        }
        invoke("/math/functions/fails/invoke", "{}").then().statusCode(422);
        // Not counted: the library defines no such function.
        invoke("/math/functions/nosuch/invoke", "{}").then().statusCode(404);
        server.admin().contentType("application/x-www-form-urlencoded")
                .formParam("statement", "EXECUTE FUNCTION spinner()").formParam("timeout", "200ms")
                .post(QueryService.PATH).then().statusCode(504).body("errors[0].code", equalTo(1080))
                .body("status", equalTo("timeout"));
        invoke("/science/functions/f2c/invoke?" + INVENTORY, "{\"args\":[212]}").then().statusCode(200);
    }

    @Test
    void stats_asAdmin_eachFunctionCountedWithErrorsTimeoutsAndTimes() {
        JsonPath stats = server.admin().get(StatsService.PATH).then().statusCode(200).extract().jsonPath();

        assertEquals(List.of("fails", "ok", "spin", "f2c"), stats.getList("functions.function"));
        assertEquals(List.of("math", "math", "math", "science"), stats.getList("functions.library"));
        assertEquals(List.of(1, 3, 1, 1), stats.getList("functions.calls"));
        assertEquals(List.of(1, 0, 1, 0), stats.getList("functions.errors"));
        assertEquals(List.of(0, 0, 1, 0), stats.getList("functions.timeouts"));
        assertEquals(List.of("", "", "", "travel-sample"), stats.getList("functions.bucket"));
        for (Map<String, Object> f : stats.<Map<String, Object>>getList("functions")) {
            double min = ((Number) f.get("minMs")).doubleValue();
            double avg = ((Number) f.get("avgMs")).doubleValue();
            double p99 = ((Number) f.get("p99Ms")).doubleValue();
            double max = ((Number) f.get("maxMs")).doubleValue();
            assertTrue(0 < min && min <= avg && avg <= max && min <= p99 && p99 <= max, f.toString());
            Instant last = Instant.parse((String) f.get("lastCall"));
            assertFalse(last.isBefore(started) || last.isAfter(Instant.now()), f.toString());
        }
        Map<String, Object> spin = stats.getMap("functions[2]");
        assertTrue(((Number) spin.get("minMs")).doubleValue() >= 200, "the timed-out call ran its 200 ms: " + spin);

        assertEquals(List.of("", "travel-sample"), stats.getList("namespaces.bucket"));
        assertEquals(List.of(5, 1), stats.getList("namespaces.calls"));
        assertEquals(List.of(2, 0), stats.getList("namespaces.errors"));
        assertEquals(List.of(1, 0), stats.getList("namespaces.timeouts"));
        double globalMax = stats.<Map<String, Object>>getList("functions").stream().limit(3)
                .mapToDouble(f -> ((Number) f.get("maxMs")).doubleValue()).max().orElseThrow();
        assertEquals(globalMax, ((Number) stats.get("namespaces[0].maxMs")).doubleValue());
    }

    @Test
    void stats_filteredToTheNamespacesTheCallerMayRead() {
        assertEquals(List.of("math", "math", "math", "science"),
                as("smgr").get(StatsService.PATH).jsonPath().getList("functions.library"));
        assertEquals(List.of("math", "math", "math"),
                as("gmgr").get(StatsService.PATH).jsonPath().getList("functions.library"));
        as("gexec").get(StatsService.PATH).then().statusCode(200)
                .body("functions", equalTo(List.of())).body("namespaces", equalTo(List.of()));
        as("smgr").get(StatsService.PATH + "?" + INVENTORY).then().statusCode(200)
                .body("functions.function", equalTo(List.of("f2c")))
                .body("namespaces.scope", equalTo(List.of("inventory")));
        as("gmgr").get(StatsService.PATH + "?" + INVENTORY).then().statusCode(403);
        server.admin().get(StatsService.PATH + "?bucket=travel-sample").then().statusCode(400)
                .body("code", equalTo("bucket_and_scope_required"));
    }

    @Test
    void functionsCache_couchbaseFieldsForWhatTheCallerMayRead() {
        Response all = FunctionsIT.query(server.admin(), "SELECT * FROM system:functions_cache", null);

        // Four library functions called, and one SQL++ function (spinner, bound to spin): Couchbase's row for it.
        all.then().statusCode(200).body("results.size()", equalTo(5));
        Map<String, Object> spinner = all.jsonPath().getMap("results.find { it.functions_cache.name != null }"
                + ".functions_cache");
        assertEquals("default:spinner", spinner.get("name"));
        assertEquals(1, spinner.get("uses"));
        Map<String, Object> spin = all.jsonPath().getMap("results.find { it.functions_cache.object == 'spin'"
                + " && it.functions_cache.name == null }.functions_cache");
        assertEquals("javascript", spin.get("#language"));
        assertEquals("math", spin.get("library"));
        assertEquals("global", spin.get("type"));
        assertEquals("default", spin.get("namespace"));
        assertEquals(1, spin.get("uses"));
        assertEquals(1, spin.get("errors"));
        assertEquals(1, spin.get("timeouts"));
        assertTrue(((String) spin.get("lastUse")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\+0000 UTC"),
                spin.toString());
        for (String time : List.of("minServiceTime", "maxServiceTime", "avgServiceTime", "p99ServiceTime")) {
            assertTrue(((String) spin.get(time)).matches("[\\d.]+(s|ms|µs)"), time + ": " + spin);
        }

        // OBJECT is a reserved word of SQL++, as in Couchbase: back-quoted.
        FunctionsIT.query(as("smgr"),
                "SELECT RAW c.`object` FROM system:functions_cache AS c WHERE c.type = \"scope\"", null).then()
                .statusCode(200).body("results", equalTo(List.of("f2c")));
        FunctionsIT.query(as("gexec"), "SELECT * FROM system:functions_cache", null).then().statusCode(200)
                .body("results", equalTo(List.of()));
    }

    private static Response invoke(String path, String body) {
        return server.admin().contentType("application/json").body(body).post(LIBS + path);
    }

    private static RequestSpecification as(String user) {
        return server.anonymous().auth().preemptive().basic(user, "pw-of-" + user);
    }

    private static void user(String name, String roles) {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=pw-of-" + name + "&roles=" + roles)
                .put(UserService.PATH + "/local/" + name).then().statusCode(200);
    }
}
