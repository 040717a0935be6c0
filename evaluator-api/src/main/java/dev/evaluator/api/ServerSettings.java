package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.engine.UserAccounts;
import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.RuntimeSettings;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.User;

import dev.evaluator.store.etcd.EtcdOptions;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The server's settings, from command-line flags and environment variables (a flag wins over its variable).
 *
 * @param host            address to bind; loopback by default
 * @param port            port for plain HTTP; 0 picks a free one
 * @param dataDir         the store's data directory
 * @param maxLibraryBytes largest library code accepted, in bytes of UTF-8
 * @param adminUser       the bootstrap administrator's name
 * @param adminPassword   the bootstrap administrator's password, when given
 * @param tls             HTTPS, when a certificate and key were given
 * @param httpEnabled     whether plain HTTP listens on {@code port}; false only with TLS
 * @param lenientBindings whether CREATE FUNCTION skips checking its library and JavaScript function (Couchbase's
 *                        late binding, for migrations)
 * @param callLimits      what one function call may use; its timeout caps the timeout a request asks for
 * @param runtime         how many calls run at once and how many may wait
 * @param operations      how the server stops, logs and exposes its metrics
 * @param lifecycle       how much library history and audit trail is kept
 * @param etcd            the etcd cluster to keep everything on ({@code --store etcd}); empty for the embedded
 *                        RocksDB store in {@code dataDir} (the default)
 * @param nodeName        this node's name in metrics and statistics ({@code --node-name}); empty for the host name
 *                        and the port the server listens on
 */
record ServerSettings(String host,
                      int port,
                      Path dataDir,
                      int maxLibraryBytes,
                      String adminUser,
                      Optional<String> adminPassword,
                      Optional<TlsSettings> tls,
                      boolean httpEnabled,
                      boolean lenientBindings,
                      CallLimits callLimits,
                      RuntimeSettings runtime,
                      Operations operations,
                      Lifecycle lifecycle,
                      Optional<EtcdOptions> etcd,
                      Optional<String> nodeName) {

    /**
     * How much of the libraries' past is kept.
     *
     * @param historyVersions versions kept per library ({@code --history-versions}); older ones are pruned
     * @param auditDays       days audit entries are kept ({@code --audit-days}); older ones are pruned
     */
    record Lifecycle(int historyVersions, int auditDays) {
        /** 100 versions per library, 90 days of audit trail. */
        static final Lifecycle DEFAULT = new Lifecycle(LibraryHistory.DEFAULT_KEEP, AuditLog.DEFAULT_DAYS);
    }

    /** With the default history and audit retention. */
    ServerSettings(String host, int port, Path dataDir, int maxLibraryBytes, String adminUser,
                   Optional<String> adminPassword, Optional<TlsSettings> tls, boolean httpEnabled,
                   boolean lenientBindings, CallLimits callLimits, RuntimeSettings runtime, Operations operations) {
        this(host, port, dataDir, maxLibraryBytes, adminUser, adminPassword, tls, httpEnabled, lenientBindings,
                callLimits, runtime, operations, Lifecycle.DEFAULT, Optional.empty(), Optional.empty());
    }

    /** The same settings on another store, under another node name. */
    ServerSettings on(Optional<EtcdOptions> etcd, Optional<String> nodeName) {
        return new ServerSettings(host, port, dataDir, maxLibraryBytes, adminUser, adminPassword, tls, httpEnabled,
                lenientBindings, callLimits, runtime, operations, lifecycle, etcd, nodeName);
    }

    /** How server log lines are written. */
    enum LogFormat {
        /** One line of text per record: time, level, logger, message. */
        TEXT,
        /** One JSON object per line, for log collectors. */
        JSON
    }

    /**
     * How the server is run and watched.
     *
     * @param shutdownGrace how long a stopping server lets requests in flight finish before it cuts them off
     * @param publicMetrics whether {@code /metrics} answers without credentials (else admin or ro_admin)
     * @param accessLog     whether every request is logged, one line each
     * @param logFormat     how log lines are written
     */
    record Operations(Duration shutdownGrace, boolean publicMetrics, boolean accessLog, LogFormat logFormat,
                      int maxConnections, Duration idleTimeout, Duration headerTimeout,
                      Duration bodyTimeout) {
        /** Connections at most by default, before the file-descriptor limit lowers it. */
        static final int MAX_CONNECTIONS = 4096;
        /** How long a connection may idle between requests by default. */
        static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
        /** How long a request's headers may take to arrive after its request line, by default. */
        static final Duration HEADER_TIMEOUT = Duration.ofSeconds(20);
        /** How long a request's body may take to arrive after its headers, by default. */
        static final Duration BODY_TIMEOUT = Duration.ofSeconds(60);
        /**
         * The defaults: 20 s of grace, metrics for admin and ro_admin, access log on, text, 4096 connections, 60 s
         * idle, 20 s for headers, 60 s for a body.
         */
        static final Operations DEFAULT = new Operations(Duration.ofSeconds(20), false, true, LogFormat.TEXT);

        Operations {
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            Objects.requireNonNull(logFormat, "logFormat");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            Objects.requireNonNull(bodyTimeout, "bodyTimeout");
        }

        /** With the default connection limits. */
        Operations(Duration shutdownGrace, boolean publicMetrics, boolean accessLog, LogFormat logFormat) {
            this(shutdownGrace, publicMetrics, accessLog, logFormat, MAX_CONNECTIONS, IDLE_TIMEOUT, HEADER_TIMEOUT,
                    BODY_TIMEOUT);
        }
    }

    static final String USAGE = """
            Usage: evaluator [--host ADDRESS] [--port PORT] [--data-dir DIR] [--max-library-bytes N]
                             [--tls-cert FILE --tls-key FILE | --tls-keystore FILE] [--tls-port PORT] [--disable-http]
                             [--lenient-bindings] [--max-call-seconds S]
                             [--call-memory-mib M] [--max-result-bytes N]
                             [--js-workers N] [--js-queue N]
                             [--shutdown-grace-seconds S] [--public-metrics] [--access-log=false]
                             [--log-format text|json] [--max-connections N] [--idle-timeout-seconds S]
                             [--header-timeout-seconds S] [--body-timeout-seconds S]
              --host               address to bind (env EVALUATOR_HOST, default 127.0.0.1)
              --port               plain HTTP port (env EVALUATOR_PORT, default 8093; 0 picks a free one)
              --data-dir           store directory (env EVALUATOR_DATA_DIR, default ./data)
              --max-library-bytes  largest library accepted (env EVALUATOR_MAX_LIBRARY_BYTES, default 1048576)
            HTTPS: give a PEM certificate and key, or a PKCS#12 key store; plain HTTP keeps running unless disabled.
              --tls-cert           PEM certificate chain, the server's certificate first (env EVALUATOR_TLS_CERT)
              --tls-key            PEM private key, unencrypted PKCS#8 or PKCS#1 RSA (env EVALUATOR_TLS_KEY)
              --tls-keystore       PKCS#12 key store with one private key (env EVALUATOR_TLS_KEYSTORE); its password
                                   only from env EVALUATOR_TLS_KEYSTORE_PASSWORD, never on the command line
              --tls-port           HTTPS port (env EVALUATOR_TLS_PORT, default 18093; 0 picks a free one)
              --disable-http       serve HTTPS only, no plain HTTP port (env EVALUATOR_DISABLE_HTTP=true)
            Functions:
              --lenient-bindings   CREATE FUNCTION does not check that its library and JavaScript function exist,
                                   as in Couchbase (env EVALUATOR_LENIENT_BINDINGS=true); for migrations
              --max-call-seconds   longest a function call may run; caps a request's timeout
                                   (env EVALUATOR_MAX_CALL_SECONDS, default 120)
              --call-memory-mib    heap one call may hold (garbage does not count), in MiB (env EVALUATOR_CALL_MEMORY_MIB, default 256)
              --max-result-bytes   largest function result, as JSON (env EVALUATOR_MAX_RESULT_BYTES, default 10485760)
              --js-workers         function calls that run at once (env EVALUATOR_JS_WORKERS, default: processors)
              --js-queue           calls that may wait for a worker before 503 (env EVALUATOR_JS_QUEUE,
                                   default 64 per worker)
              --max-js-workers     how far the pool grows while every worker runs a long call
                                   (env EVALUATOR_MAX_JS_WORKERS, default 16 per processor)
              --max-namespace-share  percent of the workers one namespace may hold while others wait
                                   (env EVALUATOR_MAX_NAMESPACE_SHARE, default 50, at least one worker)
            Operations:
              --shutdown-grace-seconds  on SIGTERM, how long requests in flight may take to finish before they are
                                   cut off (env EVALUATOR_SHUTDOWN_GRACE_SECONDS, default 20)
              --public-metrics     /metrics without credentials (env EVALUATOR_PUBLIC_METRICS=true; default: admin
                                   or ro_admin)
              --access-log         one log line per request (env EVALUATOR_ACCESS_LOG, default true)
              --log-format         text or json (env EVALUATOR_LOG_FORMAT, default text)
              --max-connections    connections served at once per listener, more are answered 503; lowered to
                                   what the file-descriptor limit leaves (env EVALUATOR_MAX_CONNECTIONS, default 4096)
              --idle-timeout-seconds  a connection idle this long (between requests, or before its first byte) is
                                   closed
                                   (env EVALUATOR_IDLE_TIMEOUT_SECONDS, default 60)
              --header-timeout-seconds  a request whose headers have not all arrived this long after its request
                                   line is dropped with its connection (env EVALUATOR_HEADER_TIMEOUT_SECONDS, default 20)
              --body-timeout-seconds  the same for a body not all in this long after its headers
                                   (env EVALUATOR_BODY_TIMEOUT_SECONDS, default 60)
            Library history and audit trail:
              --history-versions   versions kept per library; older ones are pruned (env EVALUATOR_HISTORY_VERSIONS,
                                   default 100)
              --audit-days         days the audit trail keeps an entry (env EVALUATOR_AUDIT_DAYS, default 90)
            Store (several nodes share one etcd cluster; see the README's "Several nodes on etcd"):
              --store              rocksdb (embedded, in --data-dir) or etcd (env EVALUATOR_STORE, default rocksdb)
              --etcd-endpoints     comma-separated client URLs of etcd members, http:// or https://
                                   (env EVALUATOR_ETCD_ENDPOINTS, default http://127.0.0.1:2379)
              --etcd-prefix        key prefix of this evaluator's records (env EVALUATOR_ETCD_PREFIX, default /evaluator/)
              --etcd-user          etcd user, when etcd's authentication is on (env EVALUATOR_ETCD_USER); its password
                                   only from env EVALUATOR_ETCD_PASSWORD, never on the command line
              --etcd-ca-file       PEM certificate authorities to trust for https:// endpoints (env EVALUATOR_ETCD_CA_FILE)
              --etcd-max-request-bytes  the cluster's --max-request-bytes; larger writes are refused with 413
                                   (env EVALUATOR_ETCD_MAX_REQUEST_BYTES, default 1572864)
              --etcd-timeout-seconds  how long a store operation may wait for etcd before 503
                                   (env EVALUATOR_ETCD_TIMEOUT_SECONDS, default 5)
              --node-name          this node's name in metrics and statistics (env EVALUATOR_NODE_NAME, default
                                   host name:port)
            Administrator bootstrap: EVALUATOR_ADMIN_USER (default Administrator), EVALUATOR_ADMIN_PASSWORD
            (when unset on the first start, a random password is generated, printed once and written to
            <data-dir>/initial-admin-password).""";

    static final String KEYSTORE_PASSWORD_ENV = "EVALUATOR_TLS_KEYSTORE_PASSWORD";
    static final String ETCD_PASSWORD_ENV = "EVALUATOR_ETCD_PASSWORD";

    /** Flags that take a value. */
    private static final List<String> FLAGS = List.of("host", "port", "data-dir", "max-library-bytes",
            "tls-cert", "tls-key", "tls-keystore", "tls-port", "max-call-seconds", "call-memory-mib",
            "max-result-bytes", "js-workers", "js-queue", "max-js-workers", "max-namespace-share",
            "shutdown-grace-seconds", "log-format", "max-connections", "idle-timeout-seconds",
            "header-timeout-seconds", "body-timeout-seconds", "history-versions", "audit-days", "store",
            "etcd-endpoints", "etcd-prefix", "etcd-user", "etcd-ca-file", "etcd-max-request-bytes",
            "etcd-timeout-seconds", "node-name");

    /** Flags that are true when given alone, or take {@code =true} or {@code =false}. */
    private static final List<String> SWITCHES = List.of("disable-http", "lenient-bindings", "public-metrics",
            "access-log");

    private static final String TLS_HINT = "give --tls-cert and --tls-key, or --tls-keystore";

    ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(callLimits, "callLimits");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(nodeName, "nodeName");
        if (!httpEnabled && tls.isEmpty()) {
            throw new IllegalArgumentException("--disable-http needs HTTPS, else nothing would listen: " + TLS_HINT);
        }
        if (httpEnabled && tls.isPresent() && port != 0 && port == tls.get().port()) {
            throw new IllegalArgumentException("--port and --tls-port must differ, not both " + port);
        }
    }

    /** Whether the server is reachable only from this machine (no clear-text warning needed). */
    boolean loopbackOnly() {
        return host.equalsIgnoreCase("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")
                || host.matches("127(\\.\\d{1,3}){3}");
    }

    @Override
    public String toString() {
        return "ServerSettings[host=" + host + ", port=" + port + ", dataDir=" + dataDir
                + ", maxLibraryBytes=" + maxLibraryBytes + ", adminUser=" + adminUser + ", tls=" + tls
                + ", httpEnabled=" + httpEnabled + ", lenientBindings=" + lenientBindings
                + ", callLimits=" + callLimits + ", runtime=" + runtime + ", operations=" + operations
                + ", lifecycle=" + lifecycle + ", etcd=" + etcd + ", nodeName=" + nodeName + "]";
    }

    /**
     * Read the settings.
     *
     * @param args command-line arguments: {@code --name value} or {@code --name=value}; a switch such as
     *             {@code --disable-http} alone means true
     * @param env  environment variables
     * @return the settings
     * @throws IllegalArgumentException naming the flag or variable that is unknown or has a bad value
     */
    static ServerSettings parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        for (String flag : Stream.concat(FLAGS.stream(), SWITCHES.stream()).toList()) {
            String fromEnv = env.get(envName(flag));
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(flag, fromEnv.trim());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (SWITCHES.contains(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("Flag --" + name + " needs a value");
            }
            if (name.equals("tls-keystore-password")) {
                throw new IllegalArgumentException("--tls-keystore-password is not accepted: other users can read"
                        + " command lines; set " + KEYSTORE_PASSWORD_ENV + " instead");
            }
            if (name.equals("etcd-password")) {
                throw new IllegalArgumentException("--etcd-password is not accepted: other users can read"
                        + " command lines; set " + ETCD_PASSWORD_ENV + " instead");
            }
            if (!FLAGS.contains(name) && !SWITCHES.contains(name)) {
                throw new IllegalArgumentException("Unknown flag --" + name);
            }
            values.put(name, value);
        }

        String host = values.getOrDefault("host", "127.0.0.1");
        if (host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        int port = integer(values, "port", 8093, 0, 65535);
        Path dataDir = Path.of(values.getOrDefault("data-dir", "data"));
        int maxLibraryBytes = integer(values, "max-library-bytes", 1024 * 1024, 1, Integer.MAX_VALUE - 8);
        String adminUser = Optional.ofNullable(env.get("EVALUATOR_ADMIN_USER"))
                .filter(s -> !s.isBlank())
                .orElse("Administrator");
        try {
            User.validateName(adminUser);
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("EVALUATOR_ADMIN_USER is invalid: " + e.rule());
        }
        Optional<String> adminPassword = Optional.ofNullable(env.get("EVALUATOR_ADMIN_PASSWORD"))
                .filter(s -> !s.isEmpty());
        if (adminPassword.isPresent()) {
            try {
                UserAccounts.validatePassword(adminPassword.get());
            } catch (ApiException e) {
                throw new IllegalArgumentException("EVALUATOR_ADMIN_PASSWORD is invalid: " + e.getMessage());
            }
        }
        Optional<TlsSettings.KeySource> keys = keySource(values, env);
        boolean httpDisabled = bool(values, "disable-http");
        if (keys.isEmpty() && values.containsKey("tls-port")) {
            throw new IllegalArgumentException("--tls-port needs HTTPS: " + TLS_HINT);
        }
        int tlsPort = integer(values, "tls-port", TlsSettings.DEFAULT_PORT, 0, 65535);
        Optional<TlsSettings> tls = keys.map(source -> new TlsSettings(tlsPort, source));
        CallLimits callLimits = new CallLimits(
                Duration.ofSeconds(integer(values, "max-call-seconds", 120, 1, 24 * 3600)),
                (long) integer(values, "call-memory-mib", 256, 1, 1 << 20) << 20,
                integer(values, "max-result-bytes", 10 << 20, 1, Integer.MAX_VALUE - 8),
                CallLimits.DEFAULT.maxLogLines(), CallLimits.DEFAULT.maxLogLineChars());
        RuntimeSettings defaults = RuntimeSettings.defaults();
        int workers = integer(values, "js-workers", defaults.workers(), 1, 1024);
        RuntimeSettings base = new RuntimeSettings(workers,
                integer(values, "js-queue", values.containsKey("js-workers") ? 64 * workers : defaults.queueCapacity(),
                        1, 1 << 20),
                defaults.contextsPerWorker());
        int maxWorkers = integer(values, "max-js-workers", Math.max(workers, base.maxWorkers()), workers, 1 << 16);
        int sharePercent = integer(values, "max-namespace-share",
                (int) Math.round(base.maxNamespaceShare() * 100), 1, 100);
        RuntimeSettings runtime = base.withMaxWorkers(maxWorkers).withMaxNamespaceShare(sharePercent / 100.0);
        Operations operations = new Operations(
                Duration.ofSeconds(integer(values, "shutdown-grace-seconds",
                        (int) Operations.DEFAULT.shutdownGrace().toSeconds(), 0, 3600)),
                bool(values, "public-metrics"), bool(values, "access-log", true), logFormat(values),
                integer(values, "max-connections", Operations.MAX_CONNECTIONS, 16, 1 << 20),
                Duration.ofSeconds(integer(values, "idle-timeout-seconds", (int) Operations.IDLE_TIMEOUT.toSeconds(),
                        1, 86_400)),
                Duration.ofSeconds(integer(values, "header-timeout-seconds",
                        (int) Operations.HEADER_TIMEOUT.toSeconds(), 1, 3600)),
                Duration.ofSeconds(integer(values, "body-timeout-seconds",
                        (int) Operations.BODY_TIMEOUT.toSeconds(), 1, 3600)));
        return new ServerSettings(host, port, dataDir, maxLibraryBytes, adminUser, adminPassword, tls, !httpDisabled,
                bool(values, "lenient-bindings"), callLimits, runtime, operations,
                new Lifecycle(integer(values, "history-versions", LibraryHistory.DEFAULT_KEEP, 1, 1_000_000),
                        integer(values, "audit-days", AuditLog.DEFAULT_DAYS, 1, 36_500)),
                etcd(values, env), nodeName(values));
    }

    private static Optional<String> nodeName(Map<String, String> values) {
        String name = values.get("node-name");
        if (name == null) {
            return Optional.empty();
        }
        if (name.isBlank() || name.length() > 200 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("--node-name (or " + envName("node-name") + ") must be 1 to 200"
                    + " printable ASCII characters without spaces, not '" + name + "'");
        }
        return Optional.of(name);
    }

    /** The etcd options of {@code --store etcd}; empty for RocksDB. The etcd flags alone are an error. */
    private static Optional<EtcdOptions> etcd(Map<String, String> values, Map<String, String> env) {
        String store = values.getOrDefault("store", "rocksdb").trim().toLowerCase(Locale.ROOT);
        Optional<String> password = Optional.ofNullable(env.get(ETCD_PASSWORD_ENV)).filter(p -> !p.isEmpty());
        List<String> etcdFlags = Stream.of("etcd-endpoints", "etcd-prefix", "etcd-user", "etcd-ca-file",
                "etcd-max-request-bytes", "etcd-timeout-seconds").filter(values::containsKey).toList();
        switch (store) {
            case "rocksdb" -> {
                if (!etcdFlags.isEmpty() || password.isPresent()) {
                    throw new IllegalArgumentException((etcdFlags.isEmpty() ? ETCD_PASSWORD_ENV
                            : "--" + etcdFlags.getFirst()) + " needs --store etcd");
                }
                return Optional.empty();
            }
            case "etcd" -> {
                // Handled below.
            }
            default -> throw new IllegalArgumentException("--store (or " + envName("store")
                    + ") must be rocksdb or etcd, not '" + values.get("store") + "'");
        }
        List<URI> endpoints = new ArrayList<>();
        for (String endpoint : values.getOrDefault("etcd-endpoints", "http://127.0.0.1:2379").split(",")) {
            if (endpoint.isBlank()) {
                continue;
            }
            try {
                endpoints.add(new URI(endpoint.trim()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--etcd-endpoints: '" + endpoint.trim() + "' is not a URL");
            }
        }
        Optional<String> user = Optional.ofNullable(values.get("etcd-user")).map(String::trim);
        if (user.isPresent() && user.get().isEmpty()) {
            throw new IllegalArgumentException("--etcd-user must not be empty");
        }
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException(user.isPresent()
                    ? "--etcd-user needs the user's password in " + ETCD_PASSWORD_ENV
                    : ETCD_PASSWORD_ENV + " is set but --etcd-user is not");
        }
        try {
            EtcdOptions options = EtcdOptions.create(endpoints)
                    .withPrefix(values.getOrDefault("etcd-prefix", EtcdOptions.DEFAULT_PREFIX).trim())
                    .withTimeouts(EtcdOptions.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(integer(values,
                            "etcd-timeout-seconds", (int) EtcdOptions.DEFAULT_REQUEST_TIMEOUT.toSeconds(), 1, 600)))
                    .withMaxRequestBytes(integer(values, "etcd-max-request-bytes",
                            EtcdOptions.DEFAULT_MAX_REQUEST_BYTES, 64 * 1024, Integer.MAX_VALUE));
            if (user.isPresent()) {
                options = options.withCredentials(user.get(), password.get());
            }
            Optional<Path> ca = path(values, "etcd-ca-file");
            if (ca.isPresent()) {
                options = options.withCaFile(ca.get());
            }
            return Optional.of(options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--store etcd: " + e.getMessage(), e);
        }
    }

    private static LogFormat logFormat(Map<String, String> values) {
        String text = values.getOrDefault("log-format", "text");
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            default -> throw new IllegalArgumentException("--log-format (or " + envName("log-format")
                    + ") must be text or json, not '" + text + "'");
        };
    }

    private static Optional<TlsSettings.KeySource> keySource(Map<String, String> values, Map<String, String> env) {
        Optional<Path> cert = path(values, "tls-cert");
        Optional<Path> key = path(values, "tls-key");
        Optional<Path> keystore = path(values, "tls-keystore");
        Optional<String> password = Optional.ofNullable(env.get(KEYSTORE_PASSWORD_ENV)).filter(s -> !s.isEmpty());
        if (keystore.isPresent()) {
            if (cert.isPresent() || key.isPresent()) {
                throw new IllegalArgumentException("--tls-keystore and --tls-cert/--tls-key are alternatives:"
                        + " give the PKCS#12 key store or the PEM files, not both");
            }
            return Optional.of(new TlsSettings.Pkcs12(keystore.get(), password.orElseThrow(
                    () -> new IllegalArgumentException("--tls-keystore needs the key store's password in "
                            + KEYSTORE_PASSWORD_ENV))));
        }
        if (password.isPresent()) {
            throw new IllegalArgumentException(KEYSTORE_PASSWORD_ENV + " is set but --tls-keystore is not");
        }
        if (cert.isPresent() && key.isEmpty()) {
            throw new IllegalArgumentException("--tls-cert needs --tls-key (the certificate's private key, PEM)");
        }
        if (key.isPresent() && cert.isEmpty()) {
            throw new IllegalArgumentException("--tls-key needs --tls-cert (the key's certificate chain, PEM)");
        }
        return cert.map(c -> new TlsSettings.Pem(c, key.get()));
    }

    private static Optional<Path> path(Map<String, String> values, String flag) {
        String text = values.get(flag);
        if (text == null) {
            return Optional.empty();
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("--" + flag + " must not be empty");
        }
        return Optional.of(Path.of(text.trim()));
    }

    private static boolean bool(Map<String, String> values, String flag) {
        return bool(values, flag, false);
    }

    private static boolean bool(Map<String, String> values, String flag, boolean fallback) {
        String text = values.get(flag);
        if (text == null) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + flag + " (or " + envName(flag)
                    + ") must be true or false, not '" + text + "'");
        };
    }

    static String envName(String flag) {
        return "EVALUATOR_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static int integer(Map<String, String> values, String flag, int fallback, int min, int max) {
        String text = values.get(flag);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " (or " + envName(flag) + ") must be an integer from "
                    + min + " to " + max + ", not '" + text + "'");
        }
    }
}
