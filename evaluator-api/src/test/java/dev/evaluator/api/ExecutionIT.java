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
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Running functions over HTTP: the invoke endpoint, EXECUTE FUNCTION and function calls in SELECT, with JSON
 * arguments and results, console output, JavaScript errors in Couchbase's 10109 shape, and permissions.
 */
class ExecutionIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVENTORY = "default:`travel-sample`.inventory";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void start() {
        server.admin().body("""
                function add(a, b) { return a + b; }
                function nothing() { }
                function greet(name, greeting) { console.log("greeting", name); return greeting + ", " + name; }
                function fails(x) {
                  const y = x * 2;
                  throw new Error("bad input " + y);
                }
                function slow() { while (true) {} }
                function viaHelper(a) { return add(a, a); }
                function numbers(x) {
                  return {echo: x, i: 1, d: 0.1 + 0.2, big: 2n ** 60n, nan: NaN, at: new Date(0), list: [undefined]};
                }""").post(LIBS + "/math").then().statusCode(200);
        server.admin().body("function f2c(f) { return (5/9)*(f-32); }")
                .post(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION add(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"", null)
                .then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION nothing() LANGUAGE JAVASCRIPT AS \"nothing\" AT \"math\"",
                null).then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION fails(x) LANGUAGE JAVASCRIPT AS \"fails\" AT \"math\"",
                null).then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION slow() LANGUAGE JAVASCRIPT AS \"slow\" AT \"math\"", null)
                .then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"",
                INVENTORY).then().statusCode(200);
    }

    private static Response invoke(RequestSpecification as, String path, String body) {
        return as.contentType("application/json").body(body).post(LIBS + path);
    }

    @Test
    void invoke_positionalAndNamedArguments() {
        invoke(server.admin(), "/math/functions/add/invoke", "{\"args\":[2,3]}").then().statusCode(200)
                .body("result", equalTo(5));
        invoke(server.admin(), "/math/functions/greet/invoke", "{\"params\":{\"greeting\":\"Hi\",\"name\":\"Ann\"}}")
                .then().statusCode(200).body("result", equalTo("Hi, Ann"));
        invoke(server.admin(), "/math/functions/viaHelper/invoke", "{\"args\":[21]}").then()
                .body("result", equalTo(42));
        invoke(server.admin(), "/science/functions/f2c/invoke?bucket=travel-sample&scope=inventory",
                "{\"args\":[212]}").then().statusCode(200).body("result", equalTo(100));
    }

    /** The exact text, not a parsed reading: an integer must not come back as 1.0, a double keeps 17 digits. */
    @Test
    void invoke_valuesCrossAsExactJson() {
        String body = invoke(server.admin(), "/math/functions/numbers/invoke",
                "{\"args\":[{\"n\":12345678901234567,\"f\":2.5e-7,\"s\":\"a\\tb\"}]}")
                .then().statusCode(200).extract().asString();

        assertTrue(body.startsWith("{\"result\":{\"echo\":{\"n\":12345678901234568,\"f\":2.5e-7,\"s\":\"a\\tb\"},"
                + "\"i\":1,\"d\":0.30000000000000004,\"big\":\"1152921504606846976\",\"nan\":null,"
                + "\"at\":\"1970-01-01T00:00:00.000Z\",\"list\":[null]},\"elapsed\":\""), body);
    }

    @Test
    void invoke_timeoutInTheQueryOrTheBody_stopsTheCall_badValue400() {
        long started = System.nanoTime();
        invoke(server.admin(), "/math/functions/slow/invoke?timeout=300ms", "{}").then().statusCode(422)
                .body("code", equalTo("call_timeout"));
        invoke(server.admin(), "/math/functions/slow/invoke", "{\"args\":[],\"timeout\":\"300ms\"}").then()
                .statusCode(422).body("code", equalTo("call_timeout"));
        // Far below the server's own limit (120 s): the caller's timeout stopped both.
        org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - started < 60_000_000_000L);
        invoke(server.admin(), "/math/functions/add/invoke?timeout=soon", "{\"args\":[1,2]}").then().statusCode(400)
                .body("code", equalTo("bad_request"))
                .body("message", equalTo("timeout must be a positive duration such as 500ms, 10s or 2m, not soon"));
        invoke(server.admin(), "/math/functions/add/invoke?timeout=1s", "{\"args\":[1,2],\"timeout\":\"1s\"}")
                .then().statusCode(400).body("code", equalTo("invalid_body"));
        invoke(server.admin(), "/math/functions/add/invoke?timeout=5s", "{\"args\":[1,2]}").then().statusCode(200)
                .body("result", equalTo(3));
    }

    @Test
    void invoke_undefinedIsNull_andLogsOnRequest() {
        invoke(server.admin(), "/math/functions/nothing/invoke", "{}").then().statusCode(200)
                .body("result", nullValue());
        invoke(server.admin(), "/math/functions/greet/invoke?log=true", "{\"args\":[\"Bo\",\"Hey\"]}").then()
                .statusCode(200)
                .body("logs[0].level", equalTo("log"))
                .body("logs[0].message", equalTo("greeting Bo"));
        invoke(server.admin(), "/math/functions/greet/invoke", "{\"args\":[\"Bo\",\"Hey\"]}").then()
                .body("logs", nullValue());
    }

    @Test
    void invoke_jsError_422WithCouchbaseDetails() {
        invoke(server.admin(), "/math/functions/fails/invoke", "{\"args\":[4]}").then().statusCode(422)
                .body("code", equalTo("js_error"))
                .body("error.code", equalTo(10109))
                .body("error.msg", equalTo("Error executing function 'fails' (math:fails)"))
                .body("error.reason.type", equalTo("Exceptions from JS code"))
                .body("error.reason.details.Location", equalTo("math.js:6"))
                .body("error.reason.details.Code", containsString("throw new Error(\"bad input \" + y);"))
                .body("error.reason.details.Exception", containsString("bad input 8"));
    }

    @Test
    void invoke_badRequests() {
        invoke(server.admin(), "/math/functions/nosuch/invoke", "{\"args\":[]}").then().statusCode(404)
                .body("code", equalTo("function_not_found"));
        invoke(server.admin(), "/nolib/functions/add/invoke", "{\"args\":[]}").then().statusCode(404)
                .body("code", equalTo("library_not_found"));
        invoke(server.admin(), "/math/functions/add/invoke", "{\"args\":1}").then().statusCode(400)
                .body("code", equalTo("invalid_body"));
        invoke(server.admin(), "/math/functions/add/invoke", "{\"params\":{\"c\":1}}").then().statusCode(400)
                .body("message", containsString("Unknown parameter(s) [c] for add(a, b)"));
        invoke(server.admin(), "/math/functions/add/invoke", "{\"args\":[], \"params\":{}}").then().statusCode(400);
    }

    /** Bodies of every shape around {"args":[...]}: the streaming fast path and the tree reading must agree. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"args\":[1,2]}                          | 200 | 3",
            "{ \"args\" : [ 1 , 2 ] }                  | 200 | 3",
            "{\"args\":[1,2],\"note\":\"x\"}             | 200 | 3",
            "{\"note\":{\"args\":[9]},\"args\":[1,2]}     | 200 | 3",
            "{\"args\":[9,9],\"args\":[1,2]}             | 200 | 3",
            "{\"args\":[\"a\\\"]\",[2,{\"b\":\"]\"}]]}     | 200 | \"a\\\"]2,[object Object]\"",
            "{\"args\":[1,2]} trailing                 | 400 | invalid_body",
            "{\"args\":[1,2                            | 400 | invalid_body",
            "{\"args\":[1,tru]}                        | 400 | invalid_body",
            "{\"args\":[1,2]]}                         | 400 | invalid_body",
            "{\"args\":\"[1,2]\"}                      | 400 | invalid_body",
            "[1,2]                                   | 400 | invalid_body",
    })
    void invoke_bodyShapes_sameAnswerWhicheverWayRead(String body, int status, String expected) {
        String answer = invoke(server.admin(), "/math/functions/add/invoke", body).then().statusCode(status)
                .extract().asString();

        if (status == 200) {
            assertTrue(answer.startsWith("{\"result\":" + expected + ",\"elapsed\":\""), answer);
        } else {
            assertTrue(answer.contains("\"code\":\"" + expected + "\""), answer);
        }
    }

    @Test
    void executeFunction_andCallsInSelect() {
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION add(1, 2)", null).then().statusCode(200)
                .body("results", equalTo(List.of(3)));
        FunctionsIT.query(server.admin(), "SELECT RAW celsius(212)", INVENTORY).then().statusCode(200)
                .body("results", equalTo(List.of(100)));
        FunctionsIT.query(server.admin(), "SELECT add(40, 2) AS answer, add(\"a\", \"b\") AS text", null).then()
                .body("results", equalTo(List.of(Map.of("answer", 42, "text", "ab"))));
        server.admin().contentType("application/json")
                .body("{\"statement\":\"EXECUTE FUNCTION add($1, $b)\",\"args\":[[1]],\"$b\":[2]}")
                .post(QueryService.PATH).then().statusCode(200).body("results", equalTo(List.of("12")));
        // undefined is MISSING in SQL++: no result, no field.
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION nothing()", null).then()
                .body("results", equalTo(List.of()));
        FunctionsIT.query(server.admin(), "SELECT nothing() AS n", null).then()
                .body("results", equalTo(List.of(Map.of())));
    }

    @Test
    void sqlCalls_errors() {
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION add(1)", null).then().statusCode(400)
                .body("errors[0].code", equalTo(10104));
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION nosuch(1)", null).then().statusCode(404)
                .body("errors[0].code", equalTo(10101));
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION fails(1)", null).then().statusCode(422)
                .body("errors[0].code", equalTo(10109))
                .body("errors[0].msg", equalTo("Error executing function 'fails' (math:fails)"))
                .body("errors[0].reason.details.Location", equalTo("math.js:6"));
        Response slow = server.admin().contentType("application/json")
                .body("{\"statement\":\"EXECUTE FUNCTION slow()\",\"timeout\":\"300ms\"}").post(QueryService.PATH);
        // The request's own timeout: Couchbase's 1080, not a function error.
        slow.then().statusCode(504).body("status", equalTo("timeout")).body("errors[0].code", equalTo(1080))
                .body("errors[0].msg", equalTo("Timeout 300ms exceeded"));
    }

    @Test
    void workersAndQueueFull_503WithRetryAfter_andTheServerStillAnswers(@TempDir Path busyDir) throws Exception {
        try (TestServer busy = TestServer.start(busyDir, 1024 * 1024, false,
                new dev.evaluator.runtime.RuntimeSettings(1, 1, 4))) {
            busy.admin().body("function spin() { while (true) {} }").post(LIBS + "/spin").then().statusCode(200);
            FunctionsIT.query(busy.admin(), "CREATE FUNCTION spin() LANGUAGE JAVASCRIPT AS \"spin\" AT \"spin\"", null)
                    .then().statusCode(200);
            // One worker and one queue slot: two calls are taken (each stopped by its request's timeout, 1080), the
            // rest refused.
            String statement = "{\"statement\":\"EXECUTE FUNCTION spin()\",\"timeout\":\"1500ms\"}";
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    calls.add(pool.submit(() -> busy.admin().contentType("application/json").body(statement)
                            .post(QueryService.PATH).statusCode()));
                    Thread.sleep(150);
                }
                Response refused = invoke(busy.admin(), "/spin/functions/spin/invoke", "{}");
                refused.then().statusCode(503).header("Retry-After", "1").body("code", equalTo("busy"));
                // Other endpoints are not held up by the JavaScript workers.
                busy.admin().get(LIBS + "/spin").then().statusCode(200);
                List<Integer> statuses = new java.util.ArrayList<>();
                for (var call : calls) {
                    statuses.add(call.get());
                }
                org.junit.jupiter.api.Assertions.assertTrue(statuses.contains(504), statuses.toString());
                org.junit.jupiter.api.Assertions.assertTrue(statuses.contains(503), statuses.toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void permissions_executeRoleOfTheNamespace() {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=exec-pass&roles=query_execute_external_functions[travel-sample:inventory]")
                .put(UserService.PATH + "/local/exec").then().statusCode(200);
        RequestSpecification exec = server.anonymous().auth().preemptive().basic("exec", "exec-pass");
        FunctionsIT.query(exec, "SELECT RAW celsius(32)", INVENTORY).then().statusCode(200)
                .body("results", equalTo(List.of(0)));
        FunctionsIT.query(server.anonymous().auth().preemptive().basic("exec", "exec-pass"),
                "EXECUTE FUNCTION add(1, 2)", null).then().statusCode(403)
                .body("errors[0].code", equalTo(13014))
                .body("errors[0].msg", containsString("query_execute_global_external_functions"));
        invoke(server.anonymous().auth().preemptive().basic("exec", "exec-pass"),
                "/science/functions/f2c/invoke?bucket=travel-sample&scope=inventory", "{\"args\":[32]}")
                .then().statusCode(200);
        invoke(server.anonymous().auth().preemptive().basic("exec", "exec-pass"), "/math/functions/add/invoke",
                "{\"args\":[1,2]}").then().statusCode(403);
    }

    /**
     * A failing line that holds a secret: callers who may read the library see it in {@code details.Code}; a caller
     * who may only execute gets where and why (location, message, stack), never the code, on invoke and on
     * {@code /query/service} alike.
     */
    @Test
    void jsError_executeOnlyCaller_getsLocationAndMessageNotCode() {
        String scope = "?bucket=travel-sample&scope=inventory";
        server.admin().body("""
                function leak(x) {
                  var apiKey = "sk-live-0123456789abcdef"; return apiKey.nothing.here;
                }""").post(LIBS + "/secrets" + scope).then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION leak(x) LANGUAGE JAVASCRIPT AS \"leak\" AT \"./secrets\"",
                INVENTORY).then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=runner-pass&roles=query_execute_external_functions[travel-sample:inventory]")
                .put(UserService.PATH + "/local/runner").then().statusCode(200);
        Response invoked = invoke(runner(), "/secrets/functions/leak/invoke" + scope, "{\"args\":[1]}");
        invoked.then().statusCode(422).body("code", equalTo("js_error"))
                .body("error.reason.details.Location", equalTo("secrets.js:2"))
                .body("error.reason.details.Message", containsString("secrets.js:2"))
                .body("error.reason.details.Code", nullValue());
        Response queried = FunctionsIT.query(runner(), "EXECUTE FUNCTION leak(1)", INVENTORY);
        queried.then().statusCode(422).body("errors[0].code", equalTo(10109))
                .body("errors[0].reason.details.Location", equalTo("secrets.js:2"))
                .body("errors[0].reason.details.Code", nullValue());
        for (Response response : List.of(invoked, queried)) {
            assertFalse(response.asString().contains("sk-live-"), response.asString());
        }

        invoke(server.admin(), "/secrets/functions/leak/invoke" + scope, "{\"args\":[1]}").then().statusCode(422)
                .body("error.reason.details.Code", containsString("sk-live-0123456789abcdef"));
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION leak(1)", INVENTORY).then().statusCode(422)
                .body("errors[0].reason.details.Code", containsString("sk-live-0123456789abcdef"));
    }

    private static RequestSpecification runner() {
        return server.anonymous().auth().preemptive().basic("runner", "runner-pass");
    }
}
