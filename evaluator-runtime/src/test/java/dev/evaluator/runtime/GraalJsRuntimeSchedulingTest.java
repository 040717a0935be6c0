package dev.evaluator.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fair queue (namespaces in turn, a namespace's share of the slots), pool growth and shrinking, the list of calls,
 * and cancellation by id or handle, with per-namespace and per-cause statistics. Callers are virtual threads, as the
 * web server's handlers are, so every call goes through the queue.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GraalJsRuntimeSchedulingTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(60));
    private static final LibrarySource LIBRARY = new LibrarySource("scheduling/lib", "lib",
            "function spin() { while (true) {} }\nfunction ok(label) { return label; }\n"
                    // Runs 50 ms, so that calls ending one after the other on one worker are recorded in that order
                    // by their callers' threads, whatever those threads' wake-up jitter.
                    + "function step(label) { var end = Date.now() + 50; while (Date.now() < end) {} return label; }");

    private final ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> finished = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopCallers() {
        virtual.shutdownNow();
    }

    private static Caller in(String namespace) {
        return new Caller(namespace, "user-" + namespace, "invoke");
    }

    /** Submit from a virtual thread; the label goes to {@link #finished} when the call is over, whatever the end. */
    private CompletableFuture<Object> call(JsRuntime runtime, String namespace, String function, String label,
                                           CallLimits limits) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.call(LIBRARY, function, "[\"" + label + "\"]", limits, in(namespace));
            } catch (RuntimeException e) {
                return e;
            } finally {
                finished.add(label);
            }
        }, virtual);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not in time: " + what);
            Thread.sleep(5);
        }
    }

    private static long count(JsRuntime runtime, CallInfo.State state) {
        return runtime.calls().stream().filter(call -> call.state() == state).count();
    }

    @Test
    void call_oneNamespaceQueuedFirst_anotherNamespaceServedInTurnNotAfterAll() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 64, 8).withMaxWorkers(1))) {
            CompletableFuture<Object> spin = call(runtime, "a", "spin", "a-spin",
                    LIMITS.withTimeout(Duration.ofMillis(500)));
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1);
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (String label : List.of("a1", "a2", "a3")) {
                queued.add(call(runtime, "a", "step", label, LIMITS));
                await(label + " queued", () -> count(runtime, CallInfo.State.QUEUED) == queued.size());
            }
            queued.add(call(runtime, "b", "step", "b1", LIMITS));

            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get();
            spin.get();

            // In arrival order b1 would be last; in turns it comes right after a1.
            assertEquals(List.of("a-spin", "a1", "b1", "a2", "a3"), finished);
        }
    }

    @Test
    void call_namespaceHoldingItsShareWhileAnotherWaits_passedOver() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(4, 64, 8).withMaxWorkers(4)
                .withMaxNamespaceShare(0.5))) {
            CallLimits long_ = LIMITS.withTimeout(Duration.ofSeconds(60));
            List<CompletableFuture<Object>> hogs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hogs.add(call(runtime, "a", "spin", "a-spin-" + i, long_));
            }
            await("a holds three slots", () -> count(runtime, CallInfo.State.RUNNING) == 3);
            CompletableFuture<Object> short_ = call(runtime, "c", "spin", "c-spin",
                    LIMITS.withTimeout(Duration.ofMillis(500)));
            await("every slot held", () -> count(runtime, CallInfo.State.RUNNING) == 4);
            CompletableFuture<Object> aOk = call(runtime, "a", "ok", "a-ok", LIMITS);
            await("a-ok queued", () -> count(runtime, CallInfo.State.QUEUED) == 1);
            CompletableFuture<Object> bOk = call(runtime, "b", "ok", "b-ok", LIMITS);
            await("b-ok queued", () -> count(runtime, CallInfo.State.QUEUED) == 2);

            assertEquals(Map.of("a", 3, "c", 1), runtime.stats().runningByNamespace());
            assertEquals(Map.of("a", 1, "b", 1), runtime.stats().queuedByNamespace());
            short_.get();
            bOk.get();
            aOk.get();
            // a came first and its turn is first, but it holds 3 of 4 slots (its share is 2) while b waits.
            assertEquals(List.of("c-spin", "b-ok", "a-ok"), finished.subList(0, 3));
            for (CallInfo running : runtime.calls()) {
                assertTrue(runtime.cancel(running.id(), CancelCause.KILLED));
            }
            for (CompletableFuture<Object> hog : hogs) {
                assertEquals(CancelCause.KILLED, ((JsCallCancelledException) hog.get()).reason());
            }
        }
    }

    @Test
    void call_everySlotHeldByALongCall_poolGrowsThenShrinksWhenIdle() throws Exception {
        RuntimeSettings settings = new RuntimeSettings(1, 64, 8).withMaxWorkers(3)
                .withGrowth(Duration.ofMillis(300), Duration.ofMillis(500));
        try (JsRuntime runtime = JsRuntime.create(settings)) {
            CompletableFuture<Object> spin = call(runtime, "a", "spin", "a-spin", LIMITS);
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1);

            CallResult ok = (CallResult) call(runtime, "b", "ok", "b-ok", LIMITS).get();

            assertEquals(Optional.of("\"b-ok\""), ok.json());
            assertEquals(List.of("b-ok"), finished, "b-ok ran while the spin still held the first slot");
            assertEquals(2, runtime.stats().workers());
            assertTrue(runtime.cancel(runtime.calls().getFirst().id(), CancelCause.KILLED));
            assertEquals(CancelCause.KILLED, ((JsCallCancelledException) spin.get()).reason());
            await("the pool shrinks back", () -> runtime.stats().workers() == 1);
            assertEquals(3, runtime.stats().maxWorkers());
        }
    }

    @Test
    void workers_oneThreadPerSlot_endedWithTheirSlotAndWithTheRuntime() throws Exception {
        Set<Thread> before = workerThreads();
        // Grown only for a namespace below its share (not for calls that run long: the first ones load the library).
        RuntimeSettings settings = new RuntimeSettings(2, 64, 8).withMaxWorkers(3)
                .withGrowth(Duration.ofSeconds(30), Duration.ofMillis(500));
        JsRuntime runtime = JsRuntime.create(settings);
        try {
            // 32 callers of one namespace at once, as many connections would: the calls queue for the 2 slots, and
            // each slot's calls run on its own thread (a pool of threads waiting for tasks had 5 or 6 for 2 slots).
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    for (int j = 0; j < 20; j++) {
                        runtime.call(LIBRARY, "ok", "[\"x\"]", LIMITS, in("n"));
                    }
                    return null;
                }, virtual));
            }
            for (CompletableFuture<Object> call : calls) {
                call.get();
            }
            assertEquals(2, runtime.stats().workers());
            assertEquals(2, started(before).size(), "threads for 2 slots: " + started(before));

            CompletableFuture<Object> spinA = call(runtime, "a", "spin", "a-spin", LIMITS);
            CompletableFuture<Object> spinB = call(runtime, "b", "spin", "b-spin", LIMITS);
            await("both slots spin", () -> count(runtime, CallInfo.State.RUNNING) == 2);
            call(runtime, "c", "ok", "c-ok", LIMITS).get();
            assertEquals(3, runtime.stats().workers());
            assertEquals(3, started(before).size(), "threads for 3 slots: " + started(before));
            runtime.calls().forEach(call -> runtime.cancel(call.id(), CancelCause.KILLED));
            spinA.get();
            spinB.get();
            await("the pool shrinks back", () -> runtime.stats().workers() == 2);
            // At once, not after an idle thread's keep-alive (30 s).
            long shrunk = System.nanoTime();
            await("the closed slot's thread ends", () -> started(before).size() == 2);
            assertTrue(System.nanoTime() - shrunk < TimeUnit.SECONDS.toNanos(5), "the thread outlived its slot");
        } finally {
            runtime.close();
        }
        await("the runtime's threads end with it", () -> started(before).isEmpty());
    }

    private static Set<Thread> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("js-call-") && thread.isAlive())
                .collect(Collectors.toSet());
    }

    /** Worker threads alive now that were not before. */
    private static Set<Thread> started(Set<Thread> before) {
        Set<Thread> now = workerThreads();
        now.removeAll(before);
        return now;
    }

    @Test
    void call_runawayNamespaceAndAnActiveOne_runawayHoldsOnlyItsShareAndTheOtherNeverWaits() throws Exception {
        // No growth: what keeps b's slot free is the reservation alone (a FIFO queue, or one that lets a namespace
        // take every free slot while nobody else waits at that instant, gives both slots to a's spins).
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(2, 64, 8).withMaxWorkers(2)
                .withMaxNamespaceShare(0.5))) {
            assertEquals(Optional.of("\"b0\""), ((CallResult) call(runtime, "b", "ok", "b0", LIMITS).get()).json());
            List<CompletableFuture<Object>> spins = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                spins.add(call(runtime, "a", "spin", "a-spin-" + i, LIMITS));
            }
            await("a's spins listed", () -> runtime.calls().size() == 3);
            Thread.sleep(200);
            assertEquals(Map.of("a", 1), runtime.stats().runningByNamespace());
            assertEquals(Map.of("a", 2), runtime.stats().queuedByNamespace());

            for (int i = 1; i <= 5; i++) {
                long started = System.nanoTime();
                Object outcome = call(runtime, "b", "ok", "b" + i, LIMITS).get(10, TimeUnit.SECONDS);
                assertEquals(Optional.of("\"b" + i + "\""), ((CallResult) outcome).json());
                assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "b waited for a's spin");
            }
            assertEquals(Map.of("a", 1), runtime.stats().runningByNamespace());
            for (CallInfo call : runtime.calls()) {
                runtime.cancel(call.id(), CancelCause.KILLED);
            }
            for (CompletableFuture<Object> spin : spins) {
                assertEquals(CancelCause.KILLED, ((JsCallCancelledException) spin.get()).reason());
            }
        }
    }

    @Test
    void call_namespaceBelowItsShareFindsNoFreeSlot_poolGrowsAtOnce() throws Exception {
        // Growth for long calls would wait a minute here: the slot is added for b because b holds none.
        RuntimeSettings settings = new RuntimeSettings(1, 64, 8).withMaxWorkers(2)
                .withGrowth(Duration.ofSeconds(60), Duration.ofSeconds(60));
        try (JsRuntime runtime = JsRuntime.create(settings)) {
            CompletableFuture<Object> spin = call(runtime, "a", "spin", "a-spin", LIMITS);
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1);

            Object ok = call(runtime, "b", "ok", "b-ok", LIMITS).get(20, TimeUnit.SECONDS);

            assertEquals(Optional.of("\"b-ok\""), ((CallResult) ok).json());
            assertEquals(2, runtime.stats().workers());
            assertTrue(runtime.cancel(runtime.calls().getFirst().id(), CancelCause.KILLED));
            assertEquals(CancelCause.KILLED, ((JsCallCancelledException) spin.get()).reason());
        }
    }

    @Test
    void call_stoppedForMemory_itsNamespaceRestsWhileAnotherIsServed() throws Exception {
        // Allocates 16 KiB a millisecond: over its 8 MiB budget after about half a second.
        LibrarySource bombs = new LibrarySource("scheduling/bombs", "bombs", "function slowBomb() { var keep = [];"
                + " for (;;) { keep.push(new Array(4096).fill(7)); var end = Date.now() + 1; while (Date.now() < end) {} } }"
                + "\nfunction ok(label) { return label; }");
        CallLimits small = new CallLimits(Duration.ofSeconds(60), 8L << 20, 1 << 20, 10, 200);
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(2, 64, 8).withMaxWorkers(2))) {
            JsExecutionException bomb = assertThrows(JsExecutionException.class,
                    () -> runtime.submit(bombs, "slowBomb", "[]", small, in("a")).await());
            assertEquals(Kind.MEMORY_LIMIT, bomb.kind());

            CompletableFuture<Object> aNext = CompletableFuture.supplyAsync(() -> {
                Object out = runtime.call(bombs, "ok", "[\"a-ok\"]", LIMITS, in("a"));
                finished.add("a-ok");
                return out;
            }, virtual);
            await("a-ok waits", () -> count(runtime, CallInfo.State.QUEUED) == 1);
            CompletableFuture<Object> bNext = call(runtime, "b", "step", "b-step", LIMITS);

            assertEquals(Optional.of("\"b-step\""), ((CallResult) bNext.get()).json());
            assertEquals(Optional.of("\"a-ok\""), ((CallResult) aNext.get()).json());
            // a's call came first and a slot was free, but a rested for as long as its bomb ran.
            assertEquals(List.of("b-step", "a-ok"), finished);
        }
    }

    @Test
    void call_poolAtItsCap_doesNotGrow() throws Exception {
        RuntimeSettings settings = new RuntimeSettings(1, 64, 8).withMaxWorkers(2)
                .withGrowth(Duration.ofMillis(100), Duration.ofSeconds(30));
        try (JsRuntime runtime = JsRuntime.create(settings)) {
            call(runtime, "a", "spin", "s1", LIMITS);
            call(runtime, "b", "spin", "s2", LIMITS);
            await("two run", () -> count(runtime, CallInfo.State.RUNNING) == 2);
            call(runtime, "c", "spin", "s3", LIMITS);
            await("one waits", () -> count(runtime, CallInfo.State.QUEUED) == 1);
            Thread.sleep(500);

            assertEquals(2, runtime.stats().workers());
            assertEquals(1, count(runtime, CallInfo.State.QUEUED));
            runtime.calls().forEach(call -> runtime.cancel(call.id(), CancelCause.KILLED));
        }
    }

    @Test
    void cancel_runningCall_stoppedWithItsCauseAndTheWorkerServesTheNext() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 64, 8).withMaxWorkers(1))) {
            CallHandle spin = runtime.submit(LIBRARY, "spin", "[]", LIMITS, new Caller("ns-a", "alice", "invoke"));
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1);
            CallInfo listed = runtime.calls().getFirst();

            assertEquals(new CallInfo(spin.id(), "scheduling/lib", "spin", "ns-a", "alice", "invoke",
                    CallInfo.State.RUNNING, listed.started(), listed.elapsed()), listed);
            long started = System.nanoTime();
            assertTrue(runtime.cancel(spin.id(), CancelCause.KILLED));
            JsCallCancelledException e = assertThrows(JsCallCancelledException.class, spin::await);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(CancelCause.KILLED, e.reason());
            assertEquals(spin.id(), e.callId());
            // The spin would otherwise run for its 60 s limit.
            assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, took.toString());
            assertFalse(runtime.cancel(spin.id(), CancelCause.KILLED), "already over");
            assertEquals(List.of(), runtime.calls());
            assertEquals(Optional.of("\"next\""), runtime.submit(LIBRARY, "ok", "[\"next\"]", LIMITS, in("b"))
                    .await().json());
            assertEquals(1, runtime.stats().cancellations().get(CancelCause.KILLED));
        }
    }

    @Test
    void cancel_queuedCallByItsHandle_neverStarts() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 64, 8).withMaxWorkers(1))) {
            CallHandle spin = runtime.submit(LIBRARY, "spin", "[]", LIMITS, in("a"));
            // Listed as running once it has its slot; its worker looks its library up just after.
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1
                    && runtime.stats().libraryCacheMisses() + runtime.stats().libraryCacheHits() == 1);
            LibrarySource marker = new LibrarySource("scheduling/marker", "marker", "function f() { return 1; }");
            CallHandle queued = runtime.submit(marker, "f", "[]", LIMITS, new Caller("b", "bob", "query"));
            CallInfo listed = runtime.calls().get(1);
            assertEquals(CallInfo.State.QUEUED, listed.state());
            assertEquals("query", listed.entryPoint());
            assertEquals(Map.of("b", 1), runtime.stats().queuedByNamespace());
            long loads = runtime.stats().libraryCacheMisses() + runtime.stats().libraryCacheHits();

            assertTrue(queued.cancel(CancelCause.CLIENT_GONE));
            assertEquals(CancelCause.CLIENT_GONE, assertThrows(JsCallCancelledException.class, queued::await)
                    .reason());
            assertTrue(spin.cancel(CancelCause.CLIENT_GONE));
            assertThrows(JsCallCancelledException.class, spin::await);
            await("nothing left", () -> runtime.calls().isEmpty());

            assertEquals(loads, runtime.stats().libraryCacheMisses() + runtime.stats().libraryCacheHits(),
                    "the queued call never started");
            assertEquals(2, runtime.stats().cancellations().get(CancelCause.CLIENT_GONE));
            assertEquals(Map.of(), runtime.stats().queuedByNamespace());
        }
    }

    @Test
    void submit_queueFullOfOneNamespace_anotherNamespaceStillGetsInAndTheNewestOfTheFirstIsBusy() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 3, 8).withMaxWorkers(1))) {
            CallHandle spin = runtime.submit(LIBRARY, "spin", "[]", LIMITS, in("a"));
            await("the spin runs", () -> count(runtime, CallInfo.State.RUNNING) == 1);
            List<CallHandle> flood = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                flood.add(runtime.submit(LIBRARY, "ok", "[\"a" + i + "\"]", LIMITS, in("a")));
            }
            assertEquals(Kind.BUSY, assertThrows(JsExecutionException.class,
                    () -> runtime.submit(LIBRARY, "ok", "[\"a3\"]", LIMITS, in("a"))).kind());

            CallHandle other = runtime.submit(LIBRARY, "ok", "[\"b\"]", LIMITS, in("b"));

            assertEquals(Kind.BUSY, assertThrows(JsExecutionException.class, flood.get(2)::await).kind());
            assertEquals(Map.of("a", 2, "b", 1), runtime.stats().queuedByNamespace());
            spin.cancel(CancelCause.KILLED);
            assertEquals(Optional.of("\"b\""), other.await().json());
            assertEquals(Optional.of("\"a0\""), flood.get(0).await().json());
            assertEquals(2, runtime.stats().busyRejections());
        }
    }

    @Test
    void cancel_unknownId_false() {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            assertFalse(runtime.cancel(12345, CancelCause.KILLED));
        }
    }

    @Test
    void stats_timeoutCounted_asACancellationByCause() throws Exception {
        try (JsRuntime runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8))) {
            Object outcome = call(runtime, "a", "spin", "t", LIMITS.withTimeout(Duration.ofMillis(200))).get();

            assertEquals(Kind.TIMEOUT, ((JsExecutionException) outcome).kind());
            assertEquals(1, runtime.stats().cancellations().get(CancelCause.TIMEOUT));
        }
    }
}
