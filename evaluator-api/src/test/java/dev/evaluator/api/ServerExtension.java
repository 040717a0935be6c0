package dev.evaluator.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real evaluator for a test class (or a fresh one for each test), on a free port over its own temporary data
 * directory, started before the class's own {@code @BeforeAll} (or {@code @BeforeEach}) methods and stopped, its
 * directory deleted, after them:
 * <pre>{@code @RegisterExtension static final ServerExtension server = ServerExtension.perClass();}</pre>
 * Requests go through {@link #admin()} and {@link #anonymous()}, validated against openapi.yaml like
 * {@link TestServer}'s.
 */
final class ServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final boolean perTest;
    private final Function<Path, TestServer> starter;
    private Path dataDir;
    private TestServer server;

    private ServerExtension(boolean perTest, Function<Path, TestServer> starter) {
        this.perTest = perTest;
        this.starter = starter;
    }

    /** One server for the whole class, with the test defaults. */
    static ServerExtension perClass() {
        return new ServerExtension(false, TestServer::start);
    }

    /** One server for all tests of the class, started as the test class needs it. */
    static ServerExtension perClass(Function<Path, TestServer> starter) {
        return new ServerExtension(false, starter);
    }

    /** A fresh server (and data directory) for each test, with the test defaults. */
    static ServerExtension perTest() {
        return new ServerExtension(true, TestServer::start);
    }

    /** A fresh server for each test, started by {@code starter} over the data directory it is given. */
    static ServerExtension perTest(Function<Path, TestServer> starter) {
        return new ServerExtension(true, starter);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perTest) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!perTest) {
            stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perTest) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    private void start() {
        try {
            dataDir = Files.createTempDirectory("evaluator-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = starter.apply(dataDir);
    }

    private void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            delete(dataDir);
        }
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running server. */
    TestServer server() {
        if (server == null) {
            throw new IllegalStateException("the server runs only while a test of its class runs");
        }
        return server;
    }

    /** A request with no credentials. */
    RequestSpecification anonymous() {
        return server().anonymous();
    }

    /** A request as the administrator. */
    RequestSpecification admin() {
        return server().admin();
    }

    /** A scrape without the node label (see {@link TestServer#metrics()}). */
    String metrics() {
        return server().metrics();
    }

    int port() {
        return server().port();
    }

    Path dataDir() {
        return server().dataDir();
    }

    EvaluatorServer evaluator() {
        return server().evaluator();
    }
}
