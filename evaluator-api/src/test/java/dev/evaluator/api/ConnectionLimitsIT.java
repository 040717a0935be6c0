package dev.evaluator.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections that never finish, against a server whose open-files limit is low: the connection cap keeps the
 * listener from running out of descriptors (an accept that fails stops Helidon's listener for good), so once the
 * attack ends the same process serves again; and idle keep-alive connections are closed after the idle timeout.
 */
class ConnectionLimitsIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Partial headers: the request never ends. */
    private static final byte[] PARTIAL = "GET /health/live HTTP/1.1\r\nHost: a\r\nX-Slow: "
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void moreUnfinishedRequestsThanDescriptors_listenerSurvives_servesOnceTheyEnd() throws Exception {
        Map<String, String> env = Map.of("EVALUATOR_SKIP_BUILD", "1", "EVALUATOR_ACCESS_LOG", "false",
                "EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);
        // 1024 descriptors: about 160 go to the jars and the store at start, 320 are reserved for the store and the
        // rest, so the cap is about 540; 1,000 connections would exhaust the limit without it.
        List<String> command = List.of("bash", "-c", "ulimit -n 1024 && exec bash \"$0\" \"$@\"",
                ROOT.resolve("evaluator").toString(), "--port", "0", "--data-dir", dir.resolve("data").toString());
        List<Socket> attackers = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(command, env)) {
            int port = server.awaitListening();
            String started = String.join("\n", server.stdoutLines()) + server.stderr();
            assertTrue(started.contains("connections per listener (not 4096)"), started);
            try {
                for (int i = 0; i < 1000; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.getOutputStream().write(PARTIAL);
                    attackers.add(socket);
                }
                Thread.sleep(3000);
            } finally {
                for (Socket socket : attackers) {
                    socket.close();
                }
            }

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> live = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (live == null && System.nanoTime() < deadline) {
                try {
                    live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + HealthChecks.LIVE_PATH)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    Thread.sleep(500);
                }
            }
            assertTrue(live != null, "the server no longer answers: " + server.stderr());
            assertEquals(200, live.statusCode(), live.body());
            assertTrue(live.body().contains("\"listeners\""), live.body());
            String log = String.join("\n", server.stdoutLines()) + server.stderr();
            assertFalse(log.contains("server socket is terminating"), log);
            assertFalse(log.contains("Too many open files"), log);
        }
    }

    /** Quiet operations with 64 connections and these idle, header and body timeouts. */
    private static ServerSettings.Operations timeouts(Duration idle, Duration header, Duration body) {
        return new ServerSettings.Operations(Duration.ofSeconds(5), false, false, ServerSettings.LogFormat.TEXT, 64,
                idle, header, body);
    }

    private static final byte[] LIVE = ("GET " + HealthChecks.LIVE_PATH + " HTTP/1.1\r\nHost: a\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    /** Everything the server sends until it closes the connection (at most 20 s). */
    private static String readToClose(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        StringBuilder text = new StringBuilder();
        for (int n; (n = in.read(buffer)) != -1; ) {
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** One request answered on a connection that stays open (keep-alive). */
    private static Socket heldAfterOneRequest(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(LIVE);
        byte[] head = new byte[12];
        int read = socket.getInputStream().readNBytes(head, 0, head.length);
        assertEquals("HTTP/1.1 200", new String(head, 0, read, StandardCharsets.US_ASCII));
        return socket;
    }

    @Test
    void connectionsBeyondTheCap_answered503AndClosed_servedAgainOnceOthersEnd() throws Exception {
        ServerSettings.Operations operations = new ServerSettings.Operations(Duration.ofSeconds(5), false, false,
                ServerSettings.LogFormat.TEXT, 16, Duration.ofSeconds(300), Duration.ofSeconds(20),
                Duration.ofSeconds(60));
        List<Socket> held = new ArrayList<>();
        try (TestServer server = TestServer.start(dir.resolve("data"), operations)) {
            try {
                for (int i = 0; i < 16; i++) {
                    held.add(heldAfterOneRequest(server.port()));
                }
                // The 17th is answered at once, with the reason, and closed (not left waiting in the backlog).
                try (Socket beyond = new Socket("127.0.0.1", server.port())) {
                    beyond.getOutputStream().write(LIVE);
                    String answer = readToClose(beyond);
                    assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                    assertTrue(answer.contains("\"code\":\"too_many_connections\""), answer);
                    assertTrue(answer.contains("Retry-After: 1"), answer);
                }
                // One beyond the cap that sends nothing is closed after the 2 s grace, not the 300 s idle timeout.
                try (Socket silent = new Socket("127.0.0.1", server.port())) {
                    assertClosedUnansweredWithin(silent, Duration.ofSeconds(15));
                }
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String metrics = server.metrics();
            while (metrics.contains("evaluator_connections_open{listener=\"@default\"} 1") == false
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
                metrics = server.metrics();
            }
            assertTrue(metrics.contains("evaluator_connections_refused_total{listener=\"@default\"} 2.0"), metrics);
            server.anonymous().get(HealthChecks.LIVE_PATH).then().statusCode(200);
        }
    }

    @Test
    void connectionThatNeverSendsAByte_closedAfterTheIdleTimeout() throws Exception {
        ServerSettings.Operations operations = timeouts(Duration.ofSeconds(1), Duration.ofSeconds(20),
                Duration.ofSeconds(60));
        try (TestServer server = TestServer.start(dir.resolve("data"), operations);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            // Closed by the server after its 1 s idle timeout (checked every 250 ms), not by this side's 30 s.
            assertClosedUnansweredWithin(socket, Duration.ofSeconds(15));
        }
    }

    /** The server closes the connection (end of stream or reset) without answering, within the bound. */
    private static void assertClosedUnansweredWithin(Socket socket, Duration bound) throws IOException {
        socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
        long started = System.nanoTime();
        int read;
        try {
            read = socket.getInputStream().read();
        } catch (SocketException e) {
            read = -1;
        }
        Duration open = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(-1, read, "closed without an answer");
        assertTrue(open.compareTo(bound) < 0, "closed after " + open);
    }

    @Test
    void headersThatNeverEnd_connectionClosedAfterTheHeaderTimeout() throws Exception {
        ServerSettings.Operations operations = timeouts(Duration.ofSeconds(300), Duration.ofSeconds(1),
                Duration.ofSeconds(60));
        try (TestServer server = TestServer.start(dir.resolve("data"), operations);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(PARTIAL);

            // Closed by the server after its 1 s, not by this side's 30 s (the idle timeout is 300 s).
            assertClosedUnansweredWithin(socket, Duration.ofSeconds(15));
            server.anonymous().get(HealthChecks.LIVE_PATH).then().statusCode(200);
        }
    }

    @Test
    void connectionClose_answeredThenClosed_keepAliveStaysOpen() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"))) {
            String auth = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                    (TestServer.ADMIN + ":" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
            // A handler's answer, a handler's error, a filter's refusal (outside the handlers) and a request check's.
            Map<String, String> requests = Map.of(
                    "GET " + HealthChecks.LIVE_PATH + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "200",
                    "POST " + TestServer.LIBRARIES + "/none/functions/f/invoke HTTP/1.1\r\nHost: a\r\n" + auth
                            + "Connection: keep-alive, Close\r\nContent-Length: 2\r\n\r\n{}", "404",
                    "GET " + WhoAmIService.PATH + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "401",
                    "GET /whoami%25 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "400");
            for (Map.Entry<String, String> request : requests.entrySet()) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    // Far below the idle timeout: the server must close, not time the connection out.
                    socket.setSoTimeout(5_000);
                    socket.getOutputStream().write(request.getKey().getBytes(StandardCharsets.US_ASCII));
                    String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(answer.startsWith("HTTP/1.1 " + request.getValue() + " "), answer);
                    int body = answer.indexOf("\r\n\r\n") + 4;
                    String length = answer.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT)
                            .startsWith("content-length:")).findFirst().orElseThrow().substring(15).trim();
                    assertEquals(Integer.parseInt(length), answer.length() - body, "the whole answer came: " + answer);
                }
            }
            // Without the option the connection stays for the next request.
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000);
                byte[] live = ("GET " + HealthChecks.LIVE_PATH + " HTTP/1.1\r\nHost: a\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 2; i++) {
                    socket.getOutputStream().write(live);
                    byte[] buffer = new byte[4096];
                    int n = socket.getInputStream().read(buffer);
                    assertTrue(n > 0 && new String(buffer, 0, n, StandardCharsets.US_ASCII)
                            .startsWith("HTTP/1.1 200 "), "request " + (i + 1) + " on one connection");
                }
            }
        }
    }

    @Test
    void answeredRequests_leaveNoDeadlinesBehind() {
        try (TestServer server = TestServer.start(dir.resolve("data"))) {
            server.admin().body("function f() { return 1; }").post(TestServer.LIBRARIES + "/kept").then()
                    .statusCode(200);
            // Each request sets a header and a body deadline (minutes away) and cancels both: kept until they expire,
            // a busy server's timer would hold every request of the last minutes, and the heap with it.
            for (int i = 0; i < 500; i++) {
                server.admin().body("{\"args\":[]}").contentType("application/json")
                        .post(TestServer.LIBRARIES + "/kept/functions/f/invoke").then().statusCode(200);
            }
            int pending = server.evaluator().readTimeouts().pendingDeadlines();
            assertTrue(pending < 10, pending + " deadlines of answered requests are still queued");
        }
    }

    @Test
    void bodyThatNeverEnds_connectionClosedAfterTheBodyTimeout_nothingStored() throws Exception {
        ServerSettings.Operations operations = timeouts(Duration.ofSeconds(300), Duration.ofSeconds(20),
                Duration.ofSeconds(1));
        try (TestServer server = TestServer.start(dir.resolve("data"), operations);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            String auth = java.util.Base64.getEncoder().encodeToString((TestServer.ADMIN + ":" + TestServer.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(("POST " + TestServer.LIBRARIES + "/slow HTTP/1.1\r\nHost: a\r\n"
                    + "Authorization: Basic " + auth + "\r\nContent-Length: 100\r\n\r\nfunction f() {")
                    .getBytes(StandardCharsets.US_ASCII));

            assertClosedUnansweredWithin(socket, Duration.ofSeconds(15));
            server.admin().get(TestServer.LIBRARIES + "/slow").then().statusCode(404);
        }
    }

    @Test
    void idleKeepAliveConnection_closedAfterTheIdleTimeout() throws Exception {
        ServerSettings.Operations operations = timeouts(Duration.ofSeconds(1), Duration.ofSeconds(20),
                Duration.ofSeconds(60));
        try (TestServer server = TestServer.start(dir.resolve("data"), operations);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + HealthChecks.LIVE_PATH + " HTTP/1.1\r\nHost: a\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            byte[] buffer = new byte[4096];
            StringBuilder text = new StringBuilder();
            for (int n; (n = in.read(buffer)) != -1; ) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            Duration open = Duration.ofNanos(System.nanoTime() - started);

            assertTrue(text.toString().startsWith("HTTP/1.1 200"), text.toString());
            // Closed by the server (end of stream), not by the 20 s read timeout; the check runs every 250 ms.
            assertTrue(open.compareTo(Duration.ofSeconds(15)) < 0, open.toString());
        }
    }
}
