package dev.evaluator.api;

import dev.evaluator.runtime.RuntimeSettings;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import io.restassured.response.Response;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls whose HTTP client went away are stopped, on both entry points, and a queued one never starts; a client that
 * stays gets its answer however long the call takes. Two slots that cannot grow, so one abandoned runaway call
 * would hold half the server.
 */
class ClientGoneIT {
    private static final String LIBS = TestServer.LIBRARIES;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(dir -> TestServer.start(dir, 1024 * 1024, false,
            new RuntimeSettings(2, 16, 8).withMaxWorkers(2)));

    @BeforeAll
    static void libraries() {
        server.admin().body("""
                function spin() { while (true) {} }
                function busy(ms) { var end = Date.now() + ms; while (Date.now() < end) {} return ms; }
                """).post(LIBS + "/loops").then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION spinq() LANGUAGE JAVASCRIPT AS \"spin\" AT \"loops\"",
                null).then().statusCode(200);
    }

    /** A request sent on a socket of its own, which the test closes without reading the answer. */
    private static Socket send(String method, String path, String contentType, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String auth = Base64.getEncoder().encodeToString((TestServer.ADMIN + ":" + TestServer.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        OutputStream out = socket.getOutputStream();
        out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + auth
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + content.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        return socket;
    }

    private static List<Map<String, Object>> calls() {
        return server.admin().get(CallsService.PATH).then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static long count(Predicate<Map<String, Object>> which) {
        return calls().stream().filter(which).count();
    }

    /** Wait until as many listed calls match, for at most 10 s; the number there is then. */
    private static long awaitCount(Predicate<Map<String, Object>> which, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long now = count(which);
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = count(which);
        }
        return now;
    }

    private static double clientGoneCancellations() {
        String metrics = server.metrics();
        return metrics.lines().filter(l -> l.startsWith("evaluator_js_cancellations_total{")
                        && l.contains("cause=\"client_gone\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The metrics once they contain the line, or after 10 s as they are then. */
    private static String awaitMetrics(String line) throws InterruptedException {
        return awaitMetrics(metrics -> metrics.contains(line));
    }

    /** The scrape once it satisfies the condition, or the last one after 10 s. */
    private static String awaitMetrics(Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String metrics = server.metrics();
        while (!condition.test(metrics) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            metrics = server.metrics();
        }
        return metrics;
    }

    private static Predicate<Map<String, Object>> function(String name) {
        return c -> name.equals(c.get("function"));
    }

    @Test
    void invoke_clientDisconnects_callStoppedAndWorkerFreed() throws Exception {
        double before = clientGoneCancellations();
        Socket client = send("POST", LIBS + "/loops/functions/spin/invoke?timeout=60s", "application/json", "{}");
        assertEquals(1, awaitCount(function("spin"), 1), "the call runs");
        client.close();
        long closed = System.nanoTime();
        assertEquals(0, awaitCount(function("spin"), 0), "the call of the client that went away is stopped");
        System.out.printf("invoke: stopped %d ms after its client closed%n", (System.nanoTime() - closed) / 1_000_000);
        assertEquals(before + 1, clientGoneCancellations(), "counted as a cancellation for client_gone");
    }

    @Test
    void query_clientDisconnects_callStopped() throws Exception {
        double before = clientGoneCancellations();
        Socket client = send("POST", "/query/service", "application/json",
                "{\"statement\": \"EXECUTE FUNCTION spinq()\", \"timeout\": \"60s\"}");
        assertEquals(1, awaitCount(function("spin"), 1), "the call runs");
        client.close();
        assertEquals(0, awaitCount(function("spin"), 0), "the call of the client that went away is stopped");
        assertEquals(before + 1, clientGoneCancellations());
    }

    @Test
    void queuedCall_clientGone_neverStarts() throws Exception {
        // Both slots held by runaway calls whose clients stay.
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Response>> holders = List.of(1, 2).stream().map(i -> clients.submit(
                () -> server.admin().contentType("application/json").body("{\"args\": [600000]}")
                        .post(LIBS + "/loops/functions/busy/invoke?timeout=20s"))).toList();
        assertEquals(2, awaitCount(c -> "busy".equals(c.get("function")) && "running".equals(c.get("state")), 2));
        double before = clientGoneCancellations();
        Socket client = send("POST", LIBS + "/loops/functions/spin/invoke?timeout=60s", "application/json", "{}");
        assertEquals(1, awaitCount(c -> "spin".equals(c.get("function")) && "queued".equals(c.get("state")), 1),
                "the third call waits");
        // The runtime's figures are read for the metrics at most every 100 ms: wait for a reading after the queueing.
        String metrics = awaitMetrics("evaluator_js_namespace_queued{namespace=\"global\"} 1.0");
        assertTrue(metrics.contains("evaluator_js_namespace_slots{namespace=\"global\"} 2.0"), "slots by namespace");
        assertTrue(metrics.contains("evaluator_js_namespace_queued{namespace=\"global\"} 1.0"), "queue by namespace");
        client.close();
        assertEquals(0, awaitCount(function("spin"), 0), "the queued call of a gone client is dropped");
        assertEquals(before + 1, clientGoneCancellations());
        assertEquals(2, count(c -> "busy".equals(c.get("function"))), "the calls whose clients stay go on");
        for (Map<String, Object> call : calls()) {
            server.admin().delete(CallsService.PATH + "/" + call.get("id")).then().statusCode(200);
        }
        for (Future<Response> holder : holders) {
            assertEquals(422, holder.get().statusCode(), "stopped by the operator");
        }
        clients.close();
        // A slot is given back just after its call's answer, and the figures are read at most every 100 ms.
        String after = awaitMetrics(scrape -> !scrape.contains("evaluator_js_namespace_slots{"));
        assertFalse(after.contains("evaluator_js_namespace_slots{"), "a namespace holding nothing is not listed");
        assertFalse(after.contains("evaluator_js_namespace_queued{"));
    }

    @Test
    void clientThatStays_longCallAnswered() {
        // Several presence checks, each finding the client there: no false alarm, on a connection kept alive.
        double before = clientGoneCancellations();
        for (int i = 0; i < 2; i++) {
            server.admin().contentType("application/json").body("{\"args\": [1200]}")
                    .post(LIBS + "/loops/functions/busy/invoke").then().statusCode(200);
        }
        Response query = FunctionsIT.query(server.admin(), "SELECT RAW 1", null);
        assertEquals(200, query.statusCode());
        assertEquals(before, clientGoneCancellations(), "nobody was taken for gone");
        assertTrue(calls().isEmpty());
    }
}
