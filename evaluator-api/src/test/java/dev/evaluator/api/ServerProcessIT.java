package dev.evaluator.api;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server as a process: durability across SIGKILL, the start-up line, the administrator bootstrap,
 * the admin console's files from the jar, and one clear line for each start-up failure.
 */
class ServerProcessIT {
    private static final Map<String, String> ADMIN_ENV = Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);

    @TempDir
    Path dir;

    private static RequestSpecification as(int port, String password) {
        return RestAssured.given().port(port).filter(TestServer.OUR_SPEC)
                .auth().preemptive().basic(TestServer.ADMIN, password);
    }

    @Test
    void killDashNine_rightAfterAcknowledgedWrites_losesNothing() throws Exception {
        Path data = dir.resolve("data");
        int writes = 40;
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            for (int i = 0; i < writes; i++) {
                as(port, TestServer.PASSWORD).body("function v() { return " + i + "; }")
                        .post(TestServer.LIBRARIES + "/lib" + i + (i % 2 == 0 ? "" : "?bucket=b&scope=s"))
                        .then().statusCode(200);
            }
            as(port, TestServer.PASSWORD).delete(TestServer.LIBRARIES + "/lib0").then().statusCode(200);
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            assertTrue(server.awaitStderr("WARNING: the store in " + data.toAbsolutePath()
                    + " was not closed cleanly last time"), server.stderr());
            as(port, TestServer.PASSWORD).get(TestServer.LIBRARIES + "/lib0").then().statusCode(404);
            for (int i = 1; i < writes; i++) {
                as(port, TestServer.PASSWORD)
                        .get(TestServer.LIBRARIES + "/lib" + i + (i % 2 == 0 ? "" : "?bucket=b&scope=s"))
                        .then().statusCode(200).body("lib" + i, equalTo("function v() { return " + i + "; }"));
            }
        }
    }

    @Test
    void firstStart_withoutPassword_generatesPrintsOnceAndStoresPrivately() throws Exception {
        Path data = dir.resolve("data");
        String password;
        try (ServerProcess server = ServerProcess.start(Map.of(), "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            String generated = server.stdoutLines().stream()
                    .filter(line -> line.startsWith("Generated password for administrator 'Administrator': "))
                    .findFirst().orElseThrow();
            password = generated.split(": ")[1].split(" ")[0];
            Path file = data.resolve("initial-admin-password");
            assertEquals(password, Files.readString(file).trim());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            as(port, password).get(TestServer.LIBRARIES).then().statusCode(200);
            String startLine = server.stdoutLines().getLast();
            assertTrue(startLine.contains("data dir " + data.toAbsolutePath()), startLine);
            assertTrue(startLine.contains("JavaScript JIT active"), startLine);
        }
        try (ServerProcess server = ServerProcess.start(Map.of(), "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            assertFalse(server.stdoutLines().stream().anyMatch(line -> line.contains("Generated password")));
            as(port, password).get(TestServer.LIBRARIES).then().statusCode(200);
        }
    }

    /** From the packaged jar (not target/classes): the console's files and the editor's WebJar, revalidation too. */
    @Test
    void packagedJar_servesTheConsoleAndItsEditor() throws Exception {
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir",
                dir.resolve("data").toString())) {
            int port = server.awaitListening();
            for (String file : new String[] {"/ui/", "/ui/app.js", "/ui/editor.js", "/ui/console.css",
                    "/ui/vendor/codemirror/lib/codemirror.js", "/ui/vendor/codemirror/mode/javascript/javascript.js",
                    "/ui/vendor/codemirror/addon/edit/matchbrackets.js", "/ui/vendor/diff-match-patch/index.js",
                    "/ui/vendor/codemirror/addon/merge/merge.js"}) {
                String etag = RestAssured.given().port(port).filter(TestServer.OUR_SPEC).get(file)
                        .then().statusCode(200).header("Cache-Control", "no-cache").extract().header("ETag");
                RestAssured.given().port(port).filter(TestServer.OUR_SPEC).header("If-None-Match", etag).get(file)
                        .then().statusCode(304);
            }
        }
    }

    @Test
    void passwordFromEnvironment_replacesThePreviousOne() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server = ServerProcess.start(Map.of("EVALUATOR_ADMIN_PASSWORD", "first-password"),
                "--port", "0", "--data-dir", data.toString())) {
            as(server.awaitListening(), "first-password").get(TestServer.LIBRARIES).then().statusCode(200);
        }
        try (ServerProcess server = ServerProcess.start(Map.of("EVALUATOR_ADMIN_PASSWORD", "second-password"),
                "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            as(port, "second-password").get(TestServer.LIBRARIES).then().statusCode(200);
            as(port, "first-password").get(TestServer.LIBRARIES).then().statusCode(401);
        }
    }

    @Test
    void secondServer_sameDataDir_failsWithOneClearLine() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            first.awaitListening();
            ServerProcess second = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString());
            assertEquals(1, second.awaitExit());
            assertOneLine(second.stderr(), "is in use (its RocksDB LOCK is held");
        }
    }

    @Test
    void portInUse_failsWithOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", String.valueOf(taken.getLocalPort()),
                    "--data-dir", dir.resolve("data").toString());
            assertEquals(1, server.awaitExit());
            assertOneLine(server.stderr(), "cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void dataDirIsAFile_failsWithOneClearLine() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", file.toString());
        assertEquals(1, server.awaitExit());
        assertOneLine(server.stderr(), "Cannot create data directory");
    }

    @Test
    void corruptedStore_failsWithOneLineNamingThePathAndWhatToDo() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            server.awaitListening();
        }
        Files.writeString(data.resolve("CURRENT"), "MANIFEST-999999\n");

        ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString());

        assertEquals(1, server.awaitExit());
        assertOneLine(server.stderr(), "The store in " + data.toAbsolutePath() + " is corrupted");
        assertOneLine(server.stderr(), "restore it from a backup, or move it aside to start empty");
    }

    @Test
    void jsonLogFormat_everyLineJsonWithAccessFieldsAndNoSecrets() throws Exception {
        Path data = dir.resolve("data");
        List<String> lines;
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString(),
                "--log-format", "json")) {
            int port = server.awaitListening();
            as(port, TestServer.PASSWORD).get(TestServer.LIBRARIES + "?bucket=b&scope=s").then().statusCode(200);
            as(port, "not-the-password").get(TestServer.LIBRARIES).then().statusCode(401);
            assertEquals(143, server.terminate());
            lines = server.stdoutToTheEnd();
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            records.add(json.readTree(line));
            assertFalse(line.contains(TestServer.PASSWORD) || line.contains("not-the-password"), line);
        }
        assertTrue(records.getFirst().get("message").asText().startsWith("Evaluator listening on http://"));
        JsonNode listed = records.stream().filter(r -> r.path("status").asInt() == 200).findFirst().orElseThrow();
        assertEquals(AccessLog.LOGGER, listed.get("logger").asText());
        assertEquals("GET", listed.get("method").asText());
        assertEquals(TestServer.LIBRARIES, listed.get("path").asText());
        assertEquals(TestServer.ADMIN, listed.get("user").asText());
        assertTrue(listed.get("durationMs").isNumber());
        assertTrue(records.stream().anyMatch(r -> r.path("status").asInt() == 401
                && r.get("user").asText().equals(AccessLog.NO_USER)));
        assertTrue(records.stream().anyMatch(r -> r.get("message").asText()
                .endsWith("store flushed and closed cleanly")));
    }

    @Test
    void unknownFlag_exits2WithUsage() throws Exception {
        ServerProcess server = ServerProcess.start(ADMIN_ENV, "--prot", "1");
        assertEquals(2, server.awaitExit());
        assertTrue(server.stderr().startsWith("evaluator: Unknown flag --prot\nUsage: evaluator"), server.stderr());
    }

    private static void assertOneLine(String stderr, String expected) {
        String[] lines = stderr.strip().split("\n");
        assertEquals(1, lines.length, stderr);
        assertTrue(lines[0].startsWith("evaluator: cannot start: "), stderr);
        assertTrue(lines[0].contains(expected), stderr);
    }
}
