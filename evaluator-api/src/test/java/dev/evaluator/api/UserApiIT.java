package dev.evaluator.api;

import dev.evaluator.engine.LoginThrottle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user API: Couchbase-shaped create, read, replace and delete, validation, the last administrator, passwords
 * that take effect at once, and secrets that never come back.
 */
class UserApiIT {
    private static final String USERS = UserService.PATH;
    private static final String FORM = "application/x-www-form-urlencoded";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    private static RequestSpecification as(String user, String password) {
        return server.anonymous().auth().preemptive().basic(user, password);
    }

    private static void put(String name, String form) {
        server.admin().contentType(FORM).body(form).put(USERS + "/local/" + name).then().statusCode(200)
                .body("status", equalTo("OK"));
    }

    @Test
    void adminPassword_vouchedForAtStart_untilItChanges(@TempDir Path dir) {
        try (TestServer fresh = TestServer.start(dir.resolve("data"))) {
            PasswordCheck passwords = fresh.evaluator().passwords();
            // Before any request: the bootstrap checked this password against the stored hash, so the first login
            // does not derive it again.
            assertTrue(passwords.recentlyVerified(TestServer.ADMIN, TestServer.PASSWORD.toCharArray()).isPresent());
            assertTrue(passwords.recentlyVerified(TestServer.ADMIN, "not-the-password".toCharArray()).isEmpty());
            fresh.admin().contentType(FORM).body("password=a-new-password&roles=admin")
                    .put(USERS + "/local/" + TestServer.ADMIN).then().statusCode(200);
            assertTrue(passwords.recentlyVerified(TestServer.ADMIN, TestServer.PASSWORD.toCharArray()).isEmpty(),
                    "the old password is not vouched for once it changed");
            fresh.anonymous().auth().preemptive().basic(TestServer.ADMIN, TestServer.PASSWORD)
                    .get(WhoAmIService.PATH).then().statusCode(401);
        }
    }

    @Test
    void put_formBody_createsUserWithRoles() {
        put("alice", "password=alice-pass&roles=ro_admin,query_manage_external_functions[travel-sample:inventory]");
        server.admin().get(USERS + "/local/alice").then().statusCode(200)
                .body("id", equalTo("alice"))
                .body("domain", equalTo("local"))
                .body("roles[0].role", equalTo("ro_admin"))
                .body("roles[1].role", equalTo("query_manage_external_functions"))
                .body("roles[1].bucket_name", equalTo("travel-sample"))
                .body("roles[1].scope_name", equalTo("inventory"));
        as("alice", "alice-pass").get(WhoAmIService.PATH).then().statusCode(200).body("id", equalTo("alice"));
    }

    @Test
    void put_jsonBody_createsUser() {
        server.admin().contentType("application/json")
                .body("{\"password\":\"json-pass\",\"roles\":[\"query_manage_global_external_functions\"]}")
                .put(USERS + "/local/jason").then().statusCode(200);
        as("jason", "json-pass").body("function j() {}").post(TestServer.LIBRARIES + "/jlib").then().statusCode(200);
    }

    @Test
    void put_withoutPassword_keepsPasswordAndChangesRoles() {
        put("bob", "password=bob-pass&roles=ro_admin");
        put("bob", "roles=query_manage_global_external_functions");
        as("bob", "bob-pass").get(WhoAmIService.PATH).then().statusCode(200)
                .body("roles[0].role", equalTo("query_manage_global_external_functions"));
    }

    @Test
    void put_newPassword_oldOneFailsAtOnce() {
        put("carol", "password=carol-old&roles=ro_admin");
        as("carol", "carol-old").get(TestServer.LIBRARIES).then().statusCode(200);
        put("carol", "password=carol-new");
        as("carol", "carol-old").get(TestServer.LIBRARIES).then().statusCode(401);
        as("carol", "carol-new").get(TestServer.LIBRARIES).then().statusCode(200);
    }

    @Test
    void delete_user_passwordFailsAtOnceAndSecondDeleteIs404() {
        put("dave", "password=dave-pass&roles=ro_admin");
        as("dave", "dave-pass").get(TestServer.LIBRARIES).then().statusCode(200);
        server.admin().delete(USERS + "/local/dave").then().statusCode(200);
        as("dave", "dave-pass").get(TestServer.LIBRARIES).then().statusCode(401);
        server.admin().delete(USERS + "/local/dave").then().statusCode(404)
                .body("code", equalTo("user_not_found"));
        server.admin().get(USERS + "/local/dave").then().statusCode(404);
    }

    @Test
    void list_neverShowsPasswordsOrHashes() {
        put("erin", "password=erin-secret-pw&roles=ro_admin");
        Response list = server.admin().get(USERS);
        list.then().statusCode(200).body("id", hasItem("erin")).body("id", hasItem(TestServer.ADMIN));
        assertFalse(list.asString().contains("erin-secret-pw"));
        assertFalse(list.asString().contains("pbkdf2"));
        assertFalse(server.admin().get(USERS + "/local/erin").asString().contains("pbkdf2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@lead", "a(b", "a<b", "a,b", "a;b", "a:b", "a\"b", "a[b", "a?b", "a=b", "a{b",
            "a@b"})
    void put_invalidUserName_400NamingTheRule(String name) {
        server.admin().contentType(FORM).body("password=long-enough&roles=")
                .put(USERS + "/local/{name}", name).then().statusCode(400)
                .body("code", equalTo("invalid_name"))
                .body("field", equalTo("user"))
                .body("message", containsString("1 to 128 printable characters"));
    }

    @Test
    void put_nameOf129Characters_400() {
        server.admin().contentType(FORM).body("password=long-enough").put(USERS + "/local/" + "n".repeat(129))
                .then().statusCode(400).body("code", equalTo("invalid_name"));
        put("n".repeat(128), "password=long-enough");
    }

    @Test
    void put_shortPassword_400AndNothingCreated() {
        server.admin().contentType(FORM).body("password=12345&roles=ro_admin").put(USERS + "/local/shorty")
                .then().statusCode(400).body("code", equalTo("invalid_password"))
                .body("message", containsString("6 to"));
        server.admin().get(USERS + "/local/shorty").then().statusCode(404);
    }

    @Test
    void put_newUserWithoutPassword_400() {
        server.admin().contentType(FORM).body("roles=ro_admin").put(USERS + "/local/nopass")
                .then().statusCode(400).body("code", equalTo("password_required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"superuser", "query_manage_external_functions", "query_manage_external_functions[b:s:x]",
            "ro_admin[b:s]", "query_manage_external_functions[_b:s]", "query_manage_external_functions[*:s]",
            "query_execute_external_functions[b:a.b]"})
    void put_invalidRole_400NamingIt(String role) {
        server.admin().contentType("application/json")
                .body("{\"password\":\"valid-pass\",\"roles\":[\"ro_admin\",\"" + role + "\"]}")
                .put(USERS + "/local/roleless").then().statusCode(400)
                .body("code", equalTo("invalid_role"))
                .body("role", equalTo(role))
                .body("message", containsString(role));
        server.admin().get(USERS + "/local/roleless").then().statusCode(404);
    }

    @Test
    void put_wildcardRoles_accepted() {
        put("wild", "password=wild-pass&roles=query_manage_external_functions[*],"
                + "query_execute_external_functions[travel-sample]");
        server.admin().get(USERS + "/local/wild").then()
                .body("roles[0].bucket_name", equalTo("*"))
                .body("roles[0].scope_name", equalTo("*"))
                .body("roles[1].bucket_name", equalTo("travel-sample"))
                .body("roles[1].scope_name", equalTo("*"));
    }

    @Test
    void put_invalidJson_400() {
        server.admin().contentType("application/json").body("{\"password\":").put(USERS + "/local/broken")
                .then().statusCode(400).body("code", equalTo("invalid_body"));
        server.admin().contentType("application/json").body("{\"password\":\"valid-pass\",\"roles\":7}")
                .put(USERS + "/local/broken").then().statusCode(400).body("code", equalTo("invalid_body"));
    }

    @Test
    void lastAdmin_cannotBeDeletedOrDemoted_untilAnotherAdminExists() {
        server.admin().delete(USERS + "/local/" + TestServer.ADMIN).then().statusCode(409)
                .body("code", equalTo("last_admin"));
        server.admin().contentType(FORM).body("roles=ro_admin").put(USERS + "/local/" + TestServer.ADMIN)
                .then().statusCode(409).body("code", equalTo("last_admin"));
        server.admin().get(WhoAmIService.PATH).then().body("roles[0].role", equalTo("admin"));

        put("second-admin", "password=second-pass&roles=admin");
        as("second-admin", "second-pass").delete(USERS + "/local/second-admin").then().statusCode(200);
        as("second-admin", "second-pass").get(WhoAmIService.PATH).then().statusCode(401);
        server.admin().delete(USERS + "/local/" + TestServer.ADMIN).then().statusCode(409);
    }

    @Test
    void failedLogins_areThrottled_andSuccessResets() throws Exception {
        put("target", "password=target-pass&roles=ro_admin");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            as("target", "guess-" + i).get(WhoAmIService.PATH).then().statusCode(401);
        }
        // The next attempt is refused before its password is checked, even the right one.
        as("target", "target-pass").get(WhoAmIService.PATH).then().statusCode(429)
                .header("Retry-After", "1")
                .body("code", equalTo("too_many_attempts"));
        Thread.sleep(1100);
        as("target", "guess-again").get(WhoAmIService.PATH).then().statusCode(401);
        Response doubled = as("target", "guess-once-more").get(WhoAmIService.PATH);
        doubled.then().statusCode(429);
        assertEquals("2", doubled.header("Retry-After"));
        Thread.sleep(2100);
        as("target", "target-pass").get(WhoAmIService.PATH).then().statusCode(200);
        // The success reset the count: the next failure is an ordinary 401.
        as("target", "wrong-again").get(WhoAmIService.PATH).then().statusCode(401);
        as("target", "target-pass").get(WhoAmIService.PATH).then().statusCode(200);
    }

    @Test
    void passwords_neverInResponsesOrLogs() {
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        String secret = "Sup3r-Secret-Pass";
        List<String> bodies = new ArrayList<>();
        try {
            bodies.add(server.admin().contentType(FORM).body("password=" + secret + "&roles=ro_admin")
                    .put(USERS + "/local/frank").asString());
            bodies.add(server.admin().contentType(FORM).body("password=" + secret + "&roles=bogus")
                    .put(USERS + "/local/frank").asString());
            bodies.add(as("frank", secret).get(WhoAmIService.PATH).asString());
            bodies.add(as("frank", secret + "x").get(WhoAmIService.PATH).asString());
            bodies.add(as("frank", secret).body("x").post(TestServer.LIBRARIES + "/forbidden").asString());
            bodies.add(server.admin().get(USERS).asString());
        } finally {
            root.removeHandler(capture);
            root.setLevel(before);
        }
        bodies.forEach(body -> assertFalse(body.contains(secret), body));
        synchronized (records) {
            // The server's records only: the test's own HTTP client logs what it sends at debug level.
            for (LogRecord record : records.stream()
                    .filter(r -> r.getLoggerName() == null || !r.getLoggerName().startsWith("org.apache.http"))
                    .toList()) {
                String text = record.getMessage() + " " + java.util.Arrays.toString(record.getParameters())
                        + " " + record.getThrown();
                assertFalse(text.contains(secret), text);
                assertFalse(text.contains("pbkdf2-sha256$"), text);
            }
        }
        assertTrue(bodies.getFirst().contains("OK"));
    }

    @Test
    void put_nameConfusableWithAnExistingUser_400NamingIt() {
        // A Cyrillic "А" (U+0410) in place of the Latin "A".
        server.admin().contentType(FORM).body("password=look-alike-pass&roles=admin")
                .put(USERS + "/local/{name}", "\u0410dministrator").then().statusCode(400)
                .body("code", equalTo("confusable_name"))
                .body("field", equalTo("user"))
                .body("existing", equalTo(TestServer.ADMIN))
                .body("message", containsString("[" + TestServer.ADMIN + "]"));
        server.admin().get(USERS).then().body("id", not(hasItem("\u0410dministrator")));
        put("grace", "password=grace-pass&roles=ro_admin");
        // A Cyrillic "а" (U+0430); the existing name itself is still a replace.
        server.admin().contentType(FORM).body("password=other-pass").put(USERS + "/local/{name}", "gr\u0430ce")
                .then().statusCode(400).body("existing", equalTo("grace"));
        put("grace", "roles=query_manage_global_external_functions");
    }

    @Test
    void userNames_takenInNfkcForm_inPathsAndLogins() {
        // Fullwidth "ｈｅｉｄｉ" is NFKC "heidi": one user, whichever way it is written.
        String fullwidth = "\uFF48\uFF45\uFF49\uFF44\uFF49";
        server.admin().contentType(FORM).body("password=heidi-pass&roles=ro_admin")
                .put(USERS + "/local/{name}", fullwidth).then().statusCode(200);
        server.admin().get(USERS + "/local/heidi").then().statusCode(200).body("id", equalTo("heidi"));
        server.admin().get(USERS + "/local/{name}", fullwidth).then().statusCode(200).body("id", equalTo("heidi"));
        as("heidi", "heidi-pass").get(WhoAmIService.PATH).then().statusCode(200).body("id", equalTo("heidi"));
        String basic = java.util.Base64.getEncoder().encodeToString((fullwidth + ":heidi-pass")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        server.anonymous().header("Authorization", "Basic " + basic).get(WhoAmIService.PATH).then().statusCode(200)
                .body("id", equalTo("heidi"));
    }

    @Test
    void userRoutes_unsupportedMethod_405() {
        server.admin().post(USERS).then().statusCode(405).header("Allow", "GET, HEAD");
        server.admin().post(USERS + "/local/x").then().statusCode(405).header("Allow", not(""));
    }
}
