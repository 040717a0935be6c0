package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class GraalJsRuntimeTest {
    private static JsRuntime runtime;

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    @Test
    void checkSyntax_deeplyNestedCode_throwsJsSyntaxException() {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> runtime.checkSyntax("deep", "[".repeat(200_000)));
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    }

    static Stream<Arguments> validScripts() {
        return Stream.of(
                argumentSet("Couchbase add/sub example",
                        "function add(a, b) { let data = a + b; return data; }\n"
                                + " function sub(a, b) { let data = a - b; return data; }"),
                argumentSet("Couchbase f2c example", "function f2c(f) { return (5/9)*(f-32); }"),
                argumentSet("class with fields, getter and static method",
                        "class Point {\n  #x = 0;\n  y = 0;\n  get x() { return this.#x; }\n"
                                + "  static origin() { return new Point(); }\n}\n"
                                + "class Point3 extends Point { constructor() { super(); this.z = 0; } }"),
                argumentSet("arrow functions", "const double = x => x * 2;\nconst sum = (a, b) => { return a + b; };"),
                argumentSet("template literal", "function greet(name) { return `Hello, ${name}!\\n${1 + 1}`; }"),
                argumentSet("async function and generator",
                        "async function f() { await null; }\nfunction* g() { yield 1; }"),
                argumentSet("destructuring, spread, optional chaining, nullish",
                        "function f({a, b: [c] = []}, ...rest) { return a?.b ?? c ?? rest.length; }"),
                argumentSet("unicode in strings and identifiers", "const 名前 = '😀 中文';\nfunction ünï() { return 名前; }"),
                argumentSet("comments only", "// a line comment\n/* a block\n   comment */\n"),
                argumentSet("empty", ""),
                argumentSet("hashbang", "#!/usr/bin/env node\nfunction f() {}"));
    }

    @ParameterizedTest
    @MethodSource("validScripts")
    void checkSyntax_validScript_accepted(String code) {
        assertDoesNotThrow(() -> runtime.checkSyntax("lib", code));
    }

    static Stream<Arguments> invalidScripts() {
        return Stream.of(
                argumentSet("missing parenthesis (Couchbase example)", "function add(a, b { return 1; }", 1, 19),
                argumentSet("error on line 3",
                        "function f() {\n  let x = 1;\n  let y = = 2;\n  return x + y;\n}", 3, 11),
                argumentSet("error on line 3 after CRLF lines", "// one\r\n// two\r\nlet x = = 1;\r\n", 3, 9),
                argumentSet("unclosed function body ends at eof", "function f() { let x = 1;\n", 2, 1),
                argumentSet("redeclared let (early error)", "let a; let a;", 1, 12),
                argumentSet("top-level return", "return 1;", 1, 1),
                argumentSet("unterminated template literal", "const s = `abc", 1, 15),
                argumentSet("unterminated group in regex, reported after the literal", "const r = /(a/;", 1, 15),
                argumentSet("ES module syntax in a script", "import x from 'y';", 1, 1),
                argumentSet("strict mode with statement", "'use strict'; with (a) {}", 1, 15),
                argumentSet("column counted after non-ASCII text", "const s = '中文' oops", 1, 16));
    }

    @ParameterizedTest
    @MethodSource("invalidScripts")
    void checkSyntax_invalidScript_reportsOneBasedLineAndColumn(String code, int line, int column) {
        JsSyntaxException e = assertThrows(JsSyntaxException.class, () -> runtime.checkSyntax("lib", code));

        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("invalidScripts")
    void checkSyntax_invalidScript_messageHasNoPositionPrefixAndNoSourceEcho(String code, int line, int column) {
        JsSyntaxException e = assertThrows(JsSyntaxException.class, () -> runtime.checkSyntax("mylib", code));

        String message = e.getMessage();
        assertFalse(message.isBlank());
        assertFalse(message.startsWith("SyntaxError"), message);
        assertFalse(message.contains("mylib.js"), message);
        assertFalse(message.matches("(?s).*:\\d+:\\d+.*"), message);
        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains("^"), message);
        for (String sourceLine : code.split("\r?\n")) {
            // Single tokens such as "found {" are fine; a whole line of the library is an echo.
            if (sourceLine.strip().length() > 6) {
                assertFalse(message.contains(sourceLine.strip()), message);
            }
        }
    }

    @Test
    void checkSyntax_missingParenthesis_messageIsEnginesFirstLineOnly() {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> runtime.checkSyntax("x", "function add(a, b { return 1; }"));

        assertEquals("Expected , but found {", e.getMessage());
    }

    @Test
    void checkSyntax_secretBeforeError_notEchoedInMessage() {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> runtime.checkSyntax("x", "const password = \"hunter2\" oops;"));

        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("password"), e.getMessage());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void checkSyntax_topLevelThrow_acceptedWithoutRunning() {
        assertDoesNotThrow(() -> runtime.checkSyntax("lib", "throw new Error(\"ran\");"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void checkSyntax_topLevelInfiniteLoop_acceptedWithoutRunning() {
        assertDoesNotThrow(() -> runtime.checkSyntax("lib", "while(true){}"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void checkSyntax_topLevelCallOfUndefined_acceptedWithoutRunning() {
        assertDoesNotThrow(() -> runtime.checkSyntax("lib", "notDefinedAnywhere(); for (;;) {}"));
    }

    @Test
    void jitActive_graalCompilerOnUpgradeModulePath_isTrue() {
        assertNotEquals("Interpreted", runtime.implementationName(),
                "the Graal JIT is not active: run the JVM with the JVMCI flags of the surefire argLine");
        assertTrue(runtime.jitActive(), runtime.implementationName());
    }

    @Test
    void checkSyntax_eightThreadsMixingValidAndInvalid_eachGetsItsOwnOutcome() throws Exception {
        int threads = 8;
        int checks = 40;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(() -> {
                start.await();
                for (int i = 0; i < checks; i++) {
                    // The error's line is unique per thread and check, so a crossed answer cannot pass.
                    int errorLine = thread * checks + i + 1;
                    String padding = "\n".repeat(errorLine - 1);
                    if ((thread + i) % 2 == 0) {
                        runtime.checkSyntax("ok" + thread, padding + "function f" + i + "(a) { return a; }");
                    } else {
                        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                                () -> runtime.checkSyntax("bad" + thread, padding + "function (a { }"));
                        assertEquals(errorLine, e.line(), "thread " + thread + " check " + i);
                        assertEquals(10, e.column(), "thread " + thread + " check " + i);
                    }
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Void>> done = workers.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Void> future : done) {
                future.get();
            }
        }
    }
}
