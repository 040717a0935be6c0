package dev.evaluator.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One access log record per request, with the user where known, and never credentials, query strings or bodies.
 */
class AccessLogIT {
    private static final String SECRET_PASSWORD = "very-secret-password-123";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perTest();
    private final List<AccessLog.Entry> entries = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            entries.add((AccessLog.Entry) record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() {
        Logger.getLogger(AccessLog.LOGGER).addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger(AccessLog.LOGGER).removeHandler(capture);
    }

    @Test
    void request_oneLineWithMethodPathStatusDurationUserAndAddress() {
        String requestId = server.admin().body("function f() { return 1; }")
                .post(TestServer.LIBRARIES + "/math?bucket=travel-sample&scope=inventory").then().statusCode(200)
                .extract().header("X-Request-Id");

        Map<String, Object> fields = awaitEntries(1).getFirst().fields();

        assertEquals(List.of("method", "path", "status", "durationMs", "user", "remote", "requestId"),
                List.copyOf(fields.keySet()));
        assertTrue(requestId.matches("[0-9a-f]{16}"), requestId);
        assertEquals(requestId, fields.get("requestId"));
        assertEquals("POST", fields.get("method"));
        assertEquals(TestServer.LIBRARIES + "/math", fields.get("path"), "no query string");
        assertEquals(200, fields.get("status"));
        assertTrue((Double) fields.get("durationMs") > 0);
        assertEquals(TestServer.ADMIN, fields.get("user"));
        assertEquals("127.0.0.1", fields.get("remote"));
        assertEquals("method=POST path=" + TestServer.LIBRARIES + "/math status=200 durationMs="
                + fields.get("durationMs") + " user=Administrator remote=127.0.0.1 requestId=" + requestId,
                entries.getFirst().getMessage());
    }

    @Test
    void refusedAndPublicRequests_loggedWithTheUserWhereKnown() {
        server.anonymous().auth().preemptive().basic(TestServer.ADMIN, SECRET_PASSWORD)
                .get(TestServer.LIBRARIES).then().statusCode(401);
        server.anonymous().get(HealthChecks.LIVE_PATH).then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=" + SECRET_PASSWORD + "&roles=ro_admin")
                .put(UserService.PATH + "/local/reader").then().statusCode(200);
        server.anonymous().auth().preemptive().basic("reader", SECRET_PASSWORD)
                .body("function g() {}").post(TestServer.LIBRARIES + "/g").then().statusCode(403);

        List<AccessLog.Entry> logged = awaitEntries(4);

        assertEquals(List.of(401, 200, 200, 403), logged.stream().map(e -> e.fields().get("status")).toList());
        assertEquals(List.of(AccessLog.NO_USER, AccessLog.NO_USER, TestServer.ADMIN, "reader"),
                logged.stream().map(e -> e.fields().get("user")).toList());
        for (AccessLog.Entry entry : logged) {
            assertFalse(entry.getMessage().contains(SECRET_PASSWORD), entry.getMessage());
            assertFalse(entry.getMessage().contains(TestServer.PASSWORD), entry.getMessage());
            assertFalse(entry.getMessage().contains("Basic "), entry.getMessage());
        }
    }

    @Test
    void accessLogOff_nothingLogged(@TempDir Path otherDir) {
        try (TestServer quiet = TestServer.start(otherDir, new ServerSettings.Operations(
                ServerSettings.Operations.DEFAULT.shutdownGrace(), false, false, ServerSettings.LogFormat.TEXT))) {
            quiet.admin().get(TestServer.LIBRARIES).then().statusCode(200);
        }
        server.admin().get(TestServer.LIBRARIES).then().statusCode(200);

        assertEquals(1, awaitEntries(1).size(), "only the request to the server with the access log");
    }

    @Test
    void quoted_valuesWithSpacesQuotesOrNothing() {
        assertEquals("alice", AccessLog.quoted("alice"));
        assertEquals("\"\"", AccessLog.quoted(""));
        assertEquals("\"ann smith\"", AccessLog.quoted("ann smith"));
        assertEquals("\"a\\\"b=c\"", AccessLog.quoted("a\"b=c"));
    }

    /** The response is sent before its line is logged: wait for the lines. */
    private List<AccessLog.Entry> awaitEntries(int count) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (entries.size() < count && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(count, entries.size(), entries.toString());
        return List.copyOf(entries);
    }
}
