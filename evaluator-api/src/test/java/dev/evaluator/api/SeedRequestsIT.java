package dev.evaluator.api;

import java.util.List;
import java.util.Map;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Requests 1 to 11 of Couchbase's Functions REST API page, with the page's bodies, in an order where each one's
 * expected result is defined: the writes (5 to 9), the reads (1 to 4), the deletes (10, 11). Every response is
 * validated against our openapi.yaml and Couchbase's own OpenAPI document.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedRequestsIT {
    private static final String MATH_5 = """
            function add(a, b) { let data = a + b; return data; }
                function sub(a, b) { let data = a - b; return data; }""";
    private static final String MATH_6 = """
            function add(a, b) { let data = a + b; return data; }
                function sub(a, b) { let data = a - b; return data; }
                function mul(a, b) { let data = a * b; return data; }""";
    private static final String MATH_7 = """
            function add(a, b) { let data = a + b; return data; }
                function mul(a, b) { let data = a * b; return data; }
                function sub(a, b) { return helper(a, b); }
                function helper(a, b) { return a - b; }""";
    private static final String MATH_8 = """
            function add(a, b) { let data = a + b; return data; }
                function mul(a, b) { let data = a * b; return data; }""";
    private static final String SCIENCE = "function f2c(f) { return (5/9)*(f-32); }";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    private static RequestSpecification seed() {
        return server.admin().filter(TestServer.COUCHBASE_SPEC);
    }

    private static void postMath(String code) {
        seed().contentType("application/json").body(code)
                .post(TestServer.LIBRARIES + "/math")
                .then().statusCode(200).body("status", equalTo("OK"));
        seed().get(TestServer.LIBRARIES + "/math").then().statusCode(200).body("math", equalTo(code));
    }

    @Test
    @Order(5)
    void request5_createGlobalLibrary() {
        postMath(MATH_5);
    }

    @Test
    @Order(6)
    void request6_addFunction() {
        postMath(MATH_6);
    }

    @Test
    @Order(7)
    void request7_editFunctionWithHelper() {
        postMath(MATH_7);
    }

    @Test
    @Order(8)
    void request8_removeFunctions() {
        postMath(MATH_8);
    }

    @Test
    @Order(9)
    void request9_createScopedLibrary() {
        seed().contentType("application/json").body(SCIENCE)
                .post(TestServer.LIBRARIES + "/science?bucket=travel-sample&scope=inventory")
                .then().statusCode(200).body("status", equalTo("OK"));
    }

    @Test
    @Order(11)
    void request1_listAllLibraries() {
        Response response = seed().get(TestServer.LIBRARIES);
        response.then().statusCode(200).contentType("application/json");
        assertEquals(List.of(
                        Map.of("name", "math", "bucket", "", "scope", "", "code", MATH_8),
                        Map.of("name", "science", "bucket", "travel-sample", "scope", "inventory", "code", SCIENCE)),
                response.jsonPath().getList("$"));
    }

    @Test
    @Order(12)
    void request2_listScopeLibraries() {
        Response response = seed().get(TestServer.LIBRARIES + "?bucket=travel-sample&scope=inventory");
        response.then().statusCode(200);
        assertEquals(List.of(Map.of("name", "science", "bucket", "travel-sample", "scope", "inventory",
                "code", SCIENCE)), response.jsonPath().getList("$"));
    }

    @Test
    @Order(13)
    void request3_readGlobalLibrary() {
        Response response = seed().get(TestServer.LIBRARIES + "/math");
        response.then().statusCode(200);
        assertEquals(Map.of("math", MATH_8), response.jsonPath().getMap("$"));
    }

    @Test
    @Order(14)
    void request4_readScopedLibrary() {
        Response response = seed().get(TestServer.LIBRARIES + "/science?bucket=travel-sample&scope=inventory");
        response.then().statusCode(200);
        assertEquals(Map.of("science", SCIENCE), response.jsonPath().getMap("$"));
    }

    @Test
    @Order(20)
    void request10_deleteGlobalLibrary() {
        seed().delete(TestServer.LIBRARIES + "/math").then().statusCode(200).body("status", equalTo("OK"));
        seed().get(TestServer.LIBRARIES + "/math").then().statusCode(404);
        // The scoped library is untouched.
        seed().get(TestServer.LIBRARIES + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
    }

    @Test
    @Order(21)
    void request11_deleteScopedLibrary() {
        seed().delete(TestServer.LIBRARIES + "/science?bucket=travel-sample&scope=inventory")
                .then().statusCode(200).body("status", equalTo("OK"));
        Response all = seed().get(TestServer.LIBRARIES);
        all.then().statusCode(200);
        assertEquals(List.of(), all.jsonPath().getList("$"));
    }
}
