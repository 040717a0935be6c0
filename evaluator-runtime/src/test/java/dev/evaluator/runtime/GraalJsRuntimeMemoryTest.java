package dev.evaluator.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory: the per-call budget stops what a call holds, not the garbage it made; what a context keeps between calls is
 * measured and bounded; a library's contexts can be released.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GraalJsRuntimeMemoryTest {
    private static final CallLimits BUDGET = new CallLimits(Duration.ofSeconds(60), 64L << 20, 1 << 20, 10, 200);
    private static final String GROW = "var keep = [];\n"
            + "function grow(mb) { keep.push(new Uint8Array(mb * 1048576).fill(1)); return keep.length; }";

    @Test
    void call_busyWaitSleepOnDateAndGarbageChurn_succeedUnderABudgetTheyAllocateManyTimesOver() throws Exception {
        CallLimits small = new CallLimits(Duration.ofSeconds(60), 16L << 20, 1 << 20, 10, 200);
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource sleepy = new LibrarySource("memory/sleep", "sleepy",
                    "function sleep(ms) { var end = new Date().getTime() + ms; while (new Date().getTime() < end) {} }\n"
                            + "function nap() { sleep(2000); return 'slept'; }\n"
                            + "function churn(n) { var last;\n"
                            + "  for (var i = 0; i < n; i++) { last = new Uint8Array(1 << 20).fill(i); }\n"
                            + "  return last.length; }");

            assertEquals(Optional.of("\"slept\""),
                    virtual.submit(() -> runtime.call(sleepy, "nap", "[]", small)).get().json());
            // 64 arrays of 1 MiB: four times the 16 MiB budget in garbage, 1 MiB held at a time.
            assertEquals(Optional.of("1048576"),
                    virtual.submit(() -> runtime.call(sleepy, "churn", "[64]", small)).get().json());
            assertEquals(0, runtime.stats().cancellations().get(CancelCause.MEMORY));
        }
    }

    @Test
    void call_allocationBombThatHoldsWhatItAllocates_stoppedWithinSeconds() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8));
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource bomb = new LibrarySource("memory/bomb", "bomb",
                    "function bomb() { let a = []; while (true) a.push(new Array(1000).fill(1)); }");

            long started = System.nanoTime();
            JsExecutionException e = virtual.submit(() -> assertThrows(JsExecutionException.class,
                    () -> runtime.call(bomb, "bomb", "[]", BUDGET))).get();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(Kind.MEMORY_LIMIT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("held more than"), e.getMessage());
            // Generous: its 60 s timeout would end it otherwise.
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, took.toString());
            assertEquals(1, runtime.stats().cancellations().get(CancelCause.MEMORY));
        }
    }

    @Test
    void call_retainedGrowthAttack_contextDroppedWithAClearErrorWhileAnotherNamespaceSucceeds() throws Exception {
        RuntimeSettings settings = new RuntimeSettings(2, 64, 8).withRetainedMemory(32L << 20, 256L << 20);
        CallLimits limits = new CallLimits(Duration.ofSeconds(30), 256L << 20, 1 << 20, 10, 200);
        try (JsRuntime runtime = JsRuntime.create(settings);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            LibrarySource attack = new LibrarySource("memory/grow", "grow", GROW);
            LibrarySource other = new LibrarySource("memory/other", "other", "function add(a, b) { return a + b; }");
            Caller attacker = new Caller("ns-attacker", "mallory", "invoke");
            Caller victim = new Caller("ns-victim", "alice", "invoke");
            AtomicBoolean attacking = new AtomicBoolean(true);
            Future<List<String>> victimCalls = virtual.submit(() -> {
                List<String> failures = new ArrayList<>();
                int calls = 0;
                while (attacking.get() || calls < 20) {
                    try {
                        runtime.call(other, "add", "[1, 2]", limits, victim);
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    calls++;
                }
                return failures;
            });

            List<JsExecutionException> stopped = new ArrayList<>();
            int maxKept = 0;
            for (int i = 0; i < 40; i++) {
                try {
                    CallResult grown = virtual.submit(() -> runtime.call(attack, "grow", "[10]", limits, attacker))
                            .get();
                    maxKept = Math.max(maxKept, Integer.parseInt(grown.json().orElseThrow()));
                } catch (java.util.concurrent.ExecutionException e) {
                    stopped.add((JsExecutionException) e.getCause());
                }
            }
            attacking.set(false);

            assertEquals(List.of(), victimCalls.get());
            assertTrue(!stopped.isEmpty(), "the growth was never stopped: kept " + maxKept + " x 10 MiB; "
                    + runtime.stats());
            for (JsExecutionException e : stopped) {
                assertEquals(Kind.MEMORY_LIMIT, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains("keeps more than 32 MiB between calls"), e.getMessage());
            }
            // 10 MiB a call: a context holds at most 3 of them (under 32 MiB) before it is dropped and starts over.
            assertTrue(maxKept <= 3, "kept " + maxKept + " x 10 MiB");
            RuntimeStats stats = runtime.stats();
            assertTrue(stats.retainedBytes() <= 2 * (32L << 20), stats.toString());
            assertEquals(stopped.size(), stats.cancellations().get(CancelCause.MEMORY));
        }
    }

    @Test
    void release_library_contextsClosedAndTheNextCallLoadsAfresh() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            LibrarySource counted = new LibrarySource("memory/released", "released",
                    "console.log('loaded');\nfunction f() { return 1; }");
            LibrarySource kept = new LibrarySource("memory/kept", "kept", "function f() { return 2; }");
            runtime.call(counted, "f", "[]", BUDGET, new Caller("a", "u", "invoke"));
            runtime.call(counted, "f", "[]", BUDGET, new Caller("b", "u", "invoke"));
            runtime.call(kept, "f", "[]", BUDGET);
            assertEquals(3, runtime.stats().contexts());

            runtime.release("memory/released");

            assertEquals(1, runtime.stats().contexts());
            CallResult again = runtime.call(counted, "f", "[]", BUDGET, new Caller("a", "u", "invoke"));
            assertEquals(1, again.logs().size(), "loaded afresh");
            assertEquals(0, runtime.call(kept, "f", "[]", BUDGET).logs().size());
        }
    }

    @Test
    void stats_contextKeepingMegabytesAndMakingGarbage_retainedBytesCountWhatItKeeps() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            // Keeps 4 MiB, makes 24 MiB of garbage: past the 16 MiB bound only if garbage counted.
            LibrarySource keeper = new LibrarySource("memory/counted", "counted", "var keep = [];\n"
                    + "function f() { keep.push(new Uint8Array(4 << 20).fill(1));"
                    + " for (var i = 0; i < 6; i++) new Uint8Array(4 << 20).fill(2); return keep.length; }");
            long before = runtime.stats().retainedBytes();

            assertEquals(Optional.of("1"), runtime.call(keeper, "f", "[]", BUDGET).json());

            long after = runtime.stats().retainedBytes();
            assertTrue(after - before >= 4L << 20 && after - before < 16L << 20, before + " -> " + after);
            runtime.release("memory/counted");
            assertTrue(runtime.stats().retainedBytes() < after, "released");
        }
    }
}
