package dev.evaluator.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * No state shared between callers: a library's top-level state lives in one context per namespace and user, so a
 * call never observes what a call of another user or namespace left in it. On one worker, so every call meets the
 * same slot (and, without per-caller contexts, the same context).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GraalJsRuntimeCallerIsolationTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));
    /** Keeps its argument in a top-level variable and returns what the previous call kept. */
    private static final LibrarySource KEEPER = new LibrarySource("isolation/keeper", "keeper",
            "var kept = null;\nfunction keep(x) { var previous = kept; kept = x; return previous; }");

    private static final Caller ALICE = new Caller("bucket/scope-a", "alice", "invoke");
    private static final Caller BOB_OTHER_NAMESPACE = new Caller("bucket/scope-b", "bob", "invoke");
    private static final Caller BOB_SAME_NAMESPACE = new Caller("bucket/scope-a", "bob", "query");
    private static final Caller ALICE_OTHER_NAMESPACE = new Caller("bucket/scope-b", "alice", "invoke");

    @Test
    void call_topLevelVariableKeepsAnArgument_anotherCallerNeverSeesIt() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 16).withMaxWorkers(1))) {
            assertEquals(Optional.of("null"), runtime.call(KEEPER, "keep", "[\"alice's secret\"]", LIMITS, ALICE)
                    .json());

            assertEquals(Optional.of("null"), runtime.call(KEEPER, "keep", "[\"b1\"]", LIMITS, BOB_OTHER_NAMESPACE)
                    .json());
            assertEquals(Optional.of("null"), runtime.call(KEEPER, "keep", "[\"b2\"]", LIMITS, BOB_SAME_NAMESPACE)
                    .json());
            assertEquals(Optional.of("null"), runtime.call(KEEPER, "keep", "[\"a2\"]", LIMITS, ALICE_OTHER_NAMESPACE)
                    .json());
            assertEquals(Optional.of("null"), runtime.call(KEEPER, "keep", "[\"e\"]", LIMITS).json());
            // A caller's own state is still there: the isolation is by caller, not a reset per call.
            assertEquals(Optional.of("\"alice's secret\""), runtime.call(KEEPER, "keep", "[\"a1\"]", LIMITS, ALICE)
                    .json());
        }
    }

    @Test
    void call_globalThisPropertyAndPrototypeChange_notSeenByAnotherCaller() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 16).withMaxWorkers(1))) {
            LibrarySource polluter = new LibrarySource("isolation/polluter", "polluter",
                    "function write(x) { globalThis.leak = x; Array.prototype.leak = x; return 1; }\n"
                            + "function read() { return [typeof globalThis.leak, typeof [].leak]; }");

            runtime.call(polluter, "write", "[\"secret\"]", LIMITS, ALICE);

            assertEquals(Optional.of("[\"undefined\",\"undefined\"]"),
                    runtime.call(polluter, "read", "[]", LIMITS, BOB_OTHER_NAMESPACE).json());
            assertEquals(Optional.of("[\"string\",\"string\"]"),
                    runtime.call(polluter, "read", "[]", LIMITS, ALICE).json());
        }
    }

    @Test
    void call_callersOfOneLibrary_eachLoadsItOnce() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 16).withMaxWorkers(1))) {
            for (int i = 0; i < 3; i++) {
                runtime.call(KEEPER, "keep", "[1]", LIMITS, ALICE);
                runtime.call(KEEPER, "keep", "[1]", LIMITS, BOB_OTHER_NAMESPACE);
            }

            RuntimeStats stats = runtime.stats();
            assertEquals(2, stats.libraryCacheMisses(), stats.toString());
            assertEquals(4, stats.libraryCacheHits(), stats.toString());
            assertEquals(2, stats.contexts(), stats.toString());
        }
    }
}
