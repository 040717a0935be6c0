package dev.evaluator.api;

import java.io.IOException;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM against the packaged server as a process: it stops taking connections, lets requests in flight finish
 * within the grace period, flushes and closes the store, and the store reopens without replaying its log.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShutdownIT {
    private static final Map<String, String> ADMIN_ENV = Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);
    private static final String AUTHORIZATION = "Basic " + Base64.getEncoder().encodeToString(
            (TestServer.ADMIN + ":" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8));
    /** Busy for the given milliseconds, then answers. */
    private static final String SLOW = "function slow(ms) { const end = Date.now() + ms; while (Date.now() < end) {}"
            + " return 'done'; }";
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void sigterm_underLoad_finishesInFlightKeepsEveryAcknowledgedWriteAndReopensWithoutReplay() throws Exception {
        Path data = dir.resolve("data");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        HttpResponse<String> slowCall;
        List<String> output;
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString(),
                "--shutdown-grace-seconds", "20");
             ExecutorService clients = Executors.newFixedThreadPool(WRITERS + 1)) {
            int port = server.awaitListening();
            assertEquals(200, send(port, "POST", TestServer.LIBRARIES + "/slowlib", SLOW).statusCode());

            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(clients.submit(() -> write(port, writer, acknowledged)));
            }
            awaitAtLeast(acknowledged, 40);
            Future<HttpResponse<String>> slow = clients.submit(() -> send(port, "POST",
                    TestServer.LIBRARIES + "/slowlib/functions/slow/invoke", "{\"args\":[2000]}"));
            // Let the slow call start running before the signal.
            Thread.sleep(500);
            int acknowledgedBeforeSignal = acknowledged.size();

            int exit = server.terminate();

            slowCall = slow.get(60, TimeUnit.SECONDS);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            assertEquals(143, exit, "128 + SIGTERM: " + server.stderr());
            assertTrue(acknowledged.size() >= acknowledgedBeforeSignal);
            output = server.stdoutToTheEnd();
            assertFalse(server.stderr().contains("Exception"), server.stderr());
        }
        assertEquals(200, slowCall.statusCode(), "the call in flight finished: " + slowCall.body());
        assertTrue(slowCall.body().contains("\"result\":\"done\""), slowCall.body());
        assertTrue(output.stream().anyMatch(line -> line.startsWith("Evaluator shutting down:")), output.toString());
        assertTrue(output.stream().anyMatch(line -> line.startsWith("Evaluator stopped in ")
                && line.endsWith("store flushed and closed cleanly")), output.toString());
        int signal = indexOf(output, "Evaluator shutting down:");
        int slowLine = indexOf(output, "method=POST path=" + TestServer.LIBRARIES + "/slowlib/functions/slow/invoke"
                + " status=200");
        assertTrue(signal < slowLine, "the call that finished during the shutdown is in the access log: " + output);

        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            for (String name : acknowledged) {
                HttpResponse<String> read = send(port, "GET", TestServer.LIBRARIES + "/" + name, null);
                assertEquals(200, read.statusCode(), name + " was acknowledged: " + read.body());
                assertTrue(read.body().contains(code(name)), read.body());
            }
            assertEquals(143, server.terminate());
            assertFalse(server.stderr().contains("was not closed cleanly"), server.stderr());
        }
    }

    @Test
    void sigterm_callLongerThanTheGrace_cutOffAndTheStoreStillClosesCleanly() throws Exception {
        Path data = dir.resolve("data");
        HttpResponse<String> cut = null;
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString(),
                "--shutdown-grace-seconds", "1");
             ExecutorService clients = Executors.newSingleThreadExecutor()) {
            int port = server.awaitListening();
            assertEquals(200, send(port, "POST", TestServer.LIBRARIES + "/slowlib", SLOW).statusCode());
            Future<HttpResponse<String>> slow = clients.submit(() -> send(port, "POST",
                    TestServer.LIBRARIES + "/slowlib/functions/slow/invoke", "{\"args\":[30000]}"));
            Thread.sleep(500);

            assertEquals(143, server.terminate(), server.stderr());

            try {
                cut = slow.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IOException, e.toString());
            }
            assertTrue(server.stdoutToTheEnd().stream().anyMatch(line -> line.endsWith("closed cleanly")));
            assertTrue(server.stderr().contains("WARNING: 1 request(s) still running after the 1 s grace period were"
                    + " cut off"), server.stderr());
        }
        if (cut != null) {
            assertNotEquals(200, cut.statusCode(), cut.body());
        }
        try (ServerProcess server = ServerProcess.start(ADMIN_ENV, "--port", "0", "--data-dir", data.toString())) {
            int port = server.awaitListening();
            assertEquals(200, send(port, "GET", TestServer.LIBRARIES + "/slowlib", null).statusCode());
            assertEquals(143, server.terminate());
            assertFalse(server.stderr().contains("was not closed cleanly"), server.stderr());
        }
    }

    /** Write libraries until the server stops answering; remember those it acknowledged. */
    private void write(int port, int writer, Set<String> acknowledged) {
        AtomicInteger next = new AtomicInteger();
        while (true) {
            String name = "w" + writer + "_" + next.getAndIncrement();
            try {
                if (send(port, "POST", TestServer.LIBRARIES + "/" + name, code(name)).statusCode() == 200) {
                    acknowledged.add(name);
                }
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String code(String name) {
        return "function " + name + "() { return '" + name + "'; }";
    }

    private HttpResponse<String> send(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", AUTHORIZATION);
        if (body != null) {
            request.header("Content-Type", path.endsWith("/invoke") ? "application/json" : "application/javascript");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static void awaitAtLeast(Set<String> acknowledged, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < count) {
            assertTrue(System.nanoTime() < deadline, "only " + acknowledged.size() + " writes acknowledged");
            Thread.sleep(10);
        }
    }
}
