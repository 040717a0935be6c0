package dev.evaluator.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server with a small heap (256 MiB) under allocation bombs whose budgets together are many times that heap, and
 * a library that keeps what it allocates between calls: the heap-pressure watchdog and the retained-memory bound
 * keep {@code OutOfMemoryError} away from the web server's threads. The server stays up, every bomb ends as a
 * memory error (never a 500 or a stack overflow), and another namespace's calls all succeed meanwhile.
 */
class HeapExhaustionIT {
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            (TestServer.ADMIN + ":" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final String LIBS = TestServer.LIBRARIES;
    private static final int BOMBERS = 8;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", AUTH).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bombsAndRetainedGrowth_smallHeap_serverStaysUp_otherNamespaceServed_memoryErrorsOnly() throws Exception {
        // Each call may hold 192 MiB: eight at once could want 1.5 GiB of a 256 MiB heap.
        try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"),
                Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD), "--port", "0", "--data-dir",
                dir.resolve("data").toString(), "--call-memory-mib", "192", "--max-js-workers", "8");
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = server.awaitListening();
            assertEquals(200, post(port, LIBS + "/attack?bucket=a&scope=s", """
                    function bomb() { var keep = []; for (;;) { keep.push(new Array(65536).fill(7)); } }
                    var kept = [];
                    function grow(mb) { kept.push(new Uint8Array(mb * 1048576).fill(1)); return kept.length; }
                    function slowBomb() {
                      var keep = [], end = Date.now() + 1500;
                      while (Date.now() < end) { keep.push(new Array(4096).fill(7)); }
                      return keep.length;
                    }
                    """).statusCode());
            assertEquals(200, post(port, LIBS + "/science?bucket=b&scope=s",
                    "function f2c(f) { return (5/9)*(f-32); }").statusCode());

            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Map<String, AtomicInteger> attackOutcomes = new ConcurrentHashMap<>();
            List<Future<?>> attackers = new ArrayList<>();
            String[] attacks = {"bomb", "grow", "slowBomb"};
            for (int i = 0; i < BOMBERS; i++) {
                String function = attacks[i % attacks.length];
                attackers.add(clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        HttpResponse<String> answer = post(port, LIBS + "/attack/functions/" + function
                                + "/invoke?bucket=a&scope=s", function.equals("grow") ? "{\"args\":[24]}" : "{}");
                        String code = answer.statusCode() == 200 ? "200"
                                : answer.statusCode() + " " + answer.body().replaceAll(
                                        ".*\"code\":\"([a-z_]+)\".*", "$1");
                        attackOutcomes.computeIfAbsent(function + " " + code, k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                }));
            }
            int served = 0;
            List<String> failures = new ArrayList<>();
            while (System.nanoTime() < end) {
                HttpResponse<String> answer = post(port, LIBS + "/science/functions/f2c/invoke?bucket=b&scope=s",
                        "{\"args\":[212]}");
                if (answer.statusCode() == 200 && answer.body().startsWith("{\"result\":100")) {
                    served++;
                } else {
                    failures.add(answer.statusCode() + " " + answer.body());
                }
                Thread.sleep(20);
            }
            for (Future<?> attacker : attackers) {
                attacker.get();
            }
            System.out.println("heap exhaustion: B served " + served + ", A outcomes " + attackOutcomes);

            assertEquals(List.of(), failures, "the other namespace's calls all succeed");
            assertTrue(served > 100, "the other namespace was served throughout: " + served);
            for (String outcome : attackOutcomes.keySet()) {
                // A bomb ends as a memory error; grow succeeds until its context is over its bound, then is
                // dropped with a memory error too; nothing ends as a 500, a stack overflow or a busy refusal.
                assertTrue(outcome.endsWith(" 200") || outcome.endsWith(" call_memory_limit"),
                        "every attack ends as a success or a memory error: " + attackOutcomes);
            }
            assertTrue(attackOutcomes.containsKey("bomb 422 call_memory_limit"), attackOutcomes.toString());
            assertTrue(attackOutcomes.containsKey("grow 422 call_memory_limit"), attackOutcomes.toString());
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode());
            assertFalse(server.stderr().contains("OutOfMemoryError"), "no OutOfMemoryError escaped: "
                    + server.stderr().lines().filter(l -> l.contains("OutOfMemoryError")).limit(5).toList());
            assertFalse(String.join("\n", server.stdoutLines()).contains("OutOfMemoryError"));
        }
    }
}
