package dev.evaluator.runtime;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JsRuntime#stats()} after a known sequence of calls, on one worker so every call meets the same cache.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GraalJsRuntimeStatsTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));
    private static final String CODE = "function ok() { return 1; }\n"
            + "function spin() { while (true) {} }\n"
            + "function bomb() { let a = []; while (true) a.push(new Array(1000).fill(1)); }";

    @Test
    void stats_afterHitsMissesTimeoutMemoryStopAndBusy_countEach() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 1, 8));
             // Virtual threads, like the web server's handlers: their calls always go through the queue.
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource v1 = new LibrarySource("stats/lib", "lib", CODE);
            LibrarySource v2 = new LibrarySource("stats/lib", "lib", CODE + "\nfunction more() { return 2; }");
            RuntimeStats fresh = runtime.stats();
            Map<CancelCause, Long> none = new EnumMap<>(CancelCause.class);
            for (CancelCause cause : CancelCause.values()) {
                none.put(cause, 0L);
            }
            assertEquals(new RuntimeStats(true, 1, 0, 0, 1, 0, 0, 0, 0, 0, runtime.stats().maxWorkers(), Map.of(),
                    Map.of(), none, 0, 0), fresh);

            runtime.call(v1, "ok", "[]", LIMITS);
            runtime.call(v1, "ok", "[]", LIMITS);
            runtime.call(v2, "ok", "[]", LIMITS);
            assertEquals(Kind.TIMEOUT, assertThrows(JsExecutionException.class,
                    () -> runtime.call(v2, "spin", "[]", LIMITS.withTimeout(Duration.ofMillis(200)))).kind());
            CallLimits budget = new CallLimits(Duration.ofSeconds(60), 64L << 20, 1 << 20, 10, 100);
            assertEquals(Kind.MEMORY_LIMIT, assertThrows(JsExecutionException.class,
                    () -> runtime.call(v2, "bomb", "[]", budget)).kind());

            RuntimeStats counted = runtime.stats();
            // Hits: v1's second call, and spin. Misses: v1's first call, v2 (new code), bomb (the timeout dropped the
            // stopped context).
            assertEquals(2, counted.libraryCacheHits(), counted.toString());
            assertEquals(3, counted.libraryCacheMisses(), counted.toString());
            assertEquals(1, counted.timeouts(), counted.toString());
            assertEquals(1, counted.memoryLimitStops(), counted.toString());
            assertEquals(0, counted.busyRejections(), counted.toString());

            CallLimits twoSeconds = LIMITS.withTimeout(Duration.ofSeconds(2));
            Future<?> running = callers.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(v2, "spin", "[]", twoSeconds)));
            awaitLoad(runtime, 1, 0);
            Future<?> waiting = callers.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(v2, "spin", "[]", twoSeconds)));
            awaitLoad(runtime, 1, 1);
            Future<JsExecutionException> refused = callers.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(v2, "ok", "[]", LIMITS)));
            assertEquals(Kind.BUSY, refused.get().kind());
            running.get();
            waiting.get();

            RuntimeStats after = runtime.stats();
            assertEquals(1, after.busyRejections(), after.toString());
            assertEquals(3, after.timeouts(), after.toString());
            assertEquals(0, after.queued(), after.toString());
        }
    }

    @Test
    void stats_afterClose_notOpen() {
        JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 1, 8));
        assertTrue(runtime.stats().open());

        runtime.close();

        assertFalse(runtime.stats().open());
    }

    private static void awaitLoad(JsRuntime runtime, int running, int queued) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runtime.stats().running() != running || runtime.stats().queued() != queued) {
            assertTrue(System.nanoTime() < deadline, "not " + running + " running and " + queued + " queued in time: "
                    + runtime.stats());
            Thread.sleep(5);
        }
    }
}
