package dev.evaluator.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library's top-level code runs under the limits of the call that loads it: time, memory and stack. On one worker
 * that cannot grow, so a top level holding the worker past its limit would hold up the next call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GraalJsRuntimeLoadLimitsTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));
    private static final LibrarySource OTHER = new LibrarySource("load/other", "other", "function ok() { return 1; }");

    @Test
    void call_topLevelLoopsForever_firstCallTimesOutAndTheWorkerIsFreeAtTheLimit() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8).withMaxWorkers(1));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource loop = new LibrarySource("load/loop", "loop", "while (true) {}\nfunction f() { return 1; }");
            CallLimits limits = LIMITS.withTimeout(Duration.ofMillis(500));
            virtual.submit(() -> runtime.call(OTHER, "ok", "[]", LIMITS)).get();

            long started = System.nanoTime();
            Future<JsExecutionException> looping = virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(loop, "f", "[]", limits, new Caller("a", "u", "invoke"))));
            Future<CallResult> next = virtual.submit(() -> runtime.call(OTHER, "ok", "[]", LIMITS,
                    new Caller("b", "u", "invoke")));
            JsExecutionException e = looping.get();
            assertEquals(Optional.of("1"), next.get().json());
            Duration both = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.getMessage().contains("500 ms"), e.getMessage());
            // Generous: 500 ms of loop, then the next call; a top level outside the watchdog would hang here.
            assertTrue(both.compareTo(Duration.ofSeconds(5)) < 0, both.toString());
            // Not kept: the next call loads it again, under its limit again.
            assertEquals(Kind.TIMEOUT, virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(loop, "f", "[]", limits))).get().kind());
            assertEquals(2, runtime.stats().cancellations().get(CancelCause.TIMEOUT));
        }
    }

    @Test
    void call_topLevelAllocationBomb_memoryLimit() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource bomb = new LibrarySource("load/bomb", "bomb",
                    "var keep = [];\nwhile (true) keep.push(new Array(1000).fill(1));\nfunction f() { return 1; }");
            CallLimits budget = new CallLimits(Duration.ofSeconds(60), 64L << 20, 1 << 20, 10, 100);

            JsExecutionException e = virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(bomb, "f", "[]", budget))).get();

            assertEquals(Kind.MEMORY_LIMIT, e.kind(), e.getMessage());
            assertEquals(Optional.of("1"), virtual.submit(() -> runtime.call(OTHER, "ok", "[]", LIMITS)).get().json());
        }
    }

    @Test
    void call_topLevelRunawayRecursion_stackOverflowNamingTheLoad() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource deep = new LibrarySource("load/deep", "deep",
                    "(function down(n) { return down(n + 1) + 1; })(0);\nfunction f() { return 1; }");

            JsExecutionException e = virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(deep, "f", "[]", LIMITS))).get();

            assertEquals(Kind.STACK_OVERFLOW, e.kind());
            assertTrue(e.getMessage().startsWith("loading library deep recursed too deeply"), e.getMessage());
        }
    }
}
