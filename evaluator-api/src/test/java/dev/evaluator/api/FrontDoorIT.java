package dev.evaluator.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The front door under requests no well-behaved client sends, over raw sockets: framing that would let a proxy and
 * the server disagree on where a request ends (each a 400 that closes the connection, nothing stored, nothing after
 * it answered), paths that are odd once decoded (400, nothing logged), a broken request method, a browser's
 * cross-site writes, request ids, and a bounded fuzz of paths, headers and bodies that must never get a 5xx or hang.
 */
class FrontDoorIT {
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            (TestServer.ADMIN + ":" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3}) ");
    private static final String CODE = "function f() { return 1; }";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    /** What the server logs at WARNING or above while a test runs. */
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    /** What came back on a connection, and whether the server closed it (end of stream before the wait ran out). */
    private record Answer(String text, boolean closed) {
        int status() {
            Matcher m = STATUS.matcher(text);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }

        int responses() {
            return text.split("HTTP/1\\.1 \\d{3} ", -1).length - 1;
        }
    }

    private static Answer exchange(byte[] request, int waitMillis) throws IOException {
        return exchange(request, waitMillis, false);
    }

    /**
     * Send a request and read what comes back until the server closes the connection or the wait runs out; with
     * {@code firstResponseOnly}, until one whole response has arrived (by its Content-Length; headers only for HEAD).
     */
    private static Answer exchange(byte[] request, int waitMillis, boolean firstResponseOnly) throws IOException {
        boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1)
                .startsWith("HEAD ");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(waitMillis);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    out.write(buffer, 0, n);
                    if (firstResponseOnly && complete(out.toString(StandardCharsets.ISO_8859_1), head)) {
                        return new Answer(out.toString(StandardCharsets.ISO_8859_1), false);
                    }
                }
                return new Answer(out.toString(StandardCharsets.ISO_8859_1), true);
            } catch (SocketTimeoutException e) {
                return new Answer(out.toString(StandardCharsets.ISO_8859_1), false);
            } catch (IOException e) {
                // Reset by the server after it answered: closed too.
                return new Answer(out.toString(StandardCharsets.ISO_8859_1), true);
            }
        }
    }

    private static final Pattern LENGTH = Pattern.compile("(?im)^Content-Length: *(\\d+)\r$");

    private static boolean complete(String text, boolean head) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Matcher length = LENGTH.matcher(text.substring(0, end));
        int body = head || !length.find() ? 0 : Integer.parseInt(length.group(1));
        return text.length() >= end + 4 + body;
    }

    private static byte[] ascii(String text) {
        return text.replace("AUTH", AUTH).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void assertNotStored(String library) {
        server.admin().get(TestServer.LIBRARIES + "/" + library).then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Both: a proxy that honours Content-Length forwards the GET inside the body as a second request.
        "Content-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: a\r\n\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: a\r\n\r\n",
        "Content-Length: 5\r\nContent-Length: 26\r\n\r\n" + CODE,
        "Content-Length: 26, 26\r\n\r\n" + CODE,
        "Content-Length: +26\r\n\r\n" + CODE,
        "Content-Length: -1\r\n\r\n" + CODE,
        "Content-Length: 0x1a\r\n\r\n" + CODE,
        "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
    })
    void ambiguousFraming_400_connectionClosed_nothingStoredNothingElseAnswered(String framing) throws IOException {
        String library = "framed" + Integer.toHexString(framing.hashCode());
        Answer answer = exchange(ascii("POST " + TestServer.LIBRARIES + "/" + library + " HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: AUTH\r\n" + framing), 5_000);

        assertEquals(400, answer.status(), answer.text());
        assertTrue(answer.closed(), "the connection must be closed: " + answer.text());
        assertEquals(1, answer.responses(), "nothing after the bad request is answered: " + answer.text());
        assertTrue(answer.text().contains("\"code\":\"bad_request\""), answer.text());
        assertNotStored(library);
    }

    @Test
    void wellFramedRequests_stillKeptAlive() throws IOException {
        String one = "POST " + TestServer.LIBRARIES + "/kept HTTP/1.1\r\nHost: a\r\nAuthorization: AUTH\r\n"
                + "Content-Length: 26\r\n\r\n" + CODE;
        String two = "GET " + TestServer.LIBRARIES + "/kept HTTP/1.1\r\nHost: a\r\nAuthorization: AUTH\r\n\r\n";
        Answer answer = exchange(ascii(one + two), 2_000);

        assertEquals(2, answer.responses(), answer.text());
        assertFalse(answer.closed(), answer.text());
        server.admin().delete(TestServer.LIBRARIES + "/kept").then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/whoami%25", "/ui/%5c..%5clogging.properties", "/ui/index.html%00.js",
        "/ui/x%0a2031-01-01T00:00:00.000%20SEVERE%20forged%5c", "/evaluator/v1/libraries/a%0d%0ab",
        "/evaluator/v1/libraries/%2525", "/%7f"})
    void oddPathOnceDecoded_400WithoutCredentials_nothingLogged(String path) throws IOException {
        Answer answer = exchange(ascii("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 5_000,
                true);

        assertEquals(400, answer.status(), answer.text());
        assertTrue(answer.text().contains("\"code\":\"bad_request\""), answer.text());
        assertEquals(List.of(), warnings.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
    }

    @Test
    void controlCharacterInTheMethod_400NotAServerError() throws IOException {
        Answer answer = exchange(ascii("PO\u0001ST " + TestServer.LIBRARIES + "/m HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: AUTH\r\nContent-Length: 26\r\n\r\n" + CODE), 5_000);

        assertEquals(400, answer.status(), answer.text());
        assertTrue(answer.text().contains("not a valid HTTP token"), answer.text());
        assertNotStored("m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Origin: http://evil.example", "Origin: null", "Sec-Fetch-Site: cross-site",
        "Sec-Fetch-Site: same-site", "Origin: http://127.0.0.1:1"})
    void browserWriteFromAnotherSite_403CrossSite_nothingStored(String header) throws IOException {
        String library = "csrf" + Integer.toHexString(header.hashCode());
        Answer answer = exchange(ascii("POST " + TestServer.LIBRARIES + "/" + library + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port() + "\r\nAuthorization: AUTH\r\nContent-Type: text/plain\r\n" + header
                + "\r\nContent-Length: 26\r\nConnection: close\r\n\r\n" + CODE), 5_000, true);

        assertEquals(403, answer.status(), answer.text());
        assertTrue(answer.text().contains("\"code\":\"cross_site_request\""), answer.text());
        assertNotStored(library);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Sec-Fetch-Site: same-origin\r\n", "Sec-Fetch-Site: none\r\n",
        "Origin: http://127.0.0.1:PORT\r\n"})
    void sameOriginOrNoBrowser_writeAccepted(String header) throws IOException {
        String library = "ok" + Integer.toHexString(header.hashCode());
        Answer answer = exchange(ascii("POST " + TestServer.LIBRARIES + "/" + library + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port() + "\r\nAuthorization: AUTH\r\n" + header.replace("PORT", String.valueOf(server.port()))
                + "Content-Length: 26\r\nConnection: close\r\n\r\n" + CODE), 30_000, true);

        assertEquals(200, answer.status(), answer.text());
        server.admin().delete(TestServer.LIBRARIES + "/" + library).then().statusCode(200);
    }

    @Test
    void requestId_clientsShortIdKept_otherwiseOneOfOurs_inTheInternalErrorMessageToo() {
        assertEquals("trace-42.a_b", server.admin().header("X-Request-Id", "trace-42.a_b")
                .get(TestServer.LIBRARIES).then().statusCode(200).extract().header("X-Request-Id"));
        String replaced = server.admin().header("X-Request-Id", "bad id\u00e9")
                .get(TestServer.LIBRARIES).then().statusCode(200).extract().header("X-Request-Id");
        assertTrue(replaced.matches("[0-9a-f]{16}"), replaced);
        String a = server.admin().get(TestServer.LIBRARIES).then().extract().header("X-Request-Id");
        String b = server.admin().get(TestServer.LIBRARIES).then().extract().header("X-Request-Id");
        assertFalse(a.equals(b), a);
    }

    /**
     * Random request lines, paths, headers and bodies (seeded: a failure names its seed and request): never a 5xx,
     * never a hang (each exchange is bounded), and the server still answers a plain request afterwards.
     */
    @Test
    void fuzz_randomRequests_neverA5xxNorAHang() throws IOException {
        long seed = 13;
        Random random = new Random(seed);
        String[] methods = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "PROPFIND", "get"};
        String[] bases = {"/", "/evaluator/v1/libraries", "/evaluator/v1/libraries/x", "/query/service", "/ui/",
            "/settings/rbac/users/local/u", "/health/live", "/metrics", "/evaluator/v1/calls/1", "/whoami"};
        String[] headers = {"Content-Type: application/json", "Content-Type: text/plain", "Expect: 100-continue",
            "Transfer-Encoding: chunked", "Content-Length: 3", "Host:", "Authorization: Basic !!",
            "Authorization: AUTH",
            "X-Request-Id: \u00ff", "Origin: http://x", "Accept: */*", "Connection: close", "Range: bytes=0-1"};
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            StringBuilder path = new StringBuilder(bases[random.nextInt(bases.length)]);
            for (int k = random.nextInt(4); k > 0; k--) {
                path.append(switch (random.nextInt(6)) {
                    case 0 -> "%" + String.format("%02x", random.nextInt(256));
                    case 1 -> "%" + (char) ('g' + random.nextInt(10));
                    case 2 -> "/" + (char) (0x21 + random.nextInt(0x5e));
                    case 3 -> "?bucket=" + random.nextInt(3) + "&scope=%" + random.nextInt(100);
                    case 4 -> "/..";
                    default -> "/" + Long.toString(random.nextLong(), 36);
                });
            }
            StringBuilder request = new StringBuilder(methods[random.nextInt(methods.length)]).append(' ')
                    .append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (int k = random.nextInt(4); k > 0; k--) {
                request.append(headers[random.nextInt(headers.length)]).append("\r\n");
            }
            byte[] body = new byte[random.nextInt(3) == 0 ? random.nextInt(64) : 0];
            random.nextBytes(body);
            String head = request.append("Content-Length: ").append(body.length)
                    .append("\r\nConnection: close\r\n\r\n").toString();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(ascii(head));
            bytes.writeBytes(body);
            Answer answer = exchange(bytes.toByteArray(), 10_000, true);
            if (answer.status() == -1 && !answer.closed()) {
                failures.add("no answer within 10 s (seed " + seed + ", #" + i + "): " + head);
            } else if (answer.status() >= 500) {
                failures.add(answer.status() + " (seed " + seed + ", #" + i + "): " + head + " -> " + answer.text());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " bad answers, the first ones: "
                    + failures.subList(0, Math.min(5, failures.size())));
        }
        server.admin().get(TestServer.LIBRARIES).then().statusCode(200);
    }
}
