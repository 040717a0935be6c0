package dev.evaluator.api;

import dev.evaluator.store.LibraryId;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour that Couchbase's clients and scripts rely on, item by item (the texts and codes they compare): names in
 * paths, the shape of every 4xx, messages to the letter, success bodies byte for byte, the query alias, roles.
 */
class CouchbaseParityIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void libraries() {
        server.admin().body("function f(a) { return a; }").post(LIBS + "/lib").then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded").body("password=user-pass&roles=ro_admin")
                .put(UserService.PATH + "/local/someone").then().statusCode(200);
    }

    /** Item 1: a {@code ;} in a name is that invalid name on every route with a path parameter, never another. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "GET|" + LIBS + "/lib;name|400",
            "HEAD|" + LIBS + "/lib;name|400",
            "POST|" + LIBS + "/lib;name|400",
            "DELETE|" + LIBS + "/lib;name|400",
            "GET|" + LIBS + "/lib;x=1|400",
            "GET|" + LIBS + "/lib;name/functions|400",
            "POST|" + LIBS + "/lib;name/functions/f/invoke|400",
            "POST|" + LIBS + "/lib/functions/f;x/invoke|404",
            "GET|" + UserService.PATH + "/local/someone;x|400",
            "DELETE|" + UserService.PATH + "/local/someone;x|400",
    })
    void semicolonInAPathName_isThatName_neverAnother(String method, String path, int status) throws Exception {
        String body = path.endsWith("/invoke") ? "{}" : "function g() {}";
        HttpResponse<String> response = send(method, path, method.equals("POST") ? body : null);
        assertEquals(status, response.statusCode(), response.body());
        if (!method.equals("HEAD")) {
            JsonNode json = MAPPER.readTree(response.body());
            assertEquals("error", json.get("status").asText(), response.body());
            if (status == 400) {
                assertEquals("invalid_name", json.get("code").asText());
                if (path.startsWith(LIBS)) {
                    assertEquals(LibraryId.COUCHBASE_NAME_MESSAGE, json.get("message").asText());
                }
            }
        }
        // Nothing was written, read or deleted under the name before the ';'.
        server.admin().get(LIBS + "/lib").then().statusCode(200).body("lib", equalTo("function f(a) { return a; }"));
        server.admin().get(UserService.PATH + "/local/someone").then().statusCode(200);
    }

    /** Item 2: characters curl sends unencoded, refused by the web server before any route: still our JSON. */
    @ParameterizedTest
    @ValueSource(strings = {"a^b", "a[b]", "a<b>", "a\\b", "a{b}", "a|b", "a`b"})
    void charactersTheUriParserRejects_400InTheJsonErrorShape(String name) throws IOException {
        String response = raw("GET " + LIBS + "/" + name + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Authorization: Basic " + credentials() + "\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        JsonNode json = MAPPER.readTree(body);
        assertEquals("error", json.get("status").asText(), body);
        assertEquals("bad_request", json.get("code").asText(), body);
        assertTrue(response.toLowerCase().contains("content-type: application/json"), response);
    }

    @Test
    void malformedRequestOnTheQueryPath_queryShape() throws IOException {
        String response = raw("GET /query/service/a^b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        JsonNode json = MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals("errors", json.get("status").asText());
        assertEquals(1040, json.get("errors").get(0).get("code").asInt());
    }

    /** Item 3: Couchbase's text to the letter, its trailing space included. */
    @Test
    void invalidLibraryName_couchbasesMessage() {
        server.admin().body("function g() {}").post(LIBS + "/-bad").then().statusCode(400)
                .body("code", equalTo("invalid_name"))
                .body("message", equalTo("Library name can start with characters only in range A-Z, a-z, 0-9 and can"
                        + " contain characters only in range A-Z, a-z, 0-9, underscore and hyphen "));
    }

    /** Item 5: {@code POST /query} is {@code /query/service}. */
    @Test
    void queryAlias_answersAsTheQueryService() {
        server.admin().formParam("statement", "SELECT RAW 1").post(QueryService.ALIAS_PATH).then().statusCode(200)
                .body("status", equalTo("success")).body("results", equalTo(List.of(1)));
        server.admin().formParam("statement", "DROP FUNCTION nothere").post(QueryService.ALIAS_PATH).then()
                .statusCode(404).body("status", equalTo("errors")).body("errors[0].code", equalTo(10101));
    }

    /** Item 6: success bodies of library writes and deletes, byte for byte. */
    @Test
    void libraryPostAndDelete_couchbasesBodyByteForByte() throws Exception {
        HttpResponse<String> post = send("POST", LIBS + "/bytes", "function b() {}");
        assertEquals(200, post.statusCode());
        assertEquals("{\"status\": \"OK\"}", post.body());
        HttpResponse<String> delete = send("DELETE", LIBS + "/bytes", null);
        assertEquals(200, delete.statusCode());
        assertEquals("{\"status\": \"OK\"}", delete.body());
    }

    /** Item 9: JavaScript syntax errors say SyntaxError and keep their line and column. */
    @Test
    void syntaxError_saysSyntaxErrorWithLineAndColumn() {
        server.admin().body("function ok() {}\nfunction broken( {").post(LIBS + "/broken").then().statusCode(400)
                .body("code", equalTo("syntax_error"))
                .body("message", org.hamcrest.Matchers.startsWith("SyntaxError: "))
                .body("message", org.hamcrest.Matchers.containsString("(line 2, column"))
                .body("line", equalTo(2));
    }

    /** Item 15: Couchbase's inline-function roles are accepted by the user API (and grant nothing, RbacMatrixIT). */
    @Test
    void inlineFunctionRoles_acceptedByTheUserApi() {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=inline-pass&roles=query_manage_global_functions,query_execute_global_functions,"
                        + "query_manage_functions[b:s],query_execute_functions[b:*]")
                .put(UserService.PATH + "/local/inliner").then().statusCode(200);
        server.admin().get(UserService.PATH + "/local/inliner").then().statusCode(200)
                .body("roles.role", equalTo(List.of("query_manage_global_functions", "query_execute_global_functions",
                        "query_manage_functions", "query_execute_functions")));
        server.anonymous().auth().preemptive().basic("inliner", "inline-pass")
                .body("{}").post(LIBS + "/lib/functions/f/invoke").then().statusCode(403);
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Basic " + credentials())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String credentials() {
        return Base64.getEncoder().encodeToString((TestServer.ADMIN + ":" + TestServer.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A request written byte for byte, as a client that does not encode the path sends it. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
