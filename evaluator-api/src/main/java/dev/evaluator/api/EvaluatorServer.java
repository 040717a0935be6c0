package dev.evaluator.api;

import dev.evaluator.engine.AdminBootstrap;
import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.FunctionCatalog;
import dev.evaluator.engine.FunctionExecutor;
import dev.evaluator.engine.LibraryArchive;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.engine.LoginThrottle;
import dev.evaluator.engine.PasswordHasher;
import dev.evaluator.engine.StatementRunner;
import dev.evaluator.engine.UserAccounts;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Store;
import dev.evaluator.store.User;
import dev.evaluator.store.UserStore;
import dev.evaluator.store.etcd.EtcdStore;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import io.helidon.common.tls.Tls;
import io.helidon.cors.CrossOriginConfig;
import io.helidon.http.DirectHandler;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;

/**
 * A running evaluator: the store, the JavaScript runtime and the HTTP server over them, listening for plain HTTP,
 * HTTPS or both, with the same routing on each.
 * Closing it stops the server (no new connections; requests in flight get the shutdown grace period to finish, then
 * are cut off), then releases the runtime and flushes and closes the store.
 */
final class EvaluatorServer implements AutoCloseable {
    static final String LIBRARIES_PATH = "/evaluator/v1/libraries";

    /**
     * How many bytes of libraries, functions and users a node on etcd keeps read (the watch of the prefix keeps
     * them exact); the least recently used go first.
     */
    static final long ETCD_CACHE_BYTES = 64L << 20;
    /** What a library write on etcd carries besides twice the code: keys, the version and audit records, framing. */
    private static final int ETCD_WRITE_OVERHEAD = 4096;

    /** How often audit entries older than {@code --audit-days} are pruned. */
    private static final Duration AUDIT_PRUNING = Duration.ofHours(1);

    /** The HTTPS listener's name when plain HTTP runs too (on the default listener). */
    private static final String HTTPS_SOCKET = "https";
    /** How long a connection beyond the cap may take to send the request that is answered 503. */
    private static final Duration REFUSAL_GRACE = Duration.ofSeconds(2);

    private final Store store;
    private final Path dataDir;
    private final JsRuntime runtime;
    private final WebServer server;
    private final ServerMetrics metrics;
    private final Optional<String> generatedAdminPassword;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int requestsCutOff;
    private final ReadTimeouts readTimeouts;
    private final PasswordCheck passwords;
    private final String node;

    private EvaluatorServer(Store store, Path dataDir, JsRuntime runtime, WebServer server, ServerMetrics metrics,
                            Optional<String> generatedPassword, ReadTimeouts readTimeouts, String node,
                            PasswordCheck passwords) {
        this.passwords = passwords;
        this.node = node;
        this.readTimeouts = readTimeouts;
        this.store = store;
        this.dataDir = dataDir;
        this.runtime = runtime;
        this.server = server;
        this.metrics = metrics;
        this.generatedAdminPassword = generatedPassword;
    }

    /**
     * Open the store, bootstrap the administrator, create the runtime and start listening.
     *
     * @param settings the settings
     * @return the running evaluator
     * @throws dev.evaluator.store.StoreException when the store cannot be opened
     * @throws java.io.UncheckedIOException       when the server cannot bind its address or read its TLS key and
     *                                            certificates; the message is one line for the operator
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
                                 BiFunction<UserStore, PasswordHasher, PasswordCheck> credentials) {
        Optional<Tls> tls = settings.tls().map(TlsSettings::load);
        if (settings.httpEnabled()) {
            checkAddressFree(settings.host(), settings.port(), "--port");
        }
        settings.tls().ifPresent(t -> checkAddressFree(settings.host(), t.port(), "--tls-port"));
        // The JavaScript engine (mostly loading its classes) starts beside the store and the metrics, on the other
        // core.
        FutureTask<JsRuntime> runtimeStart = new FutureTask<>(() -> JsRuntime.create(settings.runtime()));
        Thread.ofPlatform().name("runtime-start").daemon().start(runtimeStart);
        String node = nodeName(settings);
        ServerMetrics metrics;
        Path dataDir = settings.dataDir().toAbsolutePath().normalize();
        Store store;
        try {
            metrics = new ServerMetrics(node);
            try {
                if (settings.etcd().isPresent()) {
                    // Only a generated administrator password is written here.
                    Files.createDirectories(dataDir);
                    store = EtcdStore.open(settings.etcd().get(), metrics, ETCD_CACHE_BYTES);
                    warnWhenLibrariesCannotFit(settings);
                } else {
                    store = RocksDbStore.open(dataDir, metrics);
                }
            } catch (IOException e) {
                metrics.close();
                throw new UncheckedIOException("cannot create the data directory " + dataDir + ": " + e.getMessage(),
                        e);
            } catch (RuntimeException e) {
                metrics.close();
                throw e;
            }
        } catch (RuntimeException e) {
            closeWhenStarted(runtimeStart, e);
            throw e;
        }
        JsRuntime runtime = null;
        PasswordHasher hasher = new PasswordHasher();
        // The admin's password check or hash (a third of a second of PBKDF2) runs beside the rest of the start, on
        // the other core; the server listens only once it is done.
        // What the bootstrap checked (or derived) the hash against, for the first login to reuse.
        AtomicReference<Map.Entry<User, char[]>> vouched = new AtomicReference<>();
        FutureTask<Optional<String>> admin = new FutureTask<>(() -> AdminBootstrap.ensure(store, hasher,
                settings.adminUser(), settings.adminPassword(), dataDir,
                (user, password) -> vouched.set(Map.entry(user, password))));
        Thread.ofPlatform().name("admin-bootstrap").daemon().start(admin);
        try {
            runtime = await(runtimeStart);
            AuditLog audit = new AuditLog(store, Duration.ofDays(settings.lifecycle().auditDays()), AUDIT_PRUNING);
            // One filter (and so one login throttle) for every listener: HTTPS must not double an attacker's tries.
            PasswordCheck passwords = credentials.apply(store.users(), hasher);
            SecurityFilter security = new SecurityFilter(passwords, new LoginThrottle(),
                    settings.operations().publicMetrics(), audit);
            RequestObserver requests = new RequestObserver(metrics,
                    settings.operations().accessLog() ? Optional.of(new AccessLog()) : Optional.empty());
            FunctionCatalog catalog = new FunctionCatalog(store, runtime,
                    settings.lenientBindings());
            FunctionExecutor executor = new FunctionExecutor(catalog, runtime, settings.callLimits());
            ClientConnections clients = new ClientConnections();
            LibraryHistory history = new LibraryHistory(store, catalog, audit, settings.lifecycle().historyVersions());
            LibraryService libraries = new LibraryService(catalog, executor, settings.maxLibraryBytes(), clients,
                    history, audit);
            UserService users = new UserService(new UserAccounts(store.users(), hasher), audit);
            WhoAmIService whoAmI = new WhoAmIService();
            QueryService query = new QueryService(new StatementRunner(catalog, executor, node), clients, audit);
            StatsService stats = new StatsService(executor.stats(), node);
            CallsService calls = new CallsService(executor.running());
            MetricsService metricsService = new MetricsService(metrics);
            metrics.bindStore(store);
            metrics.bindRuntime(runtime);
            metrics.bindFunctionStats(executor.stats());
            ErrorMapper errors = new ErrorMapper();
            List<InetSocketAddress> listening = new java.util.concurrent.CopyOnWriteArrayList<>();
            HealthChecks health = new HealthChecks(store, settings.etcd().isPresent(), runtime, () -> listening);
            ConsoleService console = new ConsoleService();
            RequestGuard guard = new RequestGuard(errors);
            Consumer<HttpRouting.Builder> routing = rules -> rules.addFilter(requests)
                    .addFilter(guard)
                    .addFilter(security)
                    .register(LIBRARIES_PATH, libraries)
                    .register(HistoryService.PATH, new HistoryService(history, audit))
                    .register(AuditService.PATH, new AuditService(audit))
                    .register(HistoryService.PATH, new ArchiveService(new LibraryArchive(store, catalog, audit,
                            settings.lifecycle().historyVersions()), audit))
                    .register(UserService.PATH, users)
                    .register(WhoAmIService.PATH, whoAmI)
                    .register(QueryService.PATH, query)
                    .register(QueryService.ALIAS_PATH, query)
                    .register(StatsService.PATH, stats)
                    .register(CallsService.PATH, calls)
                    .register(MetricsService.PATH, metricsService)
                    .register(ConsoleService.PATH, console)
                    .error(Throwable.class, errors);
            // What the web server refuses before routing gets the same JSON shapes as every other error.
            Consumer<DirectHandlers.Builder> direct = handlers -> {
                for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                    handlers.addHandler(type, ErrorMapper.direct());
                }
            };
            int listeners = tls.isPresent() && settings.httpEnabled() ? 2 : 1;
            int maxConnections = connectionCap(settings, listeners);
            Duration idle = settings.operations().idleTimeout();
            // Idle connections are looked for four times per timeout, but not more often than every 250 ms nor
            // less often than every 5 s.
            Duration idleCheck = Collections.max(List.of(Duration.ofMillis(250),
                    Collections.min(List.of(Duration.ofSeconds(5), idle.dividedBy(4)))));
            ReadTimeouts readTimeouts = new ReadTimeouts(settings.operations().headerTimeout(),
                    settings.operations().bodyTimeout());
            Http1Config http1 = Http1Config.builder().addReceiveListener(readTimeouts).build();
            // Each listener's only protocol is HTTP/1.1 through its gate, which answers connections beyond the cap
            // with a 503; the web server itself stops accepting only past the gate's reserve for those answers.
            int acceptCap = maxConnections + ConnectionLimit.refusalReserve(maxConnections);
            ConnectionGate plainGate = new ConnectionGate(http1, maxConnections, idle, REFUSAL_GRACE);
            metrics.bindConnections(WebServer.DEFAULT_SOCKET_NAME, plainGate);
            WebServerConfig.Builder config = WebServer.builder()
                    .host(settings.host())
                    .protocolsDiscoverServices(false)
                    .addConnectionSelector(plainGate)
                    .maxTcpConnections(acceptCap)
                    .idleConnectionTimeout(idle)
                    .idleConnectionPeriod(idleCheck)
                    .directHandlers(direct)
                    .featuresDiscoverServices(false)
                    .shutdownHook(false)
                    .shutdownGracePeriod(settings.operations().shutdownGrace())
                    // The feature adds its endpoint to every listener's routing.
                    .addFeature(OpenApiFeature.builder().build())
                    .addFeature(ObserveFeature.builder()
                            .observersDiscoverServices(false)
                            .cors(CrossOriginConfig.builder().enabled(false).build())
                            .sockets(tls.isPresent() && settings.httpEnabled()
                                    ? List.of(WebServer.DEFAULT_SOCKET_NAME, HTTPS_SOCKET)
                                    : List.of(WebServer.DEFAULT_SOCKET_NAME))
                            .addObserver(health.observer())
                            .build())
                    .routing(routing);
            if (tls.isEmpty()) {
                config.port(settings.port());
            } else if (!settings.httpEnabled()) {
                config.port(settings.tls().get().port()).tls(tls.get());
            } else {
                ConnectionGate tlsGate = new ConnectionGate(http1, maxConnections, idle, REFUSAL_GRACE);
                metrics.bindConnections(HTTPS_SOCKET, tlsGate);
                config.port(settings.port())
                        .putSocket(HTTPS_SOCKET, socket -> socket.host(settings.host())
                                .port(settings.tls().get().port())
                                .maxTcpConnections(acceptCap)
                                .protocolsDiscoverServices(false)
                                .addConnectionSelector(tlsGate)
                                .idleConnectionTimeout(idle)
                                .idleConnectionPeriod(idleCheck)
                                .shutdownGracePeriod(settings.operations().shutdownGrace())
                                .directHandlers(direct)
                                .tls(tls.get())
                                .routing(routing));
            }
            Optional<String> generated = await(admin);
            // The administrator's first request would derive the same hash again (a third of a second of PBKDF2).
            Optional.ofNullable(vouched.get()).ifPresent(known -> passwords.remember(known.getKey(), known.getValue()));
            WebServer server = config.build().start();
            if (!server.isRunning()) {
                // Helidon logs why and does not throw; the address checks above make this a rare race.
                String message = "the web server failed to start on " + settings.host() + "; see the log above";
                throw new UncheckedIOException(message, new IOException(message));
            }
            String selfHost = settings.host().equals("0.0.0.0") || settings.host().equals("::")
                    ? "127.0.0.1" : settings.host();
            listening.add(new InetSocketAddress(selfHost, server.port()));
            if (tls.isPresent() && settings.httpEnabled()) {
                listening.add(new InetSocketAddress(selfHost, server.port(HTTPS_SOCKET)));
            }
            return new EvaluatorServer(store, dataDir, runtime, server, metrics, generated, readTimeouts, node,
                    passwords);
        } catch (RuntimeException e) {
            if (runtime != null) {
                runtime.close();
            } else {
                closeWhenStarted(runtimeStart, e);
            }
            // Not under the admin's bootstrap, which may still be writing.
            try {
                await(admin);
            } catch (RuntimeException bootstrap) {
                if (bootstrap != e) {
                    e.addSuppressed(bootstrap);
                }
            }
            store.close();
            metrics.close();
            throw e;
        }
    }

    /** Close the runtime once its start is done, after the start of the server failed with {@code failure}. */
    private static void closeWhenStarted(FutureTask<JsRuntime> runtimeStart, RuntimeException failure) {
        try {
            await(runtimeStart).close();
        } catch (RuntimeException e) {
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
    }

    /** The outcome of a step of the start run on its own thread, its failure thrown as it is. */
    private static <T> T await(FutureTask<T> step) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return step.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("A step of the start failed", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A library write on etcd carries the code twice (the library and its new version) in one request: say so at
     * start when {@code --max-library-bytes} libraries cannot fit in etcd's request limit (they are refused with 413,
     * with nothing written, rather than half-written).
     */
    private static void warnWhenLibrariesCannotFit(ServerSettings settings) {
        int limit = settings.etcd().orElseThrow().maxRequestBytes();
        long needed = 2L * settings.maxLibraryBytes() + ETCD_WRITE_OVERHEAD;
        if (needed > limit) {
            System.getLogger(EvaluatorServer.class.getName()).log(System.Logger.Level.WARNING, "etcd's request"
                    + " limit (--etcd-max-request-bytes " + limit + ") takes libraries of up to about "
                    + (limit - ETCD_WRITE_OVERHEAD) / 2 + " bytes, not the " + settings.maxLibraryBytes()
                    + " of --max-library-bytes (a write carries the code twice, as the library and its version):"
                    + " larger ones are refused with 413. To take them, start etcd with --max-request-bytes "
                    + needed + " or more and give the same to --etcd-max-request-bytes");
        }
    }

    /**
     * The node's name: {@code --node-name}, else this host's name and the port it serves on (plain HTTP's, else
     * HTTPS's); with a port picked at start (0), the process id stands for it.
     */
    private static String nodeName(ServerSettings settings) {
        if (settings.nodeName().isPresent()) {
            return settings.nodeName().get();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        int port = settings.httpEnabled() ? settings.port() : settings.tls().map(TlsSettings::port).orElse(0);
        return host + ":" + (port != 0 ? Integer.toString(port) : "pid" + ProcessHandle.current().pid());
    }

    /**
     * Fail with the operating system's reason when the address cannot be bound, before anything else starts (the
     * web server would only log it). Port 0 still checks the host.
     */
    private static void checkAddressFree(String host, int port, String portFlag) {
        try {
            bind(host, port);
        } catch (IOException e) {
            // A BindException also means an address not on this machine: only a free port tells the two apart.
            String hint = e instanceof BindException && port != 0 && canBind(host)
                    ? "is another server using the port? Choose another with " + portFlag
                    : "check --host";
            String message = "cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): " + hint;
            throw new UncheckedIOException(message, e);
        }
    }

    private static boolean canBind(String host) {
        try {
            bind(host, 0);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The connection cap per listener, lowered to what the descriptor limit leaves; logged when lowered. */
    private static int connectionCap(ServerSettings settings, int listeners) {
        int configured = settings.operations().maxConnections();
        int cap;
        try {
            cap = ConnectionLimit.perListener(configured, listeners);
        } catch (IllegalStateException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e.getMessage(), e));
        }
        if (cap < configured) {
            System.getLogger(EvaluatorServer.class.getName()).log(System.Logger.Level.INFO, "At most " + cap
                    + " connections per listener (not " + configured + "): the open-files limit leaves no more");
        }
        return cap;
    }

    private static void bind(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        }
    }

    /** The plain HTTP port, or -1 when plain HTTP is disabled. */
    int port() {
        return server.hasTls() ? -1 : server.port();
    }

    /** The HTTPS port, or -1 without TLS. */
    int tlsPort() {
        return server.hasTls() ? server.port() : server.port(HTTPS_SOCKET);
    }

    JsRuntime runtime() {
        return runtime;
    }

    Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    /** After {@link #close()}: the requests still running when the grace period ended. */
    int requestsCutOff() {
        return requestsCutOff;
    }

    /** The password check (for tests). */
    PasswordCheck passwords() {
        return passwords;
    }

    /** The read deadlines of requests in flight (for tests). */
    ReadTimeouts readTimeouts() {
        return readTimeouts;
    }

    /** The store (tests close it under a running server to see the server notice). */
    Store store() {
        return store;
    }

    /** This node's name, in metrics and statistics. */
    String node() {
        return node;
    }

    /** The data directory, absolute. */
    Path dataDir() {
        return dataDir;
    }

    /**
     * Stop: see the class comment. Only the first call does anything; it returns when the store is closed.
     *
     * @throws dev.evaluator.store.StoreException when the store cannot be flushed
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();
            // Requests still in their handlers once the grace period is over were interrupted.
            requestsCutOff = metrics.requestsInFlight();
            readTimeouts.close();
        } finally {
            try {
                runtime.close();
            } finally {
                try {
                    store.close();
                } finally {
                    metrics.close();
                }
            }
        }
    }
}
