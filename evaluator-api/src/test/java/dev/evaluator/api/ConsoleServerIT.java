package dev.evaluator.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.restassured.response.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the admin console needs from the server, over plain HTTP: its files without credentials, with the right
 * types and headers; 401s without a browser challenge for scripts; the list's opt-in details.
 */
class ConsoleServerIT {
    private static final String LIBS = TestServer.LIBRARIES;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @Test
    void page_withoutCredentials_servedWithNoCacheAndContentSecurityPolicy() {
        server.anonymous().get("/ui/").then().statusCode(200)
                .contentType(startsWith("text/html"))
                .header("Cache-Control", "no-cache")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("WWW-Authenticate", nullValue())
                .body(containsString("<title>Evaluator console</title>"));
    }

    @Test
    void page_withoutTrailingSlash_redirectsToTheConsole() {
        server.anonymous().redirects().follow(false).get("/ui").then()
                .statusCode(org.hamcrest.Matchers.either(equalTo(301)).or(equalTo(302)).or(equalTo(307))
                        .or(equalTo(308)))
                .header("Location", containsString("/ui/"));
    }

    /** ES modules do not run unless served with a JavaScript type; styles are ignored unless served as CSS. */
    @ParameterizedTest
    @CsvSource({
            "/ui/app.js, text/javascript",
            "/ui/api.js, text/javascript",
            "/ui/console.css, text/css",
            "/ui/vendor/codemirror/lib/codemirror.js, text/javascript",
            "/ui/vendor/codemirror/lib/codemirror.css, text/css",
            "/ui/vendor/codemirror/mode/javascript/javascript.js, text/javascript",
            "/ui/vendor/codemirror/addon/edit/matchbrackets.js, text/javascript",
            "/ui/vendor/codemirror/addon/merge/merge.js, text/javascript",
            "/ui/vendor/codemirror/addon/merge/merge.css, text/css",
            "/ui/vendor/diff-match-patch/index.js, text/javascript",
            "/ui/history.js, text/javascript",
            "/ui/module-shim.js, text/javascript"})
    void file_withoutCredentials_servedWithItsType(String path, String type) {
        Response response = server.anonymous().get(path);
        response.then().statusCode(200).header("Cache-Control", "no-cache");
        String contentType = response.contentType();
        boolean javascript = type.equals("text/javascript")
                && (contentType.startsWith("text/javascript") || contentType.startsWith("application/javascript"));
        assertTrue(javascript || contentType.startsWith(type), path + " was served as " + contentType);
        assertFalse(response.asString().isEmpty());
    }

    /** Browsers revalidate no-cache files with the ETag they hold; a match must be a 304, not an error. */
    @Test
    void file_sentAgainWithItsEtag_notModified() {
        String etag = server.anonymous().get("/ui/app.js").then().statusCode(200).extract().header("ETag");
        assertTrue(etag != null && !etag.isBlank(), "an ETag lets the browser revalidate cheaply");
        Response again = server.anonymous().header("If-None-Match", etag).get("/ui/app.js");
        again.then().statusCode(304).header("ETag", etag);
        assertEquals("", again.asString());
        server.anonymous().header("If-None-Match", "\"something-else\"").get("/ui/app.js").then().statusCode(200);
    }

    @Test
    void file_missing_404InTheErrorShape() {
        server.anonymous().get("/ui/no-such-file.js").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void file_otherMethod_405ForUsersAnd401ForStrangers() {
        server.admin().body("x").post("/ui/app.js").then().statusCode(405).header("Allow", "GET, HEAD");
        server.anonymous().body("x").post("/ui/app.js").then().statusCode(401);
    }

    /** Dot segments must not turn a public console path into an unauthenticated API call. */
    @ParameterizedTest
    @ValueSource(strings = {"/ui/../evaluator/v1/libraries/secret", "/ui/%2e%2e/evaluator/v1/libraries/secret",
            "/ui/..%2fevaluator/v1/libraries/secret", "/ui/./../whoami", "/ui/vendor/codemirror/../../../whoami",
            "/ui/..;/whoami", "/ui%2f..%2fwhoami"})
    void dotSegments_underTheConsole_neverReachTheApiWithoutCredentials(String path) throws Exception {
        server.admin().body("function secret() { return 'hidden'; }").post(LIBS + "/secret").then().statusCode(200);
        // The JDK client sends the path as written, dot segments and all.
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertFalse(response.body().contains("hidden"), path + " leaked a library");
        assertFalse(response.body().contains("\"roles\""), path + " answered whoami");
        assertTrue(response.statusCode() != 200 || response.body().contains("<html"),
                path + " -> " + response.statusCode() + " " + response.body());
    }

    @Test
    void unauthenticated_fromScript_noChallenge() {
        server.anonymous().header("X-Requested-With", "XMLHttpRequest").get(LIBS).then().statusCode(401)
                .header("WWW-Authenticate", nullValue())
                .body("code", equalTo("unauthenticated"));
        server.anonymous().auth().preemptive().basic(TestServer.ADMIN, "wrong-password-1")
                .header("X-Requested-With", "XMLHttpRequest").get("/whoami").then().statusCode(401)
                .header("WWW-Authenticate", nullValue());
        server.anonymous().header("X-Requested-With", "XMLHttpRequest")
                .contentType("application/x-www-form-urlencoded").body("statement=SELECT%201")
                .post(QueryService.PATH).then().statusCode(401).header("WWW-Authenticate", nullValue());
    }

    @Test
    void unauthenticated_fromOtherClients_basicChallenge() {
        server.anonymous().get(LIBS).then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"evaluator\"");
        server.anonymous().contentType("application/x-www-form-urlencoded").body("statement=SELECT%201")
                .post(QueryService.PATH).then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"evaluator\"");
    }

    @Test
    void list_withDetails_addsSizeFunctionCountAndModified() {
        Instant before = Instant.now().minusSeconds(1);
        String code = "/** Ünïcode doc. */\nfunction a(x) { return x; }\nconst b = (y) => y;\n";
        server.admin().body(code).post(LIBS + "/detailed?bucket=travel-sample&scope=inventory")
                .then().statusCode(200);
        List<Map<String, Object>> listed = server.admin().get(LIBS + "?details=true").jsonPath().getList("$");
        Map<String, Object> detailed = listed.stream().filter(l -> l.get("name").equals("detailed")).findFirst()
                .orElseThrow();
        assertEquals(code.getBytes(StandardCharsets.UTF_8).length, detailed.get("size"));
        assertEquals(2, detailed.get("functionCount"));
        assertEquals("travel-sample", detailed.get("bucket"));
        assertEquals(code, detailed.get("code"));
        Instant modified = Instant.parse((String) detailed.get("modified"));
        assertFalse(modified.isBefore(before), "modified is the time of the write");
        server.admin().get(LIBS + "?bucket=travel-sample&scope=inventory&details=1").then().statusCode(200)
                .body("[0].functionCount", equalTo(2));
    }

    @Test
    void list_withoutDetails_keepsCouchbaseShape() {
        server.admin().body("function plain() {}").post(LIBS + "/plain").then().statusCode(200);
        server.admin().filter(TestServer.COUCHBASE_SPEC).get(LIBS).then().statusCode(200)
                .body("find { it.name == 'plain' }.keySet()", equalTo(java.util.Set.of("name", "bucket", "scope",
                        "code")))
                .body("find { it.name == 'plain' }.modified", nullValue());
        server.admin().get(LIBS + "?details=maybe").then().statusCode(400).body("message",
                not(containsString("Exception")));
    }

}
