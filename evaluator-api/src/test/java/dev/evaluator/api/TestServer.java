package dev.evaluator.api;

import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.RuntimeSettings;
import dev.evaluator.store.etcd.EtcdOptions;

import java.nio.file.Path;
import java.util.Optional;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;

/**
 * A real evaluator on a free port over a data directory, with rest-assured requests whose responses are validated
 * against the project's openapi.yaml (the copy the server serves).
 */
final class TestServer implements AutoCloseable {
    static final String ADMIN = "Administrator";
    static final String PASSWORD = "s3cret-test-password";
    static final String LIBRARIES = EvaluatorServer.LIBRARIES_PATH;
    /** The test servers' node name, a label of every metric. */
    static final String NODE = "test-node";

    /** Responses must match openapi.yaml; requests are not checked, since tests send bad ones on purpose. */
    static final OpenApiValidationFilter OUR_SPEC = validator("META-INF/openapi.yaml", LevelResolver.create()
            .withLevel("validation.request", ValidationReport.Level.IGNORE)
            .build());

    /**
     * Couchbase's own document of the API: responses to the requests it describes must match it too. It leaves
     * out errors it does not describe (401, 405, 413), so unknown statuses are not failures against it; and it
     * describes no body for its OK and not-found responses, where ours carry {@code {"status":"OK"}} and the error
     * shape (clients of Couchbase ignore those bodies), so a body there is not a failure either.
     */
    static final OpenApiValidationFilter COUCHBASE_SPEC = validator("couchbase-functions-openapi.yaml",
            LevelResolver.create()
                    .withLevel("validation.request", ValidationReport.Level.IGNORE)
                    .withLevel("validation.response.status.unknown", ValidationReport.Level.IGNORE)
                    .withLevel("validation.response.body.unexpected", ValidationReport.Level.IGNORE)
                    .build());

    private static final RestAssuredConfig CONFIG = RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
            .defaultContentCharset("UTF-8")
            .appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private final EvaluatorServer server;
    private final Path dataDir;

    private TestServer(EvaluatorServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    static TestServer start(Path dataDir) {
        return start(dataDir, 1024 * 1024);
    }

    static TestServer start(Path dataDir, int maxLibraryBytes) {
        return start(dataDir, maxLibraryBytes, false);
    }

    static TestServer start(Path dataDir, int maxLibraryBytes, boolean lenientBindings) {
        return start(dataDir, maxLibraryBytes, lenientBindings, RuntimeSettings.defaults());
    }

    static TestServer start(Path dataDir, int maxLibraryBytes, boolean lenientBindings, RuntimeSettings runtime) {
        return start(dataDir, maxLibraryBytes, lenientBindings, runtime, ServerSettings.Operations.DEFAULT);
    }

    static TestServer start(Path dataDir, ServerSettings.Operations operations) {
        return start(dataDir, 1024 * 1024, false, RuntimeSettings.defaults(), operations);
    }

    private static TestServer start(Path dataDir, int maxLibraryBytes, boolean lenientBindings,
                                    RuntimeSettings runtime, ServerSettings.Operations operations) {
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, dataDir, maxLibraryBytes, ADMIN,
                Optional.of(PASSWORD), Optional.empty(), true, lenientBindings, CallLimits.DEFAULT, runtime,
                operations).on(Optional.empty(), Optional.of(NODE));
        return new TestServer(EvaluatorServer.start(settings), dataDir);
    }

    /**
     * A Prometheus scrape of this server with the node label taken out of every series (each carries it), so tests
     * can name a series by its other labels.
     */
    String metrics() {
        return withoutNodeLabel(admin().get(MetricsService.PATH).then().statusCode(200).extract().asString());
    }

    /** A scrape without the {@link #NODE} label, which every series carries. */
    static String withoutNodeLabel(String scrape) {
        return scrape.replace("{node=\"" + NODE + "\"}", "")
                .replace("{node=\"" + NODE + "\",", "{")
                .replace(",node=\"" + NODE + "\"", "");
    }

    /** A server on an etcd cluster, as one node of several. */
    static TestServer startOnEtcd(Path dataDir, EtcdOptions etcd, String node) {
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, dataDir, 1024 * 1024, ADMIN,
                Optional.of(PASSWORD), Optional.empty(), true, false, CallLimits.DEFAULT, RuntimeSettings.defaults(),
                ServerSettings.Operations.DEFAULT).on(Optional.of(etcd), Optional.of(node));
        return new TestServer(EvaluatorServer.start(settings), dataDir);
    }

    int port() {
        return server.port();
    }

    Path dataDir() {
        return dataDir;
    }

    EvaluatorServer evaluator() {
        return server;
    }

    /** A request with no credentials. */
    RequestSpecification anonymous() {
        return RestAssured.given().config(CONFIG).port(port()).filter(OUR_SPEC);
    }

    /** A request as the administrator. */
    RequestSpecification admin() {
        return anonymous().auth().preemptive().basic(ADMIN, PASSWORD);
    }

    @Override
    public void close() {
        server.close();
    }

    private static OpenApiValidationFilter validator(String resource, LevelResolver levels) {
        String url = TestServer.class.getClassLoader().getResource(resource).toString();
        return new OpenApiValidationFilter(OpenApiInteractionValidator.createForSpecificationUrl(url)
                .withLevelResolver(levels)
                .build());
    }
}
