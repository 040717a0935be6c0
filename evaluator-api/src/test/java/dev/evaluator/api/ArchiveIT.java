package dev.evaluator.api;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export and import over HTTP: the round trip, append collisions, damaged documents, users and their hashes.
 * Responses are checked against openapi.yaml.
 */
class ArchiveIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String SCOPE = "?bucket=travel-sample&scope=inventory";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perTest();

    private static void seed() {
        server.admin().body("function add(a, b) { return a + b; }").post(LIBS + "/math").then().statusCode(200);
        server.admin().body("function km(m) { return m / 1000; }").post(LIBS + "/geo" + SCOPE).then()
                .statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                null).then().statusCode(200);
    }

    private static String export(String query) {
        return server.admin().get(ArchiveService.EXPORT_PATH + query).then().statusCode(200)
                .contentType(startsWith("application/json")).extract().asString();
    }

    private static String timeless(String document) {
        return document.replaceAll("\"(exported|modified|created)\":\"[^\"]*\"", "\"$1\":\"-\"")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\\n$", "}");
    }

    private static io.restassured.response.Response importing(String mode, String document) {
        return server.admin().contentType("application/json").body(document.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=" + mode);
    }

    @Test
    void roundTrip_export_flush_import_export() {
        seed();
        String first = export("");

        importing("flush", first).then().statusCode(200).body("mode", equalTo("flush"))
                .body("libraries", equalTo(2)).body("functions", equalTo(1));

        assertEquals(timeless(first), timeless(export("")));
        FunctionsIT.query(server.admin(), "EXECUTE FUNCTION plus(1, 2)", null).then().statusCode(200)
                .body("results[0]", equalTo(3));
        server.admin().get(AuditService.PATH + "?action=import").then().statusCode(200)
                .body("entries[0].target", equalTo("flush"));
    }

    @Test
    void append_collisions_409_listed_nothingChanged() {
        seed();
        String document = export("");
        server.admin().body("function add(a, b) { return b + a; }").post(LIBS + "/math").then().statusCode(200);

        importing("append", document).then().statusCode(409).body("code", equalTo("import_collision"))
                .body("collisions", equalTo(List.of("library [geo] in scope travel-sample.inventory",
                        "library [math]", "function default:plus")));
        assertEquals("function add(a, b) { return b + a; }",
                server.admin().get(LIBS + "/math").jsonPath().getString("math"));
        importing("replace", document).then().statusCode(200);
        assertEquals("function add(a, b) { return a + b; }",
                server.admin().get(LIBS + "/math").jsonPath().getString("math"));
    }

    @Test
    void damaged_or_truncated_400_sayingWhere() {
        seed();
        String document = export("");

        importing("flush", document.substring(0, document.length() - 40)).then().statusCode(400)
                .body("code", equalTo("import_invalid")).body("where", equalTo("document"))
                .body("message", startsWith("The document is truncated at line 1, column"));
        importing("flush", document.replace("a + b", "a - b")).then().statusCode(400)
                .body("where", equalTo("sha256"));
        importing("sideways", document).then().statusCode(400).body("code", equalTo("bad_request"));
        importing("flush", "").then().statusCode(400);
        assertEquals(timeless(document), timeless(export("")));
    }

    @Test
    void export_ofOneScope_withHistory() {
        seed();
        server.admin().body("function km(m) { return m / 1e3; }").post(LIBS + "/geo" + SCOPE).then().statusCode(200);

        String document = export(SCOPE + "&history=true");

        assertTrue(document.contains("\"name\":\"geo\"") && !document.contains("\"name\":\"math\""), document);
        assertTrue(document.contains("\"history\":[{\"version\":2,"), document);
    }

    @Test
    void users_exportedWithHashes_toAnAdminOnLoopback_restoredByImport() {
        seed();
        server.admin().contentType("application/x-www-form-urlencoded").body("password=erin-password&roles=ro_admin")
                .put(UserService.PATH + "/local/erin").then().statusCode(200);
        String document = export("?users=true");
        assertTrue(document.contains("\"passwordHash\":\"pbkdf2-sha256$"), document);
        assertFalse(export("").contains("passwordHash"));
        server.anonymous().auth().preemptive().basic("erin", "erin-password").get(ArchiveService.EXPORT_PATH
                + "?users=true").then().statusCode(403).body("required", equalTo("admin"));
        server.admin().delete(UserService.PATH + "/local/erin").then().statusCode(200);

        importing("replace", document).then().statusCode(200).body("users", equalTo(2));

        // The hash came back: erin signs in with her old password.
        server.anonymous().auth().preemptive().basic("erin", "erin-password").get(AuditService.PATH).then()
                .statusCode(200);
        importing("append", document).then().statusCode(409)
                .body("collisions", org.hamcrest.Matchers.hasItem("user erin"));
    }
}
