package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.graalvm.polyglot.Engine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * acorn on its own, without GraalJS's parse in front: its errors, its stack, and the contexts' life cycle.
 */
class AcornIntrospectorTest {
    private static Engine engine;

    @BeforeAll
    static void createEngine() {
        engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    static Stream<Arguments> acornSyntaxErrors() {
        return Stream.of(
                argumentSet("missing parenthesis", "function f(a { return a; }", "Unexpected token", 1, 14),
                argumentSet("redeclared let", "let a; let a;", "Identifier 'a' has already been declared", 1, 12),
                argumentSet("unterminated string on line 2 after CRLF", "x = 1;\r\n  y = 'abc",
                        "Unterminated string constant", 2, 7));
    }

    @ParameterizedTest
    @MethodSource("acornSyntaxErrors")
    void functions_acornSyntaxError_oneBasedPositionAndMessageWithoutIt(String code, String message, int line,
            int column) {
        try (AcornIntrospector introspector = new AcornIntrospector(engine)) {
            JsSyntaxException e = assertThrows(JsSyntaxException.class, () -> introspector.functions(code));

            assertEquals(message, e.getMessage());
            assertEquals(line, e.line());
            assertEquals(column, e.column());
        }
    }

    @Test
    void functions_invalidRegularExpression_messageDoesNotQuoteIt() {
        try (AcornIntrospector introspector = new AcornIntrospector(engine)) {
            JsSyntaxException e = assertThrows(JsSyntaxException.class,
                    () -> introspector.functions("const r = /(hunter2/;"));

            assertEquals("Invalid regular expression: Unterminated group", e.getMessage());
        }
    }

    @Test
    void functions_nestedBeyondTheThreadsStack_throwsJsSyntaxExceptionAndNextCallWorks() throws Exception {
        List<Object> outcomes = new ArrayList<>();
        try (AcornIntrospector introspector = new AcornIntrospector(engine)) {
            Thread small = new Thread(null, () -> {
                try {
                    outcomes.add(introspector.functions("(".repeat(100_000)));
                } catch (RuntimeException e) {
                    outcomes.add(e);
                }
                outcomes.add(introspector.functions("function f() {}"));
            }, "small-stack", 256 * 1024);
            small.start();
            small.join();
        }

        JsSyntaxException e = assertInstanceOf(JsSyntaxException.class, outcomes.get(0));
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
        assertEquals(List.of(new JsFunction("f", List.of(), false, 1, Optional.empty())), outcomes.get(1));
    }

    @Test
    void close_contextsOpenedOnOtherThreads_closedSoTheirNextCallFails() throws Exception {
        int threads = 3;
        AcornIntrospector introspector = new AcornIntrospector(engine);
        CountDownLatch opened = new CountDownLatch(threads);
        CountDownLatch closed = new CountDownLatch(1);
        List<AtomicReference<Throwable>> failures = new ArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            failures.add(failure);
            Thread thread = new Thread(() -> {
                try {
                    introspector.functions("function f() {}");
                    opened.countDown();
                    closed.await();
                    introspector.functions("function f() {}");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            thread.start();
            started.add(thread);
        }
        opened.await();
        introspector.close();
        closed.countDown();
        for (Thread thread : started) {
            thread.join();
        }

        for (AtomicReference<Throwable> failure : failures) {
            assertInstanceOf(IllegalStateException.class, failure.get());
        }
    }

    @Test
    void functions_afterClose_onAThreadWithoutContext_throwsIllegalStateException() {
        AcornIntrospector introspector = new AcornIntrospector(engine);
        introspector.close();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> introspector.functions("function f() {}"));
        assertFalse(e.getMessage().isBlank());
    }
}
