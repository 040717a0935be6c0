package dev.evaluator.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.evaluator.runtime.CallResult.LogLine;
import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits of {@link JsRuntime#call}: each ends the call with its own kind, and the runtime keeps serving.
 * Durations are checked only loosely (a stopped call ends well within three times its limit); speed is measured
 * by {@code CallBenchmark}, not asserted.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GraalJsRuntimeCallLimitsTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));
    private static final String LOOP = "function spin() { while (true) {} }\nfunction ok() { return 'ok'; }";
    private static final String BOMB = "function bomb() { let a = []; while (true) a.push(new Array(1000).fill(1)); }\n"
            + "function ok() { return 'ok'; }";

    private static JsRuntime runtime;

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    private static LibrarySource library(String key, String code) {
        return new LibrarySource(key, "lib", code);
    }

    @Test
    void call_infiniteLoop_timeoutNamingTheLimitAndTheLibraryStillWorks() {
        LibrarySource loop = library("limits/loop", LOOP);
        CallLimits limits = LIMITS.withTimeout(Duration.ofMillis(500));

        long started = System.nanoTime();
        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(loop, "spin", "[]", limits));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("500 ms"), e.getMessage());
        // Generous: the call includes loading the library, and CI machines are shared. A watchdog that never fired
        // would hang here; one ten times late fails.
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, took.toString());
        assertEquals(Optional.of("\"ok\""), runtime.call(loop, "ok", "[]", LIMITS).json());
    }

    @Test
    void call_infiniteLoopAtTopLevel_timeout() {
        LibrarySource loop = library("limits/top-loop", "while (true) {}\nfunction f() { return 1; }");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(loop, "f", "[]", LIMITS.withTimeout(Duration.ofMillis(300))));

        assertEquals(Kind.TIMEOUT, e.kind());
    }

    @Test
    void call_timeoutAfterLogging_linesKept() {
        LibrarySource loop = library("limits/log-loop", "function f() { console.log('before'); while (true) {} }");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(loop, "f", "[]", LIMITS.withTimeout(Duration.ofMillis(300))));

        assertEquals(Kind.TIMEOUT, e.kind());
        assertEquals(List.of(new LogLine("log", "before")), e.logs());
    }

    @Test
    void call_stoppedContext_droppedSoStateStartsAfresh() {
        try (JsRuntime single = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            LibrarySource counter = library("limits/counter",
                    "let calls = 0;\nfunction next() { return ++calls; }\nfunction spin() { calls++; while (true) {} }");
            single.call(counter, "next", "[]", LIMITS);
            assertThrows(JsExecutionException.class,
                    () -> single.call(counter, "spin", "[]", LIMITS.withTimeout(Duration.ofMillis(200))));

            assertEquals(Optional.of("1"), single.call(counter, "next", "[]", LIMITS).json());
        }
    }

    @Test
    void call_memoryBomb_memoryLimitNamingTheBudget() {
        CallLimits limits = new CallLimits(Duration.ofSeconds(60), 64L << 20, 1 << 20, 10, 100);

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(library("limits/bomb", BOMB), "bomb", "[]", limits));

        assertEquals(Kind.MEMORY_LIMIT, e.kind());
        assertTrue(e.getMessage().contains("allocated more than 64 MiB"), e.getMessage());
    }

    @Test
    void call_twentyParallelMemoryBombs_allStoppedAndANormalCallMeanwhileSucceeds() throws Exception {
        CallLimits limits = new CallLimits(Duration.ofSeconds(60), 64L << 20, 1 << 20, 10, 100);
        LibrarySource bomb = library("limits/bombs", BOMB);
        int bombs = 20;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService callers = Executors.newFixedThreadPool(bombs)) {
            List<Future<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < bombs; i++) {
                outcomes.add(callers.submit(() -> {
                    start.await();
                    try {
                        runtime.call(bomb, "bomb", "[]", limits);
                        return null;
                    } catch (JsExecutionException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
            CallResult normal = runtime.call(library("limits/normal", "function add(a, b) { return a + b; }"), "add",
                    "[1, 2]", LIMITS);

            assertEquals(Optional.of("3"), normal.json());
            for (Future<Throwable> outcome : outcomes) {
                JsExecutionException e = assertInstanceOf(JsExecutionException.class, outcome.get());
                assertEquals(Kind.MEMORY_LIMIT, e.kind(), e.getMessage());
            }
        }
        assertEquals(Optional.of("\"ok\""), runtime.call(bomb, "ok", "[]", LIMITS).json());
    }

    /**
     * Overflowing the 16 MB stack usually takes well under a second. When the JIT compiles the function during the
     * descent, unwinding through thousands of fresh compiled frames can take tens of seconds (seen: 10 to 43 s on
     * two cores), so the limit here is generous: this pins the outcome, not the speed.
     */
    @Test
    void call_deepRecursion_stackOverflowAndTheWorkerStaysUsable() {
        CallLimits patient = LIMITS.withTimeout(Duration.ofSeconds(120));
        try (JsRuntime single = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            LibrarySource deep = library("limits/deep",
                    "function down(n) {\n  return down(n + 1) + 1;\n}\nfunction ok() { return 'ok'; }");

            for (int i = 0; i < 2; i++) {
                JsExecutionException e = assertThrows(JsExecutionException.class,
                        () -> single.call(deep, "down", "[0]", patient));

                assertEquals(Kind.STACK_OVERFLOW, e.kind());
                // Where the stack ran out: on entering down (line 1) or at its call (line 2).
                assertTrue(e.location().orElseThrow().matches("lib\\.js:[12]"), e.location().orElseThrow());
                assertTrue(e.stack().orElseThrow().contains("at down (lib.js:2:"), e.stack().orElseThrow());
                assertEquals(Optional.of("\"ok\""), single.call(deep, "ok", "[]", LIMITS).json());
            }
        }
    }

    @Test
    void call_deepRecursionAtTopLevel_stackOverflow() {
        LibrarySource deep = library("limits/deep-top", "(function down() { down(); })();\nfunction f() {}");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(deep, "f", "[]", LIMITS.withTimeout(Duration.ofSeconds(120))));

        assertEquals(Kind.STACK_OVERFLOW, e.kind());
    }

    @Test
    void call_deeplyNestedResult_unserializableNotACrash() {
        LibrarySource nested = library("limits/nested",
                "function f() { let o = {}; for (let i = 0; i < 1000000; i++) o = {o}; return o; }");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(nested, "f", "[]", LIMITS));

        assertEquals(Kind.UNSERIALIZABLE_RESULT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    }

    @Test
    void call_resultBeyondTheLimit_resultTooLarge() {
        CallLimits limits = new CallLimits(Duration.ofSeconds(30), 256L << 20, 1_000_000, 10, 100);

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(library("limits/huge", "function f() { return 'x'.repeat(2000000); }"), "f", "[]",
                        limits));

        assertEquals(Kind.RESULT_TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
    }

    @Test
    void call_resultBeyondTheLimitOnlyInUtf8_resultTooLarge() {
        CallLimits limits = new CallLimits(Duration.ofSeconds(30), 256L << 20, 1_000_000, 10, 100);
        LibrarySource euros = library("limits/euros", "function f(n) { return '€'.repeat(n); }");

        // 333,332 euro signs of three bytes each and two quotes: 999,998 bytes.
        assertEquals(333_334, runtime.call(euros, "f", "[333332]", limits).json().orElseThrow().length());
        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(euros, "f", "[333333]", limits));

        assertEquals(Kind.RESULT_TOO_LARGE, e.kind());
    }

    @Test
    void call_queueFull_busyAtOnce() throws Exception {
        // Virtual threads, like the web server's handlers: their calls always go through the queue.
        try (JsRuntime small = JsRuntime.create(new RuntimeSettings(1, 1, 8));
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            GraalJsRuntime runtime = (GraalJsRuntime) small;
            LibrarySource loop = library("limits/busy", LOOP);
            CallLimits limits = LIMITS.withTimeout(Duration.ofSeconds(2));
            // The first call goes straight to the new worker, the second waits in the queue.
            Future<?> running = callers.submit(() -> assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "spin", "[]", limits)));
            awaitWaiting(runtime, 0);
            Future<?> waiting = callers.submit(() -> assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "spin", "[]", limits)));
            awaitWaiting(runtime, 1);

            long started = System.nanoTime();
            JsExecutionException e = assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "ok", "[]", LIMITS));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(Kind.BUSY, e.kind());
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, took.toString());
            running.get();
            waiting.get();
            assertEquals(Optional.of("\"ok\""), small.call(loop, "ok", "[]", LIMITS).json());
        }
    }

    private static void awaitWaiting(GraalJsRuntime runtime, int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runtime.callsWaiting() != calls) {
            assertTrue(System.nanoTime() < deadline, "no " + calls + " waiting call(s) in time");
            Thread.sleep(5);
        }
        // The worker takes a task from the queue a moment after it is free: let the first call start.
        Thread.sleep(100);
    }

    @Test
    void close_whileACallRunsAndAnotherWaits_bothFailWithIllegalState() throws Exception {
        JsRuntime small = JsRuntime.create(new RuntimeSettings(1, 4, 8));
        LibrarySource loop = library("limits/closing", LOOP);
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> running = callers.submit(() -> small.call(loop, "spin", "[]", LIMITS));
            awaitWaiting((GraalJsRuntime) small, 0);
            Future<?> waiting = callers.submit(() -> small.call(loop, "spin", "[]", LIMITS));
            awaitWaiting((GraalJsRuntime) small, 1);

            small.close();

            for (Future<?> call : List.of(running, waiting)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause());
            }
        }
    }

    @Test
    void call_platformCallerHoldingTheOnlySlot_virtualCallersWaitOnTheWorkerThenInTheQueueThenBusy()
            throws Exception {
        try (JsRuntime small = JsRuntime.create(new RuntimeSettings(1, 1, 8));
             ExecutorService platform = Executors.newSingleThreadExecutor();
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            GraalJsRuntime runtime = (GraalJsRuntime) small;
            LibrarySource loop = library("limits/slot-held", LOOP);
            CallLimits limits = LIMITS.withTimeout(Duration.ofSeconds(2));
            // Runs on the platform thread itself, in the only slot: nothing waits.
            Future<?> holding = platform.submit(() -> assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "spin", "[]", limits)));
            awaitWaiting(runtime, 0);
            // The worker takes this one and waits for the slot; the next waits in the queue.
            Future<CallResult> onWorker = virtual.submit(() -> small.call(loop, "ok", "[]", LIMITS));
            awaitWaiting(runtime, 1);
            Future<CallResult> queued = virtual.submit(() -> small.call(loop, "ok", "[]", LIMITS));
            awaitWaiting(runtime, 2);

            Future<Throwable> refused = virtual.submit(() -> {
                try {
                    small.call(loop, "ok", "[]", LIMITS);
                    return null;
                } catch (JsExecutionException busy) {
                    return busy;
                }
            });

            assertEquals(Kind.BUSY, assertInstanceOf(JsExecutionException.class, refused.get()).kind());
            holding.get();
            assertEquals(Optional.of("\"ok\""), onWorker.get().json());
            assertEquals(Optional.of("\"ok\""), queued.get().json());
        }
    }

    @Test
    void call_platformCallerWhileTheOnlySlotIsBusy_waitsAndThenRuns() throws Exception {
        try (JsRuntime small = JsRuntime.create(new RuntimeSettings(1, 4, 8));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource loop = library("limits/slot-wait", LOOP);
            Future<?> busy = virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "spin", "[]", LIMITS.withTimeout(Duration.ofMillis(500)))));
            awaitWaiting((GraalJsRuntime) small, 0);

            assertEquals(Optional.of("\"ok\""), small.call(loop, "ok", "[]", LIMITS).json());
            busy.get();
        }
    }

    @Test
    void checkSyntax_whileEveryCallWorkerIsBusy_notBusy() throws Exception {
        try (JsRuntime small = JsRuntime.create(new RuntimeSettings(1, 1, 8))) {
            LibrarySource loop = library("limits/parse-while-busy", LOOP);
            CompletableFuture<Void> busy = CompletableFuture.runAsync(() -> assertThrows(JsExecutionException.class,
                    () -> small.call(loop, "spin", "[]", LIMITS.withTimeout(Duration.ofSeconds(1)))));

            small.checkSyntax("lib", "function f() {}");
            assertEquals(1, small.functions("lib", "function f() {}").size());
            busy.get();
        }
    }

    @Test
    void call_consoleLines_writtenToTheServerLogUpToTheLimit() {
        List<String> messages;
        try (LogCapture log = LogCapture.of("dev.evaluator.udf")) {
            CallLimits limits = new CallLimits(Duration.ofSeconds(30), 256L << 20, 1 << 20, 2, 100);
            runtime.call(library("limits/server-log", "function f() { for (let i = 0; i < 5; i++)"
                    + " console.warn('line ' + i); }"), "f", "[]", limits);
            messages = log.records().stream().map(record -> java.text.MessageFormat.format(record.getMessage(),
                    record.getParameters())).toList();
        }
        assertEquals(List.of("console.warn [limits/server-log] f: line 0", "console.warn [limits/server-log] f: line 1",
                "[limits/server-log] f: 3 more console line(s) dropped"), messages);
    }
}
