package dev.evaluator.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients writing the same and different libraries at once, while others read: every write is acknowledged,
 * nothing is corrupted, and the final state of each library is one of the writes (the last one for a library that
 * only one client writes). The state survives a restart.
 */
class ConcurrencyIT {
    private static final int THREADS = 16;
    private static final int WRITES = 25;

    @TempDir
    Path dataDir;

    @Test
    void concurrentPosts_sameAndDifferentLibraries_finalStateIsOneOfTheWrites() throws Exception {
        Set<String> sharedWrites = ConcurrentHashMap.newKeySet();
        List<String> lastOwnWrite = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            lastOwnWrite.add(null);
        }
        AtomicInteger failures = new AtomicInteger();
        try (TestServer server = TestServer.start(dataDir);
             HttpClient client = HttpClient.newHttpClient();
             ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1)) {
            String base = "http://127.0.0.1:" + server.port() + TestServer.LIBRARIES;
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < WRITES; i++) {
                        String shared = "function shared() { return 'thread " + thread + " write " + i + "'; }";
                        String own = ("function own() { return " + (thread * 1000 + i) + "; }\n").repeat(1 + i % 7);
                        if (post(client, base + "/shared", shared) == 200) {
                            sharedWrites.add(shared);
                        } else {
                            failures.incrementAndGet();
                        }
                        String path = i % 2 == 0 ? "/own" + thread : "/own" + thread + "?bucket=b&scope=s" + thread;
                        if (post(client, base + path, own) != 200) {
                            failures.incrementAndGet();
                        }
                        if (i % 2 == 0) {
                            synchronized (lastOwnWrite) {
                                lastOwnWrite.set(thread, own);
                            }
                        }
                    }
                    return null;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                go.await();
                while (writing.get()) {
                    HttpResponse<String> list = client.send(request(base).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, list.statusCode(), list.body());
                    reads++;
                }
                return reads;
            });
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get();
            }
            writing.set(false);
            assertTrue(reader.get() > 0);
            assertEquals(0, failures.get(), "every concurrent write is acknowledged");

            String shared = server.admin().get(TestServer.LIBRARIES + "/shared").jsonPath().getString("shared");
            assertTrue(sharedWrites.contains(shared), "final code is one of the writes: " + shared);
            for (int t = 0; t < THREADS; t++) {
                assertEquals(lastOwnWrite.get(t),
                        server.admin().get(TestServer.LIBRARIES + "/own" + t).jsonPath().getString("own" + t));
            }
            assertEquals(1 + THREADS * 2, server.admin().get(TestServer.LIBRARIES).jsonPath().getList("$").size());
        }
        try (TestServer reopened = TestServer.start(dataDir)) {
            assertEquals(1 + THREADS * 2,
                    reopened.admin().get(TestServer.LIBRARIES).jsonPath().getList("$").size());
            assertTrue(sharedWrites.contains(
                    reopened.admin().get(TestServer.LIBRARIES + "/shared").jsonPath().getString("shared")));
        }
    }

    @Test
    void restart_sameDataDir_librariesAreThere() {
        try (TestServer server = TestServer.start(dataDir)) {
            server.admin().body("function g() { return 1; }").post(TestServer.LIBRARIES + "/kept")
                    .then().statusCode(200);
            server.admin().body("function s() { return 2; }")
                    .post(TestServer.LIBRARIES + "/kept?bucket=travel-sample&scope=inventory").then().statusCode(200);
            server.admin().body("function d() {}").post(TestServer.LIBRARIES + "/dropped").then().statusCode(200);
            FunctionsIT.query(server.admin(), "CREATE FUNCTION keptfn() LANGUAGE JAVASCRIPT AS \"g\" AT \"kept\"",
                    null).then().statusCode(200);
            server.admin().delete(TestServer.LIBRARIES + "/dropped").then().statusCode(200);
        }
        try (TestServer server = TestServer.start(dataDir)) {
            assertEquals("function g() { return 1; }",
                    server.admin().get(TestServer.LIBRARIES + "/kept").jsonPath().getString("kept"));
            assertEquals("function s() { return 2; }",
                    server.admin().get(TestServer.LIBRARIES + "/kept?bucket=travel-sample&scope=inventory")
                            .jsonPath().getString("kept"));
            server.admin().get(TestServer.LIBRARIES + "/dropped").then().statusCode(404);
            // Function definitions and their index survive too: the guard still holds after the restart.
            FunctionsIT.query(server.admin(), "SELECT RAW identity.name FROM system:functions", null).then()
                    .body("results", org.hamcrest.Matchers.equalTo(List.of("keptfn")));
            server.admin().delete(TestServer.LIBRARIES + "/kept").then().statusCode(409);
        }
    }

    private static int post(HttpClient client, String url, String code) throws Exception {
        HttpRequest request = request(url).POST(HttpRequest.BodyPublishers.ofString(code)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest.Builder request(String url) {
        String credentials = TestServer.ADMIN + ":" + TestServer.PASSWORD;
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
}
