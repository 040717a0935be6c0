package dev.evaluator.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS: the server's own certificate from PEM files or a PKCS#12 store, checked by clients that trust only that
 * certificate (or its root); the same routing on the HTTPS and the plain listener; start-up failures as one line.
 */
class TlsIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final Pattern HTTPS_PORT = Pattern.compile("https://[^:]+:(\\d+)/");

    @TempDir
    static Path certificates;
    private static TestCertificate selfSigned;
    private static TestCertificate chained;

    @TempDir
    Path dir;

    /** How the server is given its key: the flags and the environment for one certificate. */
    enum KeySource {
        PEM {
            @Override
            List<String> flags(TestCertificate cert) {
                return List.of("--tls-cert", cert.certPem().toString(), "--tls-key", cert.keyPem().toString());
            }

            @Override
            Map<String, String> env(TestCertificate cert) {
                return Map.of();
            }
        },
        PKCS12 {
            @Override
            List<String> flags(TestCertificate cert) {
                return List.of("--tls-keystore", cert.keystore().toString());
            }

            @Override
            Map<String, String> env(TestCertificate cert) {
                return Map.of(ServerSettings.KEYSTORE_PASSWORD_ENV, cert.password());
            }
        };

        abstract List<String> flags(TestCertificate cert);

        abstract Map<String, String> env(TestCertificate cert);
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        selfSigned = TestCertificate.selfSigned(certificates.resolve("self-signed"));
        chained = TestCertificate.issuedByIntermediate(certificates.resolve("chained"));
    }

    private static TestCertificate certificate(String name) {
        return switch (name) {
            case "self-signed" -> selfSigned;
            case "chained" -> chained;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private EvaluatorServer start(KeySource source, TestCertificate cert, String... flags) {
        return EvaluatorServer.start(settings(source.flags(cert), source.env(cert), flags));
    }

    private ServerSettings settings(List<String> tlsFlags, Map<String, String> tlsEnv, String... flags) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--tls-port", "0",
                "--data-dir", dir.resolve("data").toString()));
        args.addAll(tlsFlags);
        args.addAll(List.of(flags));
        Map<String, String> env = new HashMap<>(tlsEnv);
        env.put("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);
        return ServerSettings.parse(args.toArray(String[]::new), env);
    }

    private static HttpClient client(SSLContext trust) {
        return HttpClient.newBuilder()
                .sslContext(trust)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpRequest.Builder request(String scheme, int port, String path, boolean asAdmin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (asAdmin) {
            String login = TestServer.ADMIN + ":" + TestServer.PASSWORD;
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"PEM, self-signed", "PEM, chained", "PKCS12, self-signed", "PKCS12, chained"})
    void adminOverHttps_clientTrustingTheCertificate_200AndPlainHttpStillServes(KeySource source, String name)
            throws Exception {
        TestCertificate cert = certificate(name);
        try (EvaluatorServer server = start(source, cert);
             HttpClient client = client(cert.trustingContext())) {
            assertTrue(server.tlsPort() > 0, "TLS port " + server.tlsPort());
            assertTrue(server.port() > 0 && server.port() != server.tlsPort(), "HTTP port " + server.port());

            HttpResponse<String> posted = send(client, request("https", server.tlsPort(), LIBS + "/overTls", true)
                    .POST(HttpRequest.BodyPublishers.ofString("function f() { return 1; }")));
            assertEquals(200, posted.statusCode(), posted.body());
            HttpResponse<String> listed = send(client, request("https", server.tlsPort(), LIBS, true));
            assertEquals(200, listed.statusCode(), listed.body());
            assertTrue(listed.body().contains("overTls"), listed.body());

            HttpResponse<String> plain = send(client, request("http", server.port(), LIBS + "/overTls", true));
            assertEquals(200, plain.statusCode(), plain.body());
            assertTrue(plain.body().contains("function f() { return 1; }"), plain.body());
        }
    }

    @Test
    void httpsListener_sameRoutingAsPlainHttp() throws Exception {
        record Call(String method, String path, boolean asAdmin) {
        }
        List<Call> calls = List.of(
                new Call("GET", LIBS, false),
                new Call("GET", LIBS, true),
                new Call("GET", LIBS + "/missing", true),
                new Call("PUT", LIBS, true),
                new Call("GET", "/no/such/endpoint", true),
                new Call("GET", "/openapi", false),
                new Call("GET", "/openapi", true),
                new Call("GET", WhoAmIService.PATH, true),
                new Call("GET", UserService.PATH, true));
        try (EvaluatorServer server = start(KeySource.PEM, selfSigned);
             HttpClient client = client(selfSigned.trustingContext())) {
            for (Call call : calls) {
                HttpResponse<String> plain = send(client, request("http", server.port(), call.path(), call.asAdmin())
                        .method(call.method(), HttpRequest.BodyPublishers.noBody()));
                HttpResponse<String> tls = send(client, request("https", server.tlsPort(), call.path(),
                        call.asAdmin()).method(call.method(), HttpRequest.BodyPublishers.noBody()));
                assertEquals(plain.statusCode(), tls.statusCode(), call + ": " + tls.body());
                assertEquals(plain.body(), tls.body(), call.toString());
                for (String header : List.of("WWW-Authenticate", "Content-Type", "Allow")) {
                    assertEquals(plain.headers().firstValue(header), tls.headers().firstValue(header),
                            call + " " + header);
                }
            }
        }
    }

    @Test
    void disableHttp_onlyHttpsListens() throws Exception {
        int httpPort;
        try (ServerSocket free = new ServerSocket(0)) {
            httpPort = free.getLocalPort();
        }
        try (EvaluatorServer server = start(KeySource.PKCS12, selfSigned,
                "--port", String.valueOf(httpPort), "--disable-http");
             HttpClient client = client(selfSigned.trustingContext())) {
            assertEquals(-1, server.port());
            HttpResponse<String> listed = send(client, request("https", server.tlsPort(), LIBS, true));
            assertEquals(200, listed.statusCode(), listed.body());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", httpPort).close());
        }
    }

    @Test
    void withoutTls_noHttpsPort() {
        try (TestServer server = TestServer.start(dir.resolve("data"))) {
            assertEquals(-1, server.evaluator().tlsPort());
            server.admin().get(LIBS).then().statusCode(200);
        }
    }

    @Test
    void clientNotTrustingTheCertificate_handshakeFails() throws Exception {
        try (EvaluatorServer server = start(KeySource.PEM, selfSigned);
             HttpClient client = client(SSLContext.getDefault());
             HttpClient trustsAnotherRoot = client(chained.trustingContext())) {
            assertThrows(SSLHandshakeException.class,
                    () -> send(client, request("https", server.tlsPort(), LIBS, true)));
            assertThrows(SSLHandshakeException.class,
                    () -> send(trustsAnotherRoot, request("https", server.tlsPort(), LIBS, true)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BadKeyFiles.class)
    void badKeyFiles_startFailsWithOneClearLineAndOpensNothing(BadKeyFiles bad) throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        ServerSettings settings = settings(bad.flags(notPem), bad.env(), new String[0]);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> EvaluatorServer.start(settings));
        assertTrue(e.getMessage().contains(bad.expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("data")), "the store was opened");
    }

    /** Key material the server must refuse at start-up, and the words its message must contain. */
    enum BadKeyFiles {
        KEY_OF_ANOTHER_CERTIFICATE("does not match the first certificate"),
        INTERMEDIATE_BEFORE_SERVER_CERTIFICATE("the server's own certificate must come first"),
        CERT_NOT_PEM("cannot read the TLS certificate chain from"),
        KEY_NOT_A_KEY("cannot read the TLS private key from"),
        MISSING_KEY("does not exist"),
        KEYSTORE_WRONG_PASSWORD("does not open the key store"),
        KEYSTORE_NOT_A_KEYSTORE("is not a PKCS#12 key store"),
        KEYSTORE_WITHOUT_KEY("must hold exactly one private key, not 0");

        private final String expected;

        BadKeyFiles(String expected) {
            this.expected = expected;
        }

        List<String> flags(Path notPem) throws IOException {
            return switch (this) {
                case KEY_OF_ANOTHER_CERTIFICATE -> pem(selfSigned.certPem(), chained.keyPem());
                case INTERMEDIATE_BEFORE_SERVER_CERTIFICATE -> {
                    String[] chain = Files.readString(chained.certPem()).split("(?<=-----END CERTIFICATE-----\n)");
                    Path reversed = Files.writeString(notPem.resolveSibling("reversed.pem"), chain[1] + chain[0]);
                    yield pem(reversed, chained.keyPem());
                }
                case CERT_NOT_PEM -> pem(notPem, selfSigned.keyPem());
                case KEY_NOT_A_KEY -> pem(selfSigned.certPem(), selfSigned.certPem());
                case MISSING_KEY -> pem(selfSigned.certPem(), notPem.resolveSibling("missing.pem"));
                case KEYSTORE_WRONG_PASSWORD -> List.of("--tls-keystore", selfSigned.keystore().toString());
                case KEYSTORE_NOT_A_KEYSTORE -> List.of("--tls-keystore", selfSigned.certPem().toString());
                case KEYSTORE_WITHOUT_KEY -> List.of("--tls-keystore", trustStoreOnly(notPem).toString());
            };
        }

        Map<String, String> env() {
            return switch (this) {
                case KEYSTORE_WRONG_PASSWORD -> Map.of(ServerSettings.KEYSTORE_PASSWORD_ENV, "not-the-password");
                case KEYSTORE_NOT_A_KEYSTORE, KEYSTORE_WITHOUT_KEY ->
                        Map.of(ServerSettings.KEYSTORE_PASSWORD_ENV, TestCertificate.PASSWORD);
                default -> Map.of();
            };
        }

        private static List<String> pem(Path cert, Path key) {
            return List.of("--tls-cert", cert.toString(), "--tls-key", key.toString());
        }

        private static Path trustStoreOnly(Path near) throws IOException {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("anchor", selfSigned.trustAnchor());
                Path file = near.resolveSibling("trust-only.p12");
                try (OutputStream out = Files.newOutputStream(file)) {
                    store.store(out, TestCertificate.PASSWORD.toCharArray());
                }
                return file;
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
    }

    @Test
    void process_missingCertFile_failsWithOneClearLine() throws Exception {
        Path missing = dir.resolve("no-such-cert.pem");
        ServerProcess server = ServerProcess.start(Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD),
                "--port", "0", "--tls-port", "0", "--data-dir", dir.resolve("data").toString(),
                "--tls-cert", missing.toString(), "--tls-key", selfSigned.keyPem().toString());
        assertEquals(1, server.awaitExit());
        String[] lines = server.stderr().strip().split("\n");
        assertEquals(1, lines.length, server.stderr());
        assertEquals("evaluator: cannot start: " + missing + " (--tls-cert) does not exist", lines[0]);
    }

    @Test
    void process_certWithoutKey_exits2NamingTheFlags() throws Exception {
        ServerProcess server = ServerProcess.start(Map.of(), "--tls-cert", selfSigned.certPem().toString());
        assertEquals(2, server.awaitExit());
        assertTrue(server.stderr().startsWith("evaluator: --tls-cert needs --tls-key"), server.stderr());
    }

    @Test
    void process_allInterfacesWithTlsAndHttp_startLineNamesBothAndWarnsAboutThePlainPort() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD,
                        "EVALUATOR_TLS_CERT", selfSigned.certPem().toString(),
                        "EVALUATOR_TLS_KEY", selfSigned.keyPem().toString()),
                "--host", "0.0.0.0", "--port", "0", "--tls-port", "0", "--data-dir", dir.resolve("data").toString());
             HttpClient client = client(selfSigned.trustingContext())) {
            int port = server.awaitListening();
            String startLine = server.stdoutLines().getLast();
            Matcher https = HTTPS_PORT.matcher(startLine);
            assertTrue(https.find(), startLine);
            int tlsPort = Integer.parseInt(https.group(1));
            assertTrue(startLine.startsWith("Evaluator listening on http://0.0.0.0:" + port + LIBS
                    + " and https://0.0.0.0:" + tlsPort + LIBS + " | data dir "), startLine);

            HttpResponse<String> listed = send(client, request("https", tlsPort, LIBS, true));
            assertEquals(200, listed.statusCode(), listed.body());
            String warning = "WARNING: the plain HTTP port 0.0.0.0:" + port + " is clear text";
            // The warning follows the start-up line on the other stream; give its reader a moment.
            for (int i = 0; i < 100 && !server.stderr().contains(warning); i++) {
                Thread.sleep(100);
            }
            assertTrue(server.stderr().contains(warning), server.stderr());
        }
    }
}
