package dev.evaluator.engine;

import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.CancelCause;
import dev.evaluator.runtime.Caller;
import dev.evaluator.runtime.JsCallCancelledException;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.runtime.LibrarySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watch over waiting calls' clients, on real GraalJS: a call whose client goes away is stopped within a second,
 * the others go on untouched, no client is asked before its call has waited the first check's delay, and the
 * watch's thread ends once nothing waits.
 */
class PresenceWatchTest {
    private static final Duration CHECK_AFTER = Duration.ofMillis(200);
    private static final LibrarySource LIBRARY = new LibrarySource("presence-test", "presence-test", """
            function spin() { while (true) {} }
            function sleepy(ms) { const end = Date.now() + ms; while (Date.now() < end) {} return ms; }
            function one() { return 1; }
            """);
    private static final Caller CALLER = new Caller("ns", "user", "test");

    private static JsRuntime runtime;

    @BeforeAll
    static void startRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void stopRuntime() {
        runtime.close();
    }

    @Test
    void clientGone_callStopped_othersGoOn() throws Exception {
        PresenceWatch watch = new PresenceWatch(CHECK_AFTER);
        AtomicBoolean gone = new AtomicBoolean();
        try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<CallResult> abandoned = waiters.submit(() -> watch.await(
                    runtime.submit(LIBRARY, "spin", "[]", CallLimits.DEFAULT, CALLER), gone::get));
            Future<CallResult> kept = waiters.submit(() -> watch.await(
                    runtime.submit(LIBRARY, "sleepy", "[1500]", CallLimits.DEFAULT, CALLER), () -> false));
            Thread.sleep(300);
            long wentAway = System.nanoTime();
            gone.set(true);
            Exception stopped = assertThrows(Exception.class, abandoned::get);
            long tookMillis = (System.nanoTime() - wentAway) / 1_000_000;
            JsCallCancelledException cancelled = assertInstanceOf(JsCallCancelledException.class, stopped.getCause());
            assertEquals(CancelCause.CLIENT_GONE, cancelled.reason());
            assertTrue(tookMillis < 1_000, "the call of a client gone went on for " + tookMillis + " ms");
            assertEquals("1500", kept.get().json().orElseThrow());
        }
        assertEquals(0, watch.waiting());
    }

    @Test
    void clientsAsked_onlyAfterTheFirstCheck_andTheWatchThreadEnds() throws Exception {
        PresenceWatch watch = new PresenceWatch(CHECK_AFTER);
        // How long each call had waited when its client was asked: never less than the first check's delay.
        List<Long> askedAfterMillis = new CopyOnWriteArrayList<>();
        try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            // 8 waiters at a time (the queue is bounded), 200 calls in all.
            List<Future<?>> waiting = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                waiting.add(waiters.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        long started = System.nanoTime();
                        CallResult result = watch.await(runtime.submit(LIBRARY, "one", "[]", CallLimits.DEFAULT,
                                CALLER), () -> {
                                    askedAfterMillis.add((System.nanoTime() - started) / 1_000_000);
                                    return false;
                                });
                        assertEquals("1", result.json().orElseThrow());
                    }
                    return null;
                }));
            }
            for (Future<?> waiter : waiting) {
                waiter.get();
            }
        }
        assertTrue(askedAfterMillis.stream().allMatch(millis -> millis >= CHECK_AFTER.toMillis()),
                "clients asked after " + askedAfterMillis + " ms");
        assertEquals(0, watch.waiting());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (watchThreadAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(watchThreadAlive(), "the watch's thread is still running with nothing to watch");
    }

    private static boolean watchThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals("client-presence") && thread.isAlive());
    }
}
