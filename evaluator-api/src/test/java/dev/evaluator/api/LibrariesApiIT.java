package dev.evaluator.api;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import io.restassured.response.Response;

import org.yaml.snakeyaml.Yaml;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The libraries API beyond the seed's happy path: every bad input gets a clear error with the right status and
 * changes nothing.
 */
class LibrariesApiIT {
    private static final int LIMIT = 64 * 1024;
    private static final String LIBS = TestServer.LIBRARIES;

    @TempDir
    static Path dataDir;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir, LIMIT);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void post(String path, String code) {
        server.admin().body(code).post(LIBS + path).then().statusCode(200).body("status", equalTo("OK"));
    }

    private static String code(String path) {
        return server.admin().get(LIBS + path).jsonPath().getString(path.replaceAll("^/|\\?.*$", ""));
    }

    @Test
    void post_syntaxError_400WithLineAndColumnAndNothingStored() {
        server.admin().body("function ok() { return 1; }\n\nfunction add(a, b { return a + b; }")
                .post(LIBS + "/syntax")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("code", equalTo("syntax_error"))
                .body("line", equalTo(3))
                .body("column", equalTo(19))
                .body("message", containsString("line 3, column 19"))
                .body("message", not(containsString("return a + b")));
        server.admin().get(LIBS + "/syntax").then().statusCode(404);
    }

    @Test
    void post_syntaxErrorOnReplace_keepsOldCode() {
        post("/keep", "function one() { return 1; }");
        server.admin().body("function one() { return 1; ").post(LIBS + "/keep").then().statusCode(400);
        assertEquals("function one() { return 1; }", code("/keep"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"_libname", "-libname", "lib$name", "lib:name", "lib.name",
            "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j1234567890"})
    void anyMethod_invalidLibraryName_400NamingTheRule(String name) {
        for (String method : List.of("GET", "POST", "DELETE")) {
            server.admin().body("function f() {}").request(method, LIBS + "/{name}", name)
                    .then().statusCode(400)
                    .body("code", equalTo("invalid_name"))
                    .body("field", equalTo("library"))
                    .body("message", equalTo(dev.evaluator.store.LibraryId.COUCHBASE_NAME_MESSAGE))
                    .body("rule", containsString("1 to 100 characters of letters, digits, '_' and '-'"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0libname", "999", "libname_", "lib-name", "L",
            "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789"})
    void post_validLibraryName_200AndReadable(String name) {
        post("/" + name, "function f() { return '" + name + "'; }");
        server.admin().get(LIBS + "/{name}", name).then().statusCode(200)
                .body(name, equalTo("function f() { return '" + name + "'; }"));
    }

    @Test
    void anyMethod_bucketWithoutScope_400SayingBothAreRequired() {
        for (String query : List.of("?bucket=travel-sample", "?scope=inventory", "?bucket=b&scope=")) {
            server.admin().get(LIBS + query).then().statusCode(400)
                    .body("code", equalTo("bucket_and_scope_required"))
                    .body("message", containsString("Both bucket and scope are required"));
            for (String method : List.of("GET", "POST", "DELETE")) {
                server.admin().body("function f() {}").request(method, LIBS + "/lib" + query)
                        .then().statusCode(400).body("code", equalTo("bucket_and_scope_required"));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"_b,s", "%b,s", "b c,s", "b/c,s", "b,_s", "b,%s", "b,a.b", "b,s!"})
    void anyMethod_invalidBucketOrScope_400(String bucket, String scope) {
        server.admin().queryParam("bucket", bucket).queryParam("scope", scope).get(LIBS)
                .then().statusCode(400).body("code", equalTo("invalid_name"));
        server.admin().queryParam("bucket", bucket).queryParam("scope", scope).body("function f() {}")
                .post(LIBS + "/lib")
                .then().statusCode(400).body("code", equalTo("invalid_name"));
    }

    @Test
    void globalAndScopedLibrary_sameName_areDifferentLibraries() {
        post("/twin", "function g() { return 'global'; }");
        post("/twin?bucket=b1&scope=s1", "function g() { return 'scoped'; }");
        assertEquals("function g() { return 'global'; }", code("/twin"));
        assertEquals("function g() { return 'scoped'; }", code("/twin?bucket=b1&scope=s1"));
        server.admin().get(LIBS + "/twin?bucket=b1&scope=other").then().statusCode(404);
        server.admin().delete(LIBS + "/twin?bucket=b1&scope=s1").then().statusCode(200);
        assertEquals("function g() { return 'global'; }", code("/twin"));
    }

    @Test
    void defaultScope_isAccepted() {
        post("/indefault?bucket=travel-sample&scope=_default", "function d() {}");
        server.admin().get(LIBS + "?bucket=travel-sample&scope=_default").then().statusCode(200)
                .body("[0].scope", equalTo("_default"));
    }

    @Test
    void list_withAndWithoutTrailingSlash_sortedByName() {
        post("/zeta?bucket=sorted&scope=s", "function z() {}");
        post("/alpha?bucket=sorted&scope=s", "function a() {}");
        post("/mid?bucket=sorted&scope=s", "function m() {}");
        for (String path : List.of(LIBS + "?bucket=sorted&scope=s", LIBS + "/?bucket=sorted&scope=s")) {
            Response response = server.admin().get(path);
            response.then().statusCode(200);
            assertEquals(List.of("alpha", "mid", "zeta"), response.jsonPath().getList("name"));
        }
    }

    @Test
    void missingLibrary_getAndDelete_404WithLibraryNotFoundMessage() {
        server.admin().get(LIBS + "/absent").then().statusCode(404)
                .body("code", equalTo("library_not_found"))
                .body("message", containsString("Library [absent] not found"));
        server.admin().delete(LIBS + "/absent?bucket=b&scope=s").then().statusCode(404)
                .body("message", containsString("Library [absent] not found"));
    }

    @Test
    void post_emptyOrBlankBody_400AndNothingStored() {
        for (String body : List.of("", "  \n\t ")) {
            server.admin().body(body).post(LIBS + "/blank").then().statusCode(400)
                    .body("code", equalTo("empty_body"));
        }
        server.admin().get(LIBS + "/blank").then().statusCode(404);
    }

    @Test
    void post_invalidUtf8_400AndNothingStored() {
        byte[] body = {'f', 'u', 'n', (byte) 0xC3, (byte) 0x28, ' ', '{', '}'};
        server.admin().contentType("text/plain").body(body).post(LIBS + "/latin1")
                .then().statusCode(400).body("code", equalTo("invalid_utf8"));
        server.admin().get(LIBS + "/latin1").then().statusCode(404);
    }

    @Test
    void post_unicodeCode_storedExactly() {
        String unicode = "function greet() { return \"héllo wörld ✓ 日本 😀\"; }";
        server.admin().contentType("application/javascript; charset=utf-8").body(unicode)
                .post(LIBS + "/unicode").then().statusCode(200);
        assertEquals(unicode, code("/unicode"));
    }

    @Test
    void post_anyContentType_bodyIsTheRawCode() {
        String code = "function q(a) { return a + '&x=1' + 'y%20z'; }";
        for (String type : List.of("application/json", "application/x-www-form-urlencoded", "text/plain",
                "application/javascript")) {
            server.admin().contentType(type).body(code).post(LIBS + "/typed").then().statusCode(200);
            assertEquals(code, code("/typed"), type);
        }
    }

    @Test
    void post_overLimit_413AndNothingStored() {
        String big = "// " + "x".repeat(LIMIT) + "\nfunction f() {}";
        server.admin().body(big).post(LIBS + "/big").then().statusCode(413)
                .body("code", equalTo("payload_too_large"))
                .body("limit", equalTo(LIMIT));
        server.admin().get(LIBS + "/big").then().statusCode(404);
        String exact = "//" + "x".repeat(LIMIT - 2);
        server.admin().body(exact).post(LIBS + "/big").then().statusCode(200);
    }

    @Test
    void post_chunkedBodyOverLimit_413() throws Exception {
        byte[] big = ("// " + "y".repeat(LIMIT + 10)).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + LIBS + "/chunk"))
                .header("Authorization", basic(TestServer.ADMIN, TestServer.PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), response.body());
        }
        server.admin().get(LIBS + "/chunk").then().statusCode(404);
    }

    @Test
    void unsupportedMethod_405WithAllowHeader() {
        for (String method : List.of("PUT", "PATCH")) {
            server.admin().body("x").request(method, LIBS + "/math").then().statusCode(405)
                    .header("Allow", "GET, HEAD, POST, DELETE")
                    .body("code", equalTo("method_not_allowed"));
            server.admin().body("x").request(method, LIBS).then().statusCode(405)
                    .header("Allow", "GET, HEAD");
        }
        server.admin().body("x").post(LIBS).then().statusCode(405).header("Allow", "GET, HEAD");
    }

    @Test
    void head_onLibrary_200WithoutBody() {
        post("/headed", "function h() {}");
        server.admin().head(LIBS + "/headed").then().statusCode(200).body(equalTo(""));
        server.admin().head(LIBS + "/nothere").then().statusCode(404);
    }

    @Test
    void unknownPath_404InErrorShape() {
        server.admin().get("/evaluator/v2/nothing").then().statusCode(404)
                .body("status", equalTo("error"))
                .body("code", equalTo("not_found"));
    }

    @Test
    void noOrWrongCredentials_401WithBasicChallenge() {
        for (var request : List.of(server.anonymous(),
                server.anonymous().auth().preemptive().basic(TestServer.ADMIN, "wrong-password"),
                server.anonymous().auth().preemptive().basic("nobody", TestServer.PASSWORD))) {
            request.get(LIBS).then().statusCode(401)
                    .header("WWW-Authenticate", "Basic realm=\"evaluator\"")
                    .body("code", equalTo("unauthenticated"));
        }
        server.anonymous().body("function f() {}").post(LIBS + "/sneaky").then().statusCode(401);
        server.admin().get(LIBS + "/sneaky").then().statusCode(404);
        server.anonymous().get("/openapi").then().statusCode(401);
    }

    @Test
    void errors_neverEchoCodeOrCredentials() {
        String secret = "function leak() { return 'TOPSECRET'; }";
        Response response = server.admin().body(secret + " {").post(LIBS + "/echo");
        response.then().statusCode(400);
        assertFalse(response.asString().contains("TOPSECRET"));
        Response unauthorized = server.anonymous().auth().preemptive().basic(TestServer.ADMIN, "guess-123")
                .get(LIBS);
        assertFalse(unauthorized.asString().contains("guess-123"));
    }

    @Test
    void openapi_servesTheRepositoryDocument() throws Exception {
        String served = server.admin().get("/openapi").then().statusCode(200).extract().asString();
        Object repository = new Yaml().load(Files.readString(Path.of("..", "openapi.yaml")));
        assertEquals(repository, new Yaml().load(served));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
