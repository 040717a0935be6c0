package dev.evaluator.api;

import java.util.List;
import java.util.Map;

import io.restassured.response.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The audit trail over HTTP: management actions with who, from where, what, how it ended and the version;
 * refusals for permission; filters and paging; never a password, hash or code. Responses are checked against
 * openapi.yaml.
 */
class AuditIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String SECRET_CODE = "function secret() { return 'top-secret-token-42'; }";
    private static final String PASSWORD = "a-password-that-must-not-show";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perTest();

    private static List<Map<String, Object>> entries(String query) {
        return server.admin().urlEncodingEnabled(false).get(AuditService.PATH + query).then().statusCode(200)
                .extract().jsonPath().getList("entries");
    }

    private static void user(String name, String roles) {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=" + PASSWORD + "&roles=" + roles)
                .put(UserService.PATH + "/local/" + name).then().statusCode(200);
    }

    @Test
    void managementActions_areRecorded_newestFirst_neverWithCodeOrPasswords() {
        server.admin().body(SECRET_CODE).post(LIBS + "/math?bucket=b&scope=s").then().statusCode(200);
        server.admin().body(SECRET_CODE + "\nfunction two() {}").post(LIBS + "/math?bucket=b&scope=s&force=true")
                .then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION b.s.two() LANGUAGE JAVASCRIPT AS \"two\" AT \"b/s/math\"",
                null).then()
                .statusCode(200);
        server.admin().delete(LIBS + "/math?bucket=b&scope=s").then().statusCode(409);
        FunctionsIT.query(server.admin(), "DROP FUNCTION b.s.two", null).then().statusCode(200);
        server.admin().delete(LIBS + "/math?bucket=b&scope=s").then().statusCode(200);
        user("carol", "ro_admin");
        server.admin().delete(UserService.PATH + "/local/carol").then().statusCode(200);

        List<Map<String, Object>> all = entries("");
        List<String> actions = all.stream().map(e -> e.get("action") + " " + e.get("outcome")).toList();
        assertEquals(List.of("user.delete success", "user.create success", "library.delete success",
                "function.drop success", "library.delete library_in_use", "function.create success",
                "library.replace success", "library.create success"), actions);
        Map<String, Object> create = all.getLast();
        assertEquals(TestServer.ADMIN, create.get("user"));
        assertEquals("127.0.0.1", create.get("client"));
        assertEquals("b/s/math", create.get("target"));
        assertEquals(1, create.get("version"));
        assertEquals(2, all.get(6).get("version"));
        assertEquals("password; roles: ro_admin", all.get(1).get("detail"));
        String text = server.admin().get(AuditService.PATH).asString();
        assertFalse(text.contains("top-secret-token-42"), text);
        assertFalse(text.contains(PASSWORD), text);
        assertFalse(text.contains("$argon") || text.contains("pbkdf2"), text);
    }

    @Test
    void refusedForPermission_isRecorded() {
        user("reader", "ro_admin");
        server.anonymous().auth().preemptive().basic("reader", PASSWORD).body("function f() {}")
                .post(LIBS + "/math?bucket=b&scope=s").then().statusCode(403);
        server.anonymous().auth().preemptive().basic("reader", PASSWORD)
                .delete(UserService.PATH + "/local/" + TestServer.ADMIN).then().statusCode(403);

        List<Map<String, Object>> refused = entries("?user=reader");
        assertEquals(List.of("user.delete " + TestServer.ADMIN, "library.write b/s/math"),
                refused.stream().map(e -> e.get("action") + " " + e.get("target")).toList());
        assertEquals("forbidden", refused.getFirst().get("outcome"));
        // Reading is no management action.
        server.anonymous().auth().preemptive().basic("reader", PASSWORD).get(UserService.PATH).then().statusCode(403);
        assertEquals(2, entries("?user=reader").size());
        // ro_admin reads the trail.
        server.anonymous().auth().preemptive().basic("reader", PASSWORD).get(AuditService.PATH).then()
                .statusCode(200);
    }

    @Test
    void filters_andCursor() {
        for (int i = 0; i < 5; i++) {
            server.admin().body("function f" + i + "() {}").post(LIBS + "/lib" + i).then().statusCode(200);
        }
        user("dave", "ro_admin");

        assertEquals(5, entries("?action=library").size());
        assertEquals(5, entries("?action=library.create").size());
        assertEquals(0, entries("?action=library.cre").size());
        assertEquals(1, entries("?target=lib3").size());
        assertEquals(List.of("user.create"), entries("?user=" + TestServer.ADMIN + "&action=user").stream()
                .map(e -> e.get("action")).toList());
        Response page = server.admin().get(AuditService.PATH + "?limit=4");
        page.then().statusCode(200).body("entries", hasSize(4));
        String cursor = page.jsonPath().getString("nextCursor");
        assertNotNull(cursor);
        server.admin().queryParam("cursor", cursor).get(AuditService.PATH).then().statusCode(200)
                .body("entries", hasSize(2)).body("entries[1].target", equalTo("lib0"));
        String third = page.jsonPath().getString("entries[2].time");
        assertEquals(0, entries("?to=2000-01-01T00:00:00Z").size());
        assertEquals(6, entries("?from=2000-01-01T00:00:00Z").size());
        assertFalse(entries("?from=" + third).isEmpty());
        for (String bad : List.of("?from=yesterday", "?limit=0", "?cursor=abc")) {
            server.admin().urlEncodingEnabled(false).get(AuditService.PATH + bad).then().statusCode(400)
                    .body("code", equalTo("bad_request"));
        }
    }
}
