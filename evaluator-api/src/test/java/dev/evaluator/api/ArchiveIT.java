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
    /** An empty server to restore into. */
    @RegisterExtension
    static final ServerExtension other = ServerExtension.perTest();

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
        byte[] latin1 = document.replace("a + b", "a + b // \u00e9").getBytes(StandardCharsets.ISO_8859_1);
        server.admin().contentType("application/json").body(latin1).post(ArchiveService.IMPORT_PATH + "?mode=flush")
                .then().statusCode(400).body("code", equalTo("invalid_utf8"));
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

    private static String withoutExportTime(String document) {
        return document.replaceFirst("\"exported\":\"[^\"]*\"", "")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\n$", "}");
    }

    /** math with three versions: two with messages, one by erin (a user who may write libraries). */
    private static void seedHistory() {
        seed();
        server.admin().header("X-Evaluator-Message", "commutative").body("function add(a, b) { return b + a; }")
                .post(LIBS + "/math").then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=erin-password&roles=query_manage_global_external_functions")
                .put(UserService.PATH + "/local/erin").then().statusCode(200);
        server.anonymous().auth().preemptive().basic("erin", "erin-password").queryParam("message", "erin's")
                .body("function add(a, b) { return a + b; }\nfunction two() { return 2; }").post(LIBS + "/math")
                .then().statusCode(200);
    }

    private static List<Object> versions(ServerExtension on) {
        return on.admin().get(LIBS + "/math/versions").then().statusCode(200).extract().jsonPath()
                .getList("versions");
    }

    @Test
    void history_restoredIntoAnEmptyServer_withNumbersTimesUsersMessages_andExportedTheSame() {
        seedHistory();
        String first = export("?history=true");
        List<Object> before = versions(server);

        other.admin().contentType("application/json").body(first.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=flush").then().statusCode(200)
                .body("restored", equalTo(4)).body("renumbered", equalTo(0)).body("versions", equalTo(0));

        assertEquals(3, before.size());
        assertEquals(before, versions(other));
        other.admin().get(LIBS + "/math/versions").then().body("versions.user",
                equalTo(List.of("erin", TestServer.ADMIN, TestServer.ADMIN)))
                .body("versions.message", equalTo(List.of("erin's", "commutative", "")));
        other.admin().get(LIBS + "/math/versions/2").then().statusCode(200)
                .body("code", equalTo("function add(a, b) { return b + a; }"));
        String again = other.admin().get(ArchiveService.EXPORT_PATH + "?history=true").then().statusCode(200)
                .extract().asString();
        assertEquals(withoutExportTime(first), withoutExportTime(again));
        // And flushed into the server it came from: nothing restored twice, no version made, the same document.
        importing("flush", first).then().statusCode(200).body("restored", equalTo(0)).body("versions", equalTo(0));
        assertEquals(withoutExportTime(first), withoutExportTime(export("?history=true")));
    }

    @Test
    void history_intoALibraryWithVersionsOfItsOwn_isNumberedAboveThem_inReplaceAndAppend() {
        seedHistory();
        String document = export("?history=true");
        List<Object> source = versions(server);
        other.admin().body("function theirs() {}").post(LIBS + "/math").then().statusCode(200);

        other.admin().contentType("application/json").body(document.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=replace").then().statusCode(200)
                .body("restored", equalTo(4)).body("renumbered", equalTo(1)).body("versions", equalTo(0));

        List<Object> now = versions(other);
        assertEquals(4, now.size());
        for (int i = 0; i < 3; i++) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> from = new java.util.HashMap<>((java.util.Map<String, Object>) source
                    .get(i));
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> to = new java.util.HashMap<>((java.util.Map<String, Object>) now.get(i));
            assertEquals(((Integer) from.remove("version")) + 1, to.remove("version"));
            assertEquals(from, to);
        }
        other.admin().get(LIBS + "/math/versions/1").then().body("code", equalTo("function theirs() {}"));
        // Append: math exists there now, a collision; after a delete (its history stays) they go on at 5, to 7.
        other.admin().contentType("application/json").body(document.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=append").then().statusCode(409);
        FunctionsIT.query(other.admin(), "DROP FUNCTION plus", null).then().statusCode(200);
        other.admin().delete(LIBS + "/math").then().statusCode(200);
        other.admin().delete(LIBS + "/geo" + SCOPE).then().statusCode(200);
        other.admin().contentType("application/json").body(document.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=append").then().statusCode(200)
                .body("renumbered", equalTo(1));
        other.admin().get(LIBS + "/math/versions?limit=1").then().body("versions[0].version", equalTo(7))
                .body("versions[0].user", equalTo("erin"));
    }

    @Test
    void damagedVersion_400_namesIt_andChangesNothing() {
        seedHistory();
        String document = export("?history=true");
        String body = document.replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\n$", "")
                .replace("return b + a", "return b - a");
        String damaged = body + ",\"sha256\":\"" + dev.evaluator.engine.LibraryHistory.sha256(body) + "\"}\n";

        other.admin().contentType("application/json").body(damaged.getBytes(StandardCharsets.UTF_8))
                .post(ArchiveService.IMPORT_PATH + "?mode=flush").then().statusCode(400)
                .body("code", equalTo("import_invalid")).body("where", equalTo("libraries[1].history[1]"))
                .body("message", org.hamcrest.Matchers.containsString(
                        "Version 2 of library [math] (libraries[1].history[1]) does not match its sha256"));
        other.admin().get(LIBS).then().statusCode(200).body("size()", equalTo(0));
        other.admin().get(LIBS + "/math/versions").then().statusCode(404);
    }
}
