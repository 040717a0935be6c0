package dev.evaluator.api;

import dev.evaluator.store.etcd.EtcdOptions;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSettingsTest {
    @Test
    void parse_nothing_defaults() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of());
        assertEquals("127.0.0.1", settings.host());
        assertEquals(8093, settings.port());
        assertEquals(Path.of("data"), settings.dataDir());
        assertEquals(1024 * 1024, settings.maxLibraryBytes());
        assertEquals("Administrator", settings.adminUser());
        assertEquals(Optional.empty(), settings.adminPassword());
    }

    @Test
    void parse_environment_used() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of(
                "EVALUATOR_HOST", "0.0.0.0", "EVALUATOR_PORT", "9000", "EVALUATOR_DATA_DIR", "/tmp/x",
                "EVALUATOR_MAX_LIBRARY_BYTES", "2048", "EVALUATOR_ADMIN_USER", "root",
                "EVALUATOR_ADMIN_PASSWORD", "pw-123456"));
        assertEquals("0.0.0.0", settings.host());
        assertEquals(9000, settings.port());
        assertEquals(Path.of("/tmp/x"), settings.dataDir());
        assertEquals(2048, settings.maxLibraryBytes());
        assertEquals("root", settings.adminUser());
        assertEquals(Optional.of("pw-123456"), settings.adminPassword());
    }

    @Test
    void parse_flagAndEnvironment_flagWins() {
        ServerSettings settings = ServerSettings.parse(
                new String[] {"--port", "7000", "--data-dir=/srv/data", "--host", "::1"},
                Map.of("EVALUATOR_PORT", "9000", "EVALUATOR_DATA_DIR", "/tmp/x", "EVALUATOR_HOST", "0.0.0.0"));
        assertEquals(7000, settings.port());
        assertEquals(Path.of("/srv/data"), settings.dataDir());
        assertEquals("::1", settings.host());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port|70000|--port (or EVALUATOR_PORT) must be an integer from 0 to 65535, not '70000'",
            "--port|http|--port (or EVALUATOR_PORT) must be an integer from 0 to 65535, not 'http'",
            "--max-library-bytes|0|--max-library-bytes (or EVALUATOR_MAX_LIBRARY_BYTES) must be an integer from 1",
            "--colour|blue|Unknown flag --colour",
            "stray|x|Unexpected argument 'stray'"})
    void parse_badFlag_messageNamesIt(String flag, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(new String[] {flag, value}, Map.of()));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void parse_nothing_operationsDefaults() {
        assertEquals(ServerSettings.Operations.DEFAULT, ServerSettings.parse(new String[0], Map.of()).operations());
        assertEquals(new ServerSettings.Operations(java.time.Duration.ofSeconds(20), false, true,
                ServerSettings.LogFormat.TEXT), ServerSettings.Operations.DEFAULT);
    }

    @Test
    void parse_operationsFlags_used() {
        ServerSettings settings = ServerSettings.parse(new String[] {"--shutdown-grace-seconds", "5",
                "--public-metrics", "--access-log=false", "--log-format", "JSON"}, Map.of());
        assertEquals(new ServerSettings.Operations(java.time.Duration.ofSeconds(5), true, false,
                ServerSettings.LogFormat.JSON), settings.operations());
    }

    @Test
    void parse_connectionFlags_used() {
        ServerSettings settings = ServerSettings.parse(new String[] {"--max-connections", "100",
                "--idle-timeout-seconds", "7"}, Map.of());
        assertEquals(100, settings.operations().maxConnections());
        assertEquals(java.time.Duration.ofSeconds(7), settings.operations().idleTimeout());
        assertEquals(4096, ServerSettings.Operations.DEFAULT.maxConnections());
        assertEquals(java.time.Duration.ofSeconds(60), ServerSettings.Operations.DEFAULT.idleTimeout());
        assertEquals(java.time.Duration.ofSeconds(20), ServerSettings.Operations.DEFAULT.headerTimeout());
        assertEquals(java.time.Duration.ofSeconds(60), ServerSettings.Operations.DEFAULT.bodyTimeout());
        assertEquals(java.time.Duration.ofSeconds(3), ServerSettings.parse(new String[] {"--header-timeout-seconds",
                "3"}, Map.of()).operations().headerTimeout());
        assertEquals(50, ServerSettings.parse(new String[0], Map.of("EVALUATOR_MAX_CONNECTIONS", "50"))
                .operations().maxConnections());
    }

    @Test
    void parse_operationsEnvironment_used() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of(
                "EVALUATOR_SHUTDOWN_GRACE_SECONDS", "0", "EVALUATOR_PUBLIC_METRICS", "true",
                "EVALUATOR_ACCESS_LOG", "false", "EVALUATOR_LOG_FORMAT", "json"));
        assertEquals(new ServerSettings.Operations(java.time.Duration.ZERO, true, false,
                ServerSettings.LogFormat.JSON), settings.operations());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--shutdown-grace-seconds|-1|--shutdown-grace-seconds (or EVALUATOR_SHUTDOWN_GRACE_SECONDS) must be an"
                    + " integer from 0 to 3600, not '-1'",
            "--log-format|xml|--log-format (or EVALUATOR_LOG_FORMAT) must be text or json, not 'xml'",
            "--access-log=maybe||--access-log (or EVALUATOR_ACCESS_LOG) must be true or false, not 'maybe'"})
    void parse_badOperationsFlag_messageNamesIt(String flag, String value, String message) {
        String[] args = value == null ? new String[] {flag} : new String[] {flag, value};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(args, Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void parse_flagWithoutValue_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(new String[] {"--port"}, Map.of()));
        assertEquals("Flag --port needs a value", e.getMessage());
    }

    @Test
    void parse_noTls_plainHttpOnly() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of());
        assertEquals(Optional.empty(), settings.tls());
        assertTrue(settings.httpEnabled());
    }

    @Test
    void parse_pemFiles_httpsOnDefaultPortAndHttpStillOn() {
        ServerSettings settings = ServerSettings.parse(
                new String[] {"--tls-cert", "/etc/evaluator/cert.pem", "--tls-key=/etc/evaluator/key.pem"}, Map.of());
        assertEquals(Optional.of(new TlsSettings(18093,
                new TlsSettings.Pem(Path.of("/etc/evaluator/cert.pem"), Path.of("/etc/evaluator/key.pem")))),
                settings.tls());
        assertTrue(settings.httpEnabled());
        assertEquals(8093, settings.port());
    }

    @Test
    void parse_keystoreFromEnvironment_passwordOnlyFromEnvironment() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of(
                "EVALUATOR_TLS_KEYSTORE", "/etc/evaluator/server.p12",
                "EVALUATOR_TLS_KEYSTORE_PASSWORD", "store-secret",
                "EVALUATOR_TLS_PORT", "8443",
                "EVALUATOR_DISABLE_HTTP", "true"));
        assertEquals(Optional.of(new TlsSettings(8443,
                new TlsSettings.Pkcs12(Path.of("/etc/evaluator/server.p12"), "store-secret"))), settings.tls());
        assertFalse(settings.httpEnabled());
    }

    @Test
    void parse_tlsFlagsAndEnvironment_flagWins() {
        ServerSettings settings = ServerSettings.parse(
                new String[] {"--tls-cert", "flag.pem", "--tls-key", "flag.key", "--tls-port", "0",
                        "--disable-http=false"},
                Map.of("EVALUATOR_TLS_CERT", "env.pem", "EVALUATOR_TLS_KEY", "env.key", "EVALUATOR_TLS_PORT", "9443",
                        "EVALUATOR_DISABLE_HTTP", "true"));
        assertEquals(Optional.of(new TlsSettings(0, new TlsSettings.Pem(Path.of("flag.pem"), Path.of("flag.key")))),
                settings.tls());
        assertTrue(settings.httpEnabled());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--disable-http|true",
            "--disable-http=true|true",
            "--disable-http=TRUE|true",
            "--disable-http=false|false"})
    void parse_disableHttpSwitch_aloneOrWithValue(String flag, boolean disabled) {
        ServerSettings settings = ServerSettings.parse(
                new String[] {flag, "--tls-cert", "c.pem", "--tls-key", "k.pem"}, Map.of());
        assertEquals(!disabled, settings.httpEnabled());
    }

    /** Bad combinations of the TLS flags: each message names the flags involved. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--tls-cert c.pem||--tls-cert needs --tls-key",
            "--tls-key k.pem||--tls-key needs --tls-cert",
            "--tls-cert c.pem --tls-key k.pem --tls-keystore s.p12|EVALUATOR_TLS_KEYSTORE_PASSWORD=pw"
                    + "|--tls-keystore and --tls-cert/--tls-key are alternatives",
            "--tls-cert c.pem --tls-keystore s.p12|EVALUATOR_TLS_KEYSTORE_PASSWORD=pw"
                    + "|--tls-keystore and --tls-cert/--tls-key are alternatives",
            "--tls-keystore s.p12||--tls-keystore needs the key store's password in EVALUATOR_TLS_KEYSTORE_PASSWORD",
            "--tls-cert c.pem --tls-key k.pem|EVALUATOR_TLS_KEYSTORE_PASSWORD=pw"
                    + "|EVALUATOR_TLS_KEYSTORE_PASSWORD is set but --tls-keystore is not",
            "--disable-http||--disable-http needs HTTPS, else nothing would listen: give --tls-cert and --tls-key,"
                    + " or --tls-keystore",
            "|EVALUATOR_DISABLE_HTTP=true|--disable-http needs HTTPS",
            "--tls-port 8443||--tls-port needs HTTPS: give --tls-cert and --tls-key, or --tls-keystore",
            "--tls-cert c.pem --tls-key k.pem --tls-port 70000||--tls-port (or EVALUATOR_TLS_PORT) must be an integer"
                    + " from 0 to 65535, not '70000'",
            "--tls-cert c.pem --tls-key k.pem --port 9000 --tls-port 9000||--port and --tls-port must differ",
            "--tls-cert c.pem --tls-key k.pem --disable-http=maybe||--disable-http (or EVALUATOR_DISABLE_HTTP) must be"
                    + " true or false, not 'maybe'",
            "--tls-cert=|| --tls-cert must not be empty",
            "--tls-keystore s.p12 --tls-keystore-password pw||--tls-keystore-password is not accepted: other users"
                    + " can read command lines; set EVALUATOR_TLS_KEYSTORE_PASSWORD instead"})
    void parse_badTlsCombination_messageNamesTheFlags(String args, String env, String message) {
        String[] argv = args == null ? new String[0] : args.split(" ");
        Map<String, String> environment = env == null ? Map.of() : Map.of(env.split("=")[0], env.split("=")[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(argv, environment));
        assertTrue(e.getMessage().startsWith(message.strip()), e.getMessage());
    }

    @Test
    void parse_sameHttpAndTlsPortWithHttpDisabled_accepted() {
        ServerSettings settings = ServerSettings.parse(new String[] {
                "--tls-cert", "c.pem", "--tls-key", "k.pem", "--port", "9000", "--tls-port", "9000",
                "--disable-http"}, Map.of());
        assertEquals(9000, settings.tls().orElseThrow().port());
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, true", "127.1.2.3, true", "localhost, true", "LOCALHOST, true", "::1, true",
            "0:0:0:0:0:0:0:1, true", "0.0.0.0, false", "::, false", "192.168.1.10, false", "evaluator.example, false",
            "127.0.0.1.example, false"})
    void loopbackOnly_byHost(String host, boolean loopback) {
        ServerSettings settings = ServerSettings.parse(new String[] {"--host", host}, Map.of());
        assertEquals(loopback, settings.loopbackOnly());
    }

    @Test
    void toString_neverShowsTheKeystorePassword() {
        ServerSettings settings = ServerSettings.parse(new String[] {"--tls-keystore", "s.p12"},
                Map.of("EVALUATOR_TLS_KEYSTORE_PASSWORD", "store-secret-x"));
        assertFalse(settings.toString().contains("store-secret-x"), settings.toString());
        assertTrue(settings.toString().contains("s.p12"), settings.toString());
    }

    @Test
    void parse_lenientBindings_flagOrEnvironment() {
        assertFalse(ServerSettings.parse(new String[0], Map.of()).lenientBindings());
        assertTrue(ServerSettings.parse(new String[] {"--lenient-bindings"}, Map.of()).lenientBindings());
        assertTrue(ServerSettings.parse(new String[0], Map.of("EVALUATOR_LENIENT_BINDINGS", "true"))
                .lenientBindings());
    }

    @Test
    void parse_callLimitsAndWorkers_defaultsAndFlags() {
        ServerSettings defaults = ServerSettings.parse(new String[0], Map.of());
        assertEquals(java.time.Duration.ofSeconds(120), defaults.callLimits().timeout());
        assertEquals(256L << 20, defaults.callLimits().maxAllocatedBytes());
        assertEquals(10 << 20, defaults.callLimits().maxResultBytes());
        assertEquals(Runtime.getRuntime().availableProcessors(), defaults.runtime().workers());
        ServerSettings set = ServerSettings.parse(new String[] {"--max-call-seconds", "5", "--call-memory-mib", "64",
                "--max-result-bytes", "1000", "--js-workers", "3"}, Map.of("EVALUATOR_JS_QUEUE", "7"));
        assertEquals(java.time.Duration.ofSeconds(5), set.callLimits().timeout());
        assertEquals(64L << 20, set.callLimits().maxAllocatedBytes());
        assertEquals(1000, set.callLimits().maxResultBytes());
        assertEquals(3, set.runtime().workers());
        assertEquals(7, set.runtime().queueCapacity());
        assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(new String[] {"--js-workers", "0"}, Map.of()));
    }

    @Test
    void parse_poolGrowthAndNamespaceShare_defaultsFlagsAndBounds() {
        ServerSettings defaults = ServerSettings.parse(new String[0], Map.of());
        assertEquals(16 * Runtime.getRuntime().availableProcessors(), defaults.runtime().maxWorkers());
        assertEquals(0.5, defaults.runtime().maxNamespaceShare());
        ServerSettings set = ServerSettings.parse(new String[] {"--js-workers", "2", "--max-js-workers", "6"},
                Map.of("EVALUATOR_MAX_NAMESPACE_SHARE", "25"));
        assertEquals(6, set.runtime().maxWorkers());
        assertEquals(0.25, set.runtime().maxNamespaceShare());
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.parse(
                new String[] {"--js-workers", "4", "--max-js-workers", "3"}, Map.of()), "the cap is below the workers");
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.parse(
                new String[] {"--max-namespace-share", "0"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.parse(
                new String[] {"--max-namespace-share", "101"}, Map.of()));
    }

    @Test
    void toString_neverShowsThePassword() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of("EVALUATOR_ADMIN_PASSWORD", "hunter2-x"));
        assertFalse(settings.toString().contains("hunter2-x"));
    }

    @Test
    void parse_store_rocksdbByDefault_etcdWithItsOptions() {
        assertEquals(Optional.empty(), ServerSettings.parse(new String[0], Map.of()).etcd());
        assertEquals(Optional.empty(), ServerSettings.parse(new String[] {"--store", "rocksdb"}, Map.of()).etcd());

        ServerSettings settings = ServerSettings.parse(new String[] {"--store", "etcd", "--etcd-endpoints",
                "http://10.0.0.1:2379, http://10.0.0.2:2379", "--etcd-prefix", "/team-a/", "--etcd-user", "evaluator",
                "--etcd-max-request-bytes", "2097152", "--etcd-timeout-seconds", "9", "--node-name", "eval-1"},
                Map.of("EVALUATOR_ETCD_PASSWORD", "etcd-secret"));
        EtcdOptions etcd = settings.etcd().orElseThrow();
        assertEquals(List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:2379")), etcd.endpoints());
        assertEquals("/team-a/", etcd.prefix());
        assertEquals(Optional.of("evaluator"), etcd.user());
        assertEquals(Optional.of("etcd-secret"), etcd.password());
        assertEquals(2097152, etcd.maxRequestBytes());
        assertEquals(Duration.ofSeconds(9), etcd.requestTimeout());
        assertEquals(Optional.of("eval-1"), settings.nodeName());
        assertFalse(settings.toString().contains("etcd-secret"), "never the etcd password");

        EtcdOptions defaults = ServerSettings.parse(new String[0], Map.of("EVALUATOR_STORE", "etcd")).etcd()
                .orElseThrow();
        assertEquals(List.of(URI.create("http://127.0.0.1:2379")), defaults.endpoints());
        assertEquals(EtcdOptions.DEFAULT_PREFIX, defaults.prefix());
        assertEquals(EtcdOptions.DEFAULT_MAX_REQUEST_BYTES, defaults.maxRequestBytes());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--store cassandra||--store (or EVALUATOR_STORE) must be rocksdb or etcd, not 'cassandra'",
            "--etcd-endpoints http://h:2379||--etcd-endpoints needs --store etcd",
            "||EVALUATOR_ETCD_PASSWORD needs --store etcd",
            "--store etcd --etcd-endpoints ftp://h:21||--store etcd: An etcd endpoint is an http:// or https:// URL",
            "--store etcd --etcd-prefix evaluator||--store etcd: The etcd key prefix starts and ends with '/'",
            "--store etcd --etcd-user bob||--etcd-user needs the user's password in EVALUATOR_ETCD_PASSWORD",
            "--store etcd|x|EVALUATOR_ETCD_PASSWORD is set but --etcd-user is not",
            "--store etcd --etcd-password pw||--etcd-password is not accepted",
            "--node-name a\tb||--node-name (or EVALUATOR_NODE_NAME) must be 1 to 200 printable ASCII"})
    void parse_badStoreSettings_messageNamesThem(String args, String password, String message) {
        Map<String, String> env = password == null && args == null ? Map.of("EVALUATOR_ETCD_PASSWORD", "pw")
                : password == null ? Map.of() : Map.of("EVALUATOR_ETCD_PASSWORD", password);
        String[] argv = args == null ? new String[0] : args.replace("\\t", "\t").split(" ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(argv, env));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
