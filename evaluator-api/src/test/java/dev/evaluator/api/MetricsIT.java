package dev.evaluator.api;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics}: every family present, values that move with the calls that should move them, route patterns
 * instead of raw paths, OpenMetrics on request, and who may read it.
 */
class MetricsIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVOKE_ROUTE = LIBS + "/{library}/functions/{function}/invoke";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void start() {
        server.admin().body("function ok(x) { return x; }\nfunction spin() { while (true) {} }")
                .post(LIBS + "/secretlib").then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded").body("password=pw-of-ro&roles=ro_admin")
                .put(UserService.PATH + "/local/ro").then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=pw-of-gmgr&roles=query_manage_global_external_functions")
                .put(UserService.PATH + "/local/gmgr").then().statusCode(200);
    }

    @Test
    void metrics_everyFamilyPresent() {
        String text = scrape(server.admin());

        for (String family : List.of("http_server_requests_seconds_bucket", "http_server_requests_active",
                "evaluator_store_operations_seconds_bucket", "evaluator_store_disk_bytes", "evaluator_store_sst_bytes",
                "evaluator_store_wal_bytes", "evaluator_store_memtable_bytes",
                "evaluator_store_compaction_pending_bytes", "evaluator_store_compaction_needed",
                "evaluator_store_compactions_running", "evaluator_store_background_errors",
                "evaluator_store_keys_estimated", "evaluator_store_in_sync", "evaluator_js_open", "evaluator_js_workers",
                "evaluator_js_calls_running", "evaluator_js_calls_queued", "evaluator_js_queue_capacity",
                "evaluator_js_timeouts_total", "evaluator_js_memory_limit_stops_total",
                "evaluator_js_busy_rejections_total", "evaluator_js_library_cache_hits_total",
                "evaluator_js_library_cache_misses_total", "evaluator_function_stats_untracked_calls_total",
                "evaluator_js_workers_max", "evaluator_js_contexts", "evaluator_js_retained_bytes",
                "evaluator_js_namespaces_running", "evaluator_js_namespaces_queued",
                "evaluator_js_cancellations_total{cause=\"killed\"}",
                "evaluator_js_cancellations_total{cause=\"client_gone\"}",
                "jvm_memory_used_bytes", "jvm_gc_collections_seconds_count{", "jvm_gc_live_data_size_bytes ",
                "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_uptime_seconds", "process_cpu_usage", "system_cpu_count")) {
            assertTrue(text.contains("\n" + family), family + " missing");
        }
        assertTrue(value(text, "evaluator_store_disk_bytes") > 0);
        assertEquals(1, value(text, "evaluator_js_open"));
    }

    @Test
    void metrics_afterCalls_countersMove() {
        String before = scrape(server.admin());
        for (int i = 0; i < 5; i++) {
            invoke("ok", "{\"args\":[" + i + "]}").then().statusCode(200);
        }
        FunctionsIT.query(server.admin(), "CREATE OR REPLACE FUNCTION spinner() LANGUAGE JAVASCRIPT AS \"spin\" AT"
                + " \"secretlib\"", null).then().statusCode(200);
        server.admin().contentType("application/x-www-form-urlencoded")
                .formParam("statement", "EXECUTE FUNCTION spinner()").formParam("timeout", "100ms")
                .post(QueryService.PATH).then().statusCode(504);
        server.anonymous().get(LIBS).then().statusCode(401);
        for (int i = 0; i < 2; i++) {
            server.admin().body("function v() { return " + i + "; }").post(LIBS + "/counted").then().statusCode(200);
        }

        String after = scrape(server.admin());

        String invoked = "http_server_requests_seconds_count{method=\"POST\",route=\"" + INVOKE_ROUTE
                + "\",status=\"200\"}";
        assertEquals(5, value(after, invoked) - value(before, invoked), invoked);
        String refused = "http_server_requests_seconds_count{method=\"GET\",route=\"" + LIBS + "\",status=\"401\"}";
        assertTrue(value(after, refused) - value(before, refused) >= 1, refused);
        assertEquals(1, value(after, "evaluator_js_timeouts_total") - value(before, "evaluator_js_timeouts_total"));
        String timedOut = "evaluator_js_cancellations_total{cause=\"timeout\"}";
        assertEquals(1, value(after, timedOut) - value(before, timedOut), timedOut);
        assertTrue(value(after, "evaluator_js_library_cache_hits_total")
                > value(before, "evaluator_js_library_cache_hits_total"));
        // Reads of a library just read come from the store's cache; writes always reach RocksDB: the CREATE FUNCTION
        // and the two library writes, each one transaction with the guard's check.
        String writes = "evaluator_store_operations_seconds_count{operation=\"transaction\",outcome=\"success\"}";
        assertEquals(3, value(after, writes) - value(before, writes), writes);
        String fast = "http_server_requests_seconds_bucket{method=\"POST\",route=\"" + INVOKE_ROUTE
                + "\",status=\"200\",le=\"60.0\"}";
        assertEquals(value(after, invoked), value(after, fast), "every call is in the last finite bucket");
    }

    /** Each node reports its own figures: every series names the node, so several nodes' scrapes never mix. */
    @Test
    void metrics_everySeriesLabelledWithTheNode() {
        String text = server.admin().get(MetricsService.PATH).then().statusCode(200).extract().asString();
        List<String> samples = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertTrue(samples.size() > 50, "a full scrape");
        for (String sample : samples) {
            assertTrue(sample.contains("node=\"" + TestServer.NODE + "\""), sample);
        }
    }

    @Test
    void metrics_routePatternsNeverRawPaths() {
        server.admin().get(LIBS + "/secretlib").then().statusCode(200);
        server.admin().get("/no/such/path").then().statusCode(404);

        String text = scrape(server.admin());

        assertFalse(text.contains("secretlib"), "library names stay out of labels");
        assertTrue(text.contains("route=\"" + LIBS + "/{library}\""));
        assertTrue(text.contains("route=\"unmatched\""));
        assertFalse(text.contains("/no/such/path"));
    }

    @Test
    void metrics_openMetricsWhenAsked() {
        Response response = server.admin().accept("application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
                .get(MetricsService.PATH);

        response.then().statusCode(200).contentType(startsWith("application/openmetrics-text"));
        assertTrue(response.asString().strip().endsWith("# EOF"));
        server.admin().get(MetricsService.PATH).then().contentType(startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void metrics_adminAndReadOnlyAdminOnly() {
        server.anonymous().get(MetricsService.PATH).then().statusCode(401);
        as("ro").get(MetricsService.PATH).then().statusCode(200);
        as("gmgr").get(MetricsService.PATH).then().statusCode(403);
    }

    @Test
    void metrics_publicWhenConfigured(@TempDir Path otherDir) {
        try (TestServer open = TestServer.start(otherDir,
                new ServerSettings.Operations(ServerSettings.Operations.DEFAULT.shutdownGrace(), true, false,
                        ServerSettings.LogFormat.TEXT))) {
            open.anonymous().get(MetricsService.PATH).then().statusCode(200);
            open.anonymous().get(LIBS).then().statusCode(401);
        }
    }

    private static Response invoke(String function, String body) {
        return server.admin().contentType("application/json").body(body)
                .post(LIBS + "/secretlib/functions/" + function + "/invoke");
    }

    private static String scrape(RequestSpecification as) {
        return "\n" + TestServer.withoutNodeLabel(as.get(MetricsService.PATH).then().statusCode(200).extract()
                .asString());
    }

    private static RequestSpecification as(String user) {
        return server.anonymous().auth().preemptive().basic(user, "pw-of-" + user);
    }

    /** The value of a series, 0 when absent (a counter not yet created). */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("\n" + Pattern.quote(series) + "(?:\\{[^}]*})? (\\S+)").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
