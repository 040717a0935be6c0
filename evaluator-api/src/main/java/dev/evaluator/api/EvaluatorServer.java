package dev.evaluator.api;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Store;
import dev.evaluator.store.UserStore;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.function.BiFunction;

import io.helidon.openapi.OpenApiFeature;
import io.helidon.security.providers.httpauth.SecureUserStore;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * A running evaluator: the store, the JavaScript runtime and the HTTP server over them.
 * Closing it stops the server, then releases the runtime and flushes and closes the store.
 */
final class EvaluatorServer implements AutoCloseable {
    static final String LIBRARIES_PATH = "/evaluator/v1/libraries";

    private final Store store;
    private final JsRuntime runtime;
    private final WebServer server;
    private final Optional<String> generatedAdminPassword;

    private EvaluatorServer(Store store, JsRuntime runtime, WebServer server, Optional<String> generatedPassword) {
        this.store = store;
        this.runtime = runtime;
        this.server = server;
        this.generatedAdminPassword = generatedPassword;
    }

    /**
     * Open the store, bootstrap the administrator, create the runtime and start listening.
     *
     * @param settings the settings
     * @return the running evaluator
     * @throws dev.evaluator.store.StoreException when the store cannot be opened
     * @throws java.io.UncheckedIOException       when the server cannot bind its address
     */
    static EvaluatorServer start(ServerSettings settings) {
        return start(settings, Credentials::new);
    }

    /**
     * Start with another check of user names and passwords (benchmarks compare against one that skips hashing).
     *
     * @param credentials makes the password check from the user store and the hasher
     */
    static EvaluatorServer start(ServerSettings settings,
                                 BiFunction<UserStore, PasswordHasher, SecureUserStore> credentials) {
        checkAddressFree(settings.host(), settings.port());
        RocksDbStore store = RocksDbStore.open(settings.dataDir());
        JsRuntime runtime = null;
        try {
            PasswordHasher hasher = new PasswordHasher();
            Optional<String> generated = AdminBootstrap.ensure(store.users(), hasher, settings, store.directory());
            runtime = JsRuntime.create();
            SecurityFilter security = new SecurityFilter(credentials.apply(store.users(), hasher),
                    new LoginThrottle());
            LibraryService libraries = new LibraryService(store.libraries(), runtime, settings.maxLibraryBytes());
            UserService users = new UserService(new UserAccounts(store.users(), hasher));
            WebServer server = WebServer.builder()
                    .host(settings.host())
                    .port(settings.port())
                    .featuresDiscoverServices(false)
                    .shutdownHook(false)
                    .addFeature(OpenApiFeature.builder().build())
                    .routing(routing -> routing.addFilter(security)
                            .register(LIBRARIES_PATH, libraries)
                            .register(UserService.PATH, users)
                            .register(WhoAmIService.PATH, new WhoAmIService())
                            .error(Throwable.class, new ErrorMapper()))
                    .build()
                    .start();
            if (!server.isRunning()) {
                // Helidon logs why and does not throw; the address check above makes this a rare race.
                throw new UncheckedIOException(new IOException("the web server failed to start on "
                        + settings.host() + ":" + settings.port() + "; see the log above"));
            }
            return new EvaluatorServer(store, runtime, server, generated);
        } catch (RuntimeException e) {
            if (runtime != null) {
                runtime.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * Fail with the operating system's reason when the address cannot be bound, before anything else starts (the
     * web server would only log it).
     */
    private static void checkAddressFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.port();
    }

    JsRuntime runtime() {
        return runtime;
    }

    Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    RocksDbStore store() {
        return (RocksDbStore) store;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            try {
                runtime.close();
            } finally {
                store.close();
            }
        }
    }
}
