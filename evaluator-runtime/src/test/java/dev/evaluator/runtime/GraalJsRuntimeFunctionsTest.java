package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class GraalJsRuntimeFunctionsTest {
    private static JsRuntime runtime;

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    private static JsFunction function(String name, int line, String... parameters) {
        return new JsFunction(name, List.of(parameters), false, line, Optional.empty());
    }

    static Stream<Arguments> couchbaseExamples() {
        return Stream.of(
                argumentSet("add and sub",
                        "function add(a, b) { let data = a + b; return data; }\n"
                                + " function sub(a, b) { let data = a - b; return data; }",
                        List.of(function("add", 1, "a", "b"), function("sub", 2, "a", "b"))),
                argumentSet("mul calling a helper",
                        "function mul(a, b) { return helper(a, b); }\n"
                                + "function helper(a, b) { return a * b; }",
                        List.of(function("mul", 1, "a", "b"), function("helper", 2, "a", "b"))),
                argumentSet("f2c", "function f2c(f) { return (5/9)*(f-32); }", List.of(function("f2c", 1, "f"))));
    }

    @ParameterizedTest
    @MethodSource("couchbaseExamples")
    void functions_couchbaseExample_listsEveryFunctionInOrder(String code, List<JsFunction> expected) {
        assertEquals(expected, runtime.functions("math", code));
    }

    static Stream<Arguments> functionForms() {
        return Stream.of(
                argumentSet("declaration", "function f(a, b) { return a; }"),
                argumentSet("async declaration", "async function f(a, b) { await a; }"),
                argumentSet("generator declaration", "function* f(a, b) { yield a; }"),
                argumentSet("async generator declaration", "async function* f(a, b) { yield a; }"),
                argumentSet("const function expression", "const f = function (a, b) { return a; };"),
                argumentSet("let named function expression: the variable's name", "let f = function g(a, b) {};"),
                argumentSet("var async function expression", "var f = async function (a, b) {};"),
                argumentSet("const generator expression", "const f = function* (a, b) {};"),
                argumentSet("arrow with expression body", "const f = (a, b) => a + b;"),
                argumentSet("arrow with block body", "let f = (a, b) => { return a + b; };"),
                argumentSet("async arrow", "var f = async (a, b) => a;"),
                argumentSet("parenthesized function expression", "const f = (function (a, b) {});"),
                argumentSet("declaration on several lines", "function f(\n  a,\n  b\n) {\n}"));
    }

    @ParameterizedTest
    @MethodSource("functionForms")
    void functions_functionForm_found(String code) {
        assertEquals(List.of(function("f", 1, "a", "b")), runtime.functions("lib", code));
    }

    @Test
    void functions_singleParameterArrowWithoutParentheses_found() {
        assertEquals(List.of(function("twice", 1, "x")), runtime.functions("lib", "const twice = x => x * 2;"));
    }

    static Stream<Arguments> notTopLevelFunctions() {
        return Stream.of(
                argumentSet("class declaration", "class A { m(a) {} static s(b) {} }"),
                argumentSet("class expression", "const A = class { m(a) {} };"),
                argumentSet("object literal methods", "const o = { m(a) {}, n: function (b) {}, p: (c) => c };"),
                argumentSet("assignment without declaration", "f = function (a) {};"),
                argumentSet("several declarators", "const a = 1, f = (b) => b;"),
                argumentSet("destructuring declaration", "const { f } = { f(a) { return a; } };"),
                argumentSet("function returned by a call", "const f = make((a) => a);"),
                argumentSet("immediately invoked function", "(function g(a) {})(1);"),
                argumentSet("function in a block", "{ function g(a) {} }"),
                argumentSet("function in an if", "if (true) { function g(a) {} }"),
                argumentSet("declaration without initializer", "let f;"),
                argumentSet("plain values", "const n = 1;\nvar s = 'function f() {}';"),
                argumentSet("empty library", ""),
                argumentSet("comments only", "// function f(a) {}\n/* function g(b) {} */"));
    }

    @ParameterizedTest
    @MethodSource("notTopLevelFunctions")
    void functions_notATopLevelFunction_notListed(String code) {
        assertEquals(List.of(), runtime.functions("lib", code));
    }

    @Test
    void functions_nestedFunctionsAndArrows_onlyOuterListed() {
        String code = """
                function outer(a) {
                  function inner(b) { return b; }
                  const arrow = (c) => c;
                  return inner(arrow(a));
                }
                const make = () => function made(d) {};
                """;

        assertEquals(List.of(function("outer", 1, "a"), function("make", 6)), runtime.functions("lib", code));
    }

    static Stream<Arguments> parameterLists() {
        return Stream.of(
                argumentSet("none", "function f() {}", List.of(), false),
                argumentSet("defaults", "function f(a = 1, b = a + 1) {}", List.of("a", "b"), false),
                argumentSet("rest", "function f(a, ...rest) {}", List.of("a", "rest"), true),
                argumentSet("rest only in an arrow", "const f = (...args) => args;", List.of("args"), true),
                argumentSet("object and array patterns", "function f({x, y}, [a, b]) {}", List.of("{x, y}", "[a, b]"),
                        false),
                argumentSet("pattern with a default: the pattern's text", "function f({x, y} = {}) {}",
                        List.of("{x, y}"), false),
                argumentSet("nested pattern", "const f = (a, {b: {c}}, ...more) => c;",
                        List.of("a", "{b: {c}}", "more"), true),
                argumentSet("rest pattern", "function f(...[a, b]) {}", List.of("[a, b]"), true),
                argumentSet("trailing comma", "function f(a, b,) {}", List.of("a", "b"), false),
                argumentSet("unicode names", "function f(名前, ünï) {}", List.of("名前", "ünï"), false));
    }

    @ParameterizedTest
    @MethodSource("parameterLists")
    void functions_parameterList_namesAndVariadic(String code, List<String> parameters, boolean variadic) {
        JsFunction f = runtime.functions("lib", code).getFirst();

        assertEquals(parameters, f.parameters());
        assertEquals(variadic, f.variadic());
    }

    static Stream<Arguments> lineNumbers() {
        return Stream.of(
                argumentSet("one a line", "function a() {}\nfunction b() {}", List.of(1, 2)),
                argumentSet("after a multi-line block comment", "/* one\ntwo\nthree */\nfunction a() {}", List.of(4)),
                argumentSet("after a multi-line JSDoc", "/**\n * Doc.\n */\nfunction a() {}\nconst b = () => 1;",
                        List.of(4, 5)),
                argumentSet("CRLF lines", "// one\r\n// two\r\n\r\nfunction a() {}\r\nconst b = () => 1;\r\n",
                        List.of(4, 5)),
                argumentSet("after a multi-line function", "function a(\n x,\n y\n) {\n}\nfunction b() {}",
                        List.of(1, 6)),
                argumentSet("after a multi-line template literal", "const s = `a\nb\nc`;\nfunction a() {}", List.of(4)),
                argumentSet("arrow split over lines: the statement's line", "\nconst a =\n  (x) =>\n    x;",
                        List.of(2)),
                argumentSet("after a hashbang", "#!/usr/bin/env node\nfunction a() {}", List.of(2)),
                argumentSet("several on one line", "function a() {} function b() {}", List.of(1, 1)));
    }

    @ParameterizedTest
    @MethodSource("lineNumbers")
    void functions_lines_oneBasedStartOfEachFunction(String code, List<Integer> lines) {
        assertEquals(lines, runtime.functions("lib", code).stream().map(JsFunction::line).toList());
    }

    static Stream<Arguments> docComments() {
        return Stream.of(
                argumentSet("JSDoc on several lines",
                        "/**\n * Adds two numbers.\n * @param a first\n * @param b second\n */\nfunction f(a, b) {}",
                        Optional.of("Adds two numbers.\n@param a first\n@param b second")),
                argumentSet("JSDoc on one line", "/** Adds. */ function f(a, b) {}", Optional.of("Adds.")),
                argumentSet("JSDoc with CRLF", "/**\r\n * Adds.\r\n * Fast.\r\n */\r\nfunction f() {}",
                        Optional.of("Adds.\nFast.")),
                argumentSet("JSDoc keeps a bullet's star", "/**\n * List:\n * * one\n */\nfunction f() {}",
                        Optional.of("List:\n* one")),
                argumentSet("block comment", "/* Adds. */\nfunction f() {}", Optional.of("Adds.")),
                argumentSet("line comments joined", "// Adds two numbers.\n// Returns their sum.\nfunction f() {}",
                        Optional.of("Adds two numbers.\nReturns their sum.")),
                argumentSet("JSDoc then a line comment", "/** Adds. */\n// Really.\nfunction f() {}",
                        Optional.of("Adds.\nReally.")),
                argumentSet("blank lines between still adjacent", "/** Adds. */\n\n\nfunction f() {}",
                        Optional.of("Adds.")),
                argumentSet("on an arrow function", "/** Doubles. */\nconst f = (x) => x * 2;",
                        Optional.of("Doubles.")),
                argumentSet("indented comment", "    // Adds.\n    function f() {}", Optional.of("Adds.")),
                argumentSet("separated by code: not attached", "// About x.\nconst x = 1;\nfunction f() {}",
                        Optional.empty()),
                argumentSet("trailing comment of the code before: not attached", "const x = 1; // x\nfunction f() {}",
                        Optional.empty()),
                argumentSet("own-line comment after a trailing one", "const x = 1; // x\n// Adds.\nfunction f() {}",
                        Optional.of("Adds.")),
                argumentSet("comment inside the previous function: not attached",
                        "function e() {\n  // inside e\n}\nfunction f() {}", Optional.empty()),
                argumentSet("empty comments", "/**/\n//\nfunction f() {}", Optional.empty()),
                argumentSet("hashbang is not a doc", "#!/usr/bin/env node\nfunction f() {}", Optional.empty()),
                argumentSet("none", "function f() {}", Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("docComments")
    void functions_commentsBefore_doc(String code, Optional<String> doc) {
        assertEquals(doc, runtime.functions("lib", code).getLast().doc());
    }

    @Test
    void functions_eachFunctionItsOwnDoc_notTheOnesBefore() {
        String code = """
                /** Adds. */
                function add(a, b) { return a + b; }

                /** Subtracts. */
                function sub(a, b) { return a - b; }
                function mul(a, b) { return a * b; }
                """;

        assertEquals(List.of(Optional.of("Adds."), Optional.of("Subtracts."), Optional.empty()),
                runtime.functions("lib", code).stream().map(JsFunction::doc).toList());
    }

    static Stream<Arguments> redeclarations() {
        return Stream.of(
                argumentSet("two declarations: the last", "function f(a) {}\nfunction f(a, b) {}",
                        List.of(function("f", 2, "a", "b"))),
                argumentSet("the last, in its place among the others",
                        "function f(a) {}\nfunction g() {}\nfunction f(b) {}",
                        List.of(function("g", 2), function("f", 3, "b"))),
                argumentSet("var assignments: the last", "var f = (a) => a;\nvar f = function (b) {};",
                        List.of(function("f", 2, "b"))),
                argumentSet("declaration then var assignment: the assignment", "function f(a) {}\nvar f = (b) => b;",
                        List.of(function("f", 2, "b"))),
                argumentSet("var assignment beats a later, hoisted declaration",
                        "var f = function (a) {};\nfunction f(b) {}",
                        List.of(function("f", 1, "a"))));
    }

    @ParameterizedTest
    @MethodSource("redeclarations")
    void functions_redeclaredName_keepsTheOneThatWinsAtRunTime(String code, List<JsFunction> expected) {
        assertEquals(expected, runtime.functions("lib", code));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void functions_topLevelInfiniteLoop_introspectedWithoutRunning() {
        assertEquals(List.of(function("f", 2, "a")), runtime.functions("lib", "while(true){}\nfunction f(a) {}"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void functions_topLevelThrow_introspectedWithoutRunning() {
        assertEquals(List.of(function("f", 2)), runtime.functions("lib", "throw new Error('ran');\nfunction f() {}"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void functions_libraryTamperingWithTheParser_hasNoEffectOnLaterCalls() {
        // Were the library run in a worker's context, it would replace acorn there for every later call.
        String tamper = "acorn.parse = function () { return { body: [] }; };\nglobalThis.acorn = null;\nfunction t() {}";
        int workers = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < workers * 2; i++) {
            assertEquals(List.of(function("t", 3)), runtime.functions("tamper", tamper));
            assertEquals(List.of(function("f", 1)), runtime.functions("lib", "function f() {}"));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.evaluator.runtime.GraalJsRuntimeTest#invalidScripts")
    void functions_invalidScript_reportsWhatCheckSyntaxReports(String code, int line, int column) {
        JsSyntaxException checked = assertThrows(JsSyntaxException.class, () -> runtime.checkSyntax("lib", code));
        JsSyntaxException e = assertThrows(JsSyntaxException.class, () -> runtime.functions("lib", code));

        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertEquals(checked.getMessage(), e.getMessage());
    }

    @Test
    void functions_deeplyNestedCode_throwsJsSyntaxException() {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> runtime.functions("deep", "[".repeat(200_000)));

        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    }

    static Stream<Arguments> deepButValidNesting() {
        return Stream.of(
                argumentSet("parentheses", "(".repeat(500) + "1" + ")".repeat(500)),
                argumentSet("arrays", "[".repeat(500) + "]".repeat(500)),
                argumentSet("objects", "{a:".repeat(500) + "1" + "}".repeat(500)));
    }

    /** acorn runs out of a default 1 MB thread stack at about 50 nested parentheses. */
    @ParameterizedTest
    @MethodSource("deepButValidNesting")
    void functions_deepButValidNesting_introspected(String expression) {
        String code = "function f(a) {\n  return " + expression + ";\n}";

        assertEquals(List.of(function("f", 1, "a")), runtime.functions("lib", code));
    }

    @Test
    void functions_afterClose_throwsIllegalStateException() {
        JsRuntime closed = JsRuntime.create();
        closed.functions("lib", "function f() {}");
        closed.close();

        assertThrows(IllegalStateException.class, () -> closed.functions("lib", "function f() {}"));
    }

    @Test
    void functions_eightThreadsOnDifferentLibraries_eachGetsItsOwnFunctions() throws Exception {
        int threads = 8;
        int calls = 25;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(() -> {
                start.await();
                for (int i = 0; i < calls; i++) {
                    // Names, parameter counts, lines and docs unique per thread and call: a crossed answer fails.
                    int line = thread * calls + i + 2;
                    String name = "f" + thread + "_" + i;
                    List<String> parameters = new ArrayList<>();
                    for (int p = 0; p <= (thread + i) % 5; p++) {
                        parameters.add("p" + p);
                    }
                    String code = "\n".repeat(line - 2) + "// " + name + " doc\nfunction " + name + "("
                            + String.join(", ", parameters) + ") { return 0; }\nconst helper" + thread
                            + " = () => " + i + ";";
                    List<JsFunction> expected = List.of(
                            new JsFunction(name, parameters, false, line, Optional.of(name + " doc")),
                            function("helper" + thread, line + 1));

                    assertEquals(expected, runtime.functions("lib" + thread, code), "thread " + thread + " call " + i);
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
