package dev.evaluator.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.evaluator.runtime.CallResult.LogLine;
import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * {@link JsRuntime#call}: how values cross, how libraries are loaded and kept, errors, console and the sandbox.
 * The limits are in {@link GraalJsRuntimeCallLimitsTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GraalJsRuntimeCallTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));

    private static JsRuntime runtime;

    /** Which thread ran the last call of {@link #callLogging}: the one that wrote its console line to the log. */
    private final AtomicLong loggedOnThread = new AtomicLong();

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    private static LibrarySource library(String code) {
        return new LibrarySource("test/" + Integer.toHexString(code.hashCode()), "lib", code);
    }

    private static CallResult call(String code, String function, String argsJson) {
        return runtime.call(library(code), function, argsJson, LIMITS);
    }

    private static String json(String code, String function, String argsJson) {
        return call(code, function, argsJson).json().orElseThrow();
    }

    private static JsExecutionException failure(String code, String function, String argsJson) {
        return assertThrows(JsExecutionException.class, () -> call(code, function, argsJson));
    }

    static Stream<Arguments> results() {
        return Stream.of(
                argumentSet("integer", "1", "1"),
                argumentSet("integral double stays an integer", "4.0 / 2", "2"),
                argumentSet("double keeps full precision", "0.1 + 0.2", "0.30000000000000004"),
                argumentSet("large double", "1e300", "1e+300"),
                argumentSet("largest safe integer", "Number.MAX_SAFE_INTEGER", "9007199254740991"),
                argumentSet("negative zero", "-0", "0"),
                argumentSet("NaN", "NaN", "null"),
                argumentSet("Infinity", "Infinity", "null"),
                argumentSet("-Infinity", "-Infinity", "null"),
                argumentSet("NaN and Infinity nested", "[NaN, {a: -Infinity}, 1]", "[null,{\"a\":null},1]"),
                argumentSet("null", "null", "null"),
                argumentSet("boolean", "true", "true"),
                argumentSet("string with quotes, newline and unicode", "'say \"hi\"\\n😀 中文'",
                        "\"say \\\"hi\\\"\\n😀 中文\""),
                argumentSet("undefined in an array becomes null", "[1, undefined, 3]", "[1,null,3]"),
                argumentSet("undefined in an object is left out", "({a: 1, b: undefined})", "{\"a\":1}"),
                argumentSet("Date as ISO-8601", "new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))",
                        "\"2024-01-02T03:04:05.006Z\""),
                argumentSet("nested Date", "({at: new Date(0)})", "{\"at\":\"1970-01-01T00:00:00.000Z\"}"),
                argumentSet("small BigInt as a number", "42n", "42"),
                argumentSet("BigInt 2^53 as a number", "2n ** 53n", "9007199254740992"),
                argumentSet("BigInt -2^53 as a number", "-(2n ** 53n)", "-9007199254740992"),
                argumentSet("BigInt beyond 2^53 as a string", "2n ** 53n + 1n", "\"9007199254740993\""),
                argumentSet("big BigInt nested as a string", "({a: [10n ** 30n]})",
                        "{\"a\":[\"1000000000000000000000000000000\"]}"),
                argumentSet("class instance: own fields only, methods on the prototype ignored",
                        "new (class P { constructor() { this.x = 1; } m() {} })()", "{\"x\":1}"),
                argumentSet("toJSON is honoured", "({toJSON() { return 'custom'; }})", "\"custom\""),
                argumentSet("Map is an empty object, as JSON.stringify makes it", "new Map([[1, 2]])", "{}"),
                argumentSet("nested arrays and objects", "({a: [1, {b: [2.5, 'c']}], d: {}})",
                        "{\"a\":[1,{\"b\":[2.5,\"c\"]}],\"d\":{}}"));
    }

    @ParameterizedTest
    @MethodSource("results")
    void call_result_crossesAsJson(String expression, String expected) {
        assertEquals(expected, json("function f() { return " + expression + "; }", "f", "[]"));
    }

    @Test
    void call_functionReturnsUndefined_emptyResult() {
        assertEquals(Optional.empty(), call("function f() {}", "f", "[]").json());
    }

    @Test
    void call_arguments_arriveAsJsonValues() {
        String code = "function echo(...args) { return args.map(a => [typeof a, a]); }";

        assertEquals("[[\"number\",1],[\"number\",2.5],[\"string\",\"x\"],[\"object\",null],[\"boolean\",true],"
                        + "[\"object\",{\"a\":[1]}]]",
                json(code, "echo", "[1, 2.5, \"x\", null, true, {\"a\": [1]}]"));
    }

    @Test
    void call_couchbaseExamples_computeResults() {
        String math = "function add(a, b) { let data = a + b; return data; }\n"
                + "function sub(a, b) { let data = a - b; return data; }\n"
                + "function f2c(f) { return (5/9)*(f-32); }";

        assertEquals("3", json(math, "add", "[1, 2]"));
        assertEquals("-1", json(math, "sub", "[1, 2]"));
        assertEquals("100", json(math, "f2c", "[212]"));
    }

    @Test
    void call_functionCallsAnotherOfItsLibrary_works() {
        String code = "function mul(a, b) { return helper(a, b); }\nfunction helper(a, b) { return a * b; }\n"
                + "const twice = (x) => mul(x, 2);";

        assertEquals("12", json(code, "mul", "[3, 4]"));
        assertEquals("14", json(code, "twice", "[7]"));
    }

    static Stream<Arguments> functionForms() {
        return Stream.of(
                argumentSet("declaration", "function f(a) { return a + 1; }"),
                argumentSet("const arrow", "const f = (a) => a + 1;"),
                argumentSet("let function expression", "let f = function (a) { return a + 1; };"),
                argumentSet("var", "var f = function (a) { return a + 1; };"),
                argumentSet("global property", "globalThis.f = (a) => a + 1;"),
                argumentSet("a library function that shadows a built-in's name", "function f(a) { return a + 1; }\n"
                        + "function parseInt(a) { return -1; }"));
    }

    @ParameterizedTest
    @MethodSource("functionForms")
    void call_topLevelFunctionForm_found(String code) {
        assertEquals("2", json(code, "f", "[1]"));
    }

    @Test
    void call_libraryFunctionNamedLikeABuiltIn_isTheLibrarysFunction() {
        assertEquals("-1", json("function parseInt(a) { return -1; }", "parseInt", "[\"5\"]"));
    }

    static Stream<Arguments> notFunctions() {
        return Stream.of(
                argumentSet("undefined name", "function f() {}", "g"),
                argumentSet("a number", "const g = 1;", "g"),
                argumentSet("an object", "var g = {};", "g"),
                argumentSet("a nested function", "function f() { function g() {} }", "g"),
                argumentSet("a built-in global", "function f() {}", "parseInt"),
                argumentSet("eval", "function f() {}", "eval"),
                argumentSet("a constructor", "function f() {}", "Array"),
                argumentSet("inherited from Object.prototype", "function f() {}", "toString"),
                argumentSet("constructor of the global object", "function f() {}", "constructor"),
                argumentSet("the prototype", "function f() {}", "__proto__"),
                argumentSet("console", "function f() {}", "console"),
                argumentSet("empty name", "function f() {}", ""));
    }

    @ParameterizedTest
    @MethodSource("notFunctions")
    void call_nameNotATopLevelFunctionOfTheLibrary_functionNotFoundNamingIt(String code, String function) {
        JsExecutionException e = failure(code, function, "[]");

        assertEquals(Kind.FUNCTION_NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("named " + function), e.getMessage());
    }

    @Test
    void call_topLevelCode_runsOncePerLoadedInstance() {
        String code = "let loads = 0;\nloads++;\nfunction count() { return loads; }";

        for (int i = 0; i < 50; i++) {
            assertEquals("1", json(code, "count", "[]"));
        }
    }

    @Test
    void call_stateBetweenCalls_keptOnTheWorker() {
        try (JsRuntime single = JsRuntime.create(new RuntimeSettings(1, 8, 4))) {
            LibrarySource counter = new LibrarySource("s/counter", "counter",
                    "let calls = 0;\nfunction next() { return ++calls; }");

            for (int i = 1; i <= 5; i++) {
                assertEquals(Optional.of(String.valueOf(i)), single.call(counter, "next", "[]", LIMITS).json());
            }
        }
    }

    @Test
    void call_libraryReplaced_nextCallRunsTheNewCode() {
        LibrarySource v1 = new LibrarySource("test/replaced", "replaced", "function version() { return 1; }");
        LibrarySource v2 = new LibrarySource("test/replaced", "replaced", "function version() { return 2; }");

        assertEquals(Optional.of("1"), runtime.call(v1, "version", "[]", LIMITS).json());
        assertEquals(Optional.of("2"), runtime.call(v2, "version", "[]", LIMITS).json());
        assertEquals(Optional.of("2"), runtime.call(v2, "version", "[]", LIMITS).json());
        assertEquals(Optional.of("1"), runtime.call(v1, "version", "[]", LIMITS).json());
    }

    @Test
    void call_sameCodeInAnotherStringInstance_notReloaded() {
        try (JsRuntime single = JsRuntime.create(new RuntimeSettings(1, 8, 4))) {
            String code = "console.log('loaded');\nfunction f() { return 1; }";

            CallResult first = single.call(new LibrarySource("k", "lib", code), "f", "[]", LIMITS);
            CallResult second = single.call(new LibrarySource("k", "lib", new String(code)), "f", "[]", LIMITS);

            assertEquals(List.of(new LogLine("log", "loaded")), first.logs());
            assertEquals(List.of(), second.logs());
        }
    }

    @Test
    void call_moreLibrariesThanContextsPerWorker_leastRecentlyUsedReloaded() {
        try (JsRuntime single = JsRuntime.create(new RuntimeSettings(1, 8, 2))) {
            String code = "console.log('loaded');\nfunction f() { return 1; }";
            LibrarySource a = new LibrarySource("a", "a", code);
            LibrarySource b = new LibrarySource("b", "b", code);
            LibrarySource c = new LibrarySource("c", "c", code);

            assertEquals(1, single.call(a, "f", "[]", LIMITS).logs().size());
            assertEquals(1, single.call(b, "f", "[]", LIMITS).logs().size());
            assertEquals(0, single.call(a, "f", "[]", LIMITS).logs().size());
            assertEquals(1, single.call(c, "f", "[]", LIMITS).logs().size());
            assertEquals(0, single.call(a, "f", "[]", LIMITS).logs().size(), "a was used after b");
            assertEquals(1, single.call(b, "f", "[]", LIMITS).logs().size(), "b was evicted");
        }
    }

    @Test
    void call_largeArrayResult_crossesWhole() {
        String code = "function range(n) { return Array.from({length: n}, (_, i) => i); }";

        // GraalJS allocates a few hundred bytes per element on the way (boxing, builders), far beyond what it keeps.
        CallLimits generous = new CallLimits(Duration.ofSeconds(30), 4L << 30, 10 << 20, 100, 2000);

        String result = runtime.call(library(code), "range", "[1000000]", generous).json().orElseThrow();

        assertTrue(result.startsWith("[0,1,2,"), result.substring(0, 20));
        assertTrue(result.endsWith(",999998,999999]"));
        assertEquals(6_888_891, result.length());
    }

    @Test
    void call_largeArrayArgumentAndObjectResult_crossWhole() {
        String code = "function index(values) { const o = {}; values.forEach((v, i) => { o['k' + i] = v; });"
                + " return o; }";
        StringBuilder args = new StringBuilder("[[");
        for (int i = 0; i < 200_000; i++) {
            args.append(i == 0 ? "" : ",").append(i);
        }
        args.append("]]");

        String result = json(code, "index", args.toString());

        assertTrue(result.startsWith("{\"k0\":0,\"k1\":1,"));
        assertTrue(result.endsWith("\"k199999\":199999}"));
    }

    static Stream<Arguments> unserializableResults() {
        return Stream.of(
                argumentSet("function", "function () {}", "the result is a function"),
                argumentSet("arrow function", "() => 1", "the result is a function"),
                argumentSet("class", "class A {}", "the result is a function"),
                argumentSet("symbol", "Symbol('s')", "the result is a symbol"),
                argumentSet("function in an object", "({a: 1, f() {}})", "a function (at key \"f\")"),
                argumentSet("function in an array", "[1, () => 2]", "a function (at key \"1\")"),
                argumentSet("symbol deep inside", "({a: {b: [Symbol.iterator]}})", "a symbol (at key \"0\")"),
                argumentSet("cycle", "(() => { const o = {a: {}}; o.a.back = o; return o; })()", "a cycle"),
                argumentSet("array containing itself", "(() => { const a = [1]; a.push(a); return a; })()",
                        "a cycle"));
    }

    @ParameterizedTest
    @MethodSource("unserializableResults")
    void call_resultJsonCannotRepresent_unserializableResultSayingWhat(String expression, String message) {
        JsExecutionException e = failure("function f() { return " + expression + "; }", "f", "[]");

        assertEquals(Kind.UNSERIALIZABLE_RESULT, e.kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                argumentSet("not JSON", "[1,"),
                argumentSet("an object", "{\"a\": 1}"),
                argumentSet("a number", "1"),
                argumentSet("empty", ""));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void call_argumentsNotAJsonArray_illegalArgument(String args) {
        assertThrows(IllegalArgumentException.class, () -> call("function f() { return 1; }", "f", args));
    }

    @Test
    void call_libraryWithSyntaxError_jsSyntaxExceptionWithPosition() {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> call("function ok() {}\nfunction add(a, b { return 1; }", "ok", "[]"));

        assertEquals(2, e.line());
        assertEquals(19, e.column());
    }

    @Test
    void call_functionThrowsError_detailsPointAtTheLibraryLine() {
        String code = """
                function inner(a) {
                  if (a > 1) {
                    throw new TypeError('bad ' + a);
                  }
                  return a;
                }
                function outer(a) {
                  return [a].map(v => inner(v))[0];
                }
                """;

        JsExecutionException e = failure(code, "outer", "[5]");

        assertEquals(Kind.THROWN, e.kind());
        assertEquals(Optional.of("\"TypeError: bad 5\""), e.thrown());
        assertEquals(Optional.of("lib.js:3"), e.location());
        assertEquals(Optional.of("throw new TypeError('bad ' + a);"), e.sourceLine());
        String stack = e.stack().orElseThrow();
        List<String> frames = stack.lines().toList();
        assertTrue(frames.get(0).startsWith("at inner (lib.js:3:"), stack);
        assertTrue(frames.get(1).startsWith("at lib.js:8:"), stack);
        assertTrue(stack.contains("at outer (lib.js:8:"), stack);
        assertFalse(stack.contains("prelude"), stack);
        assertTrue(e.getMessage().contains("TypeError: bad 5"), e.getMessage());
    }

    @Test
    void call_propertyOfNull_locationIsTheAccess() {
        String code = "// a comment\nfunction f(o) {\n  return o.a.b;\n}";

        JsExecutionException e = failure(code, "f", "[{}]");

        assertEquals(Kind.THROWN, e.kind());
        assertEquals(Optional.of("lib.js:3"), e.location());
        assertEquals(Optional.of("return o.a.b;"), e.sourceLine());
        assertTrue(e.thrown().orElseThrow().startsWith("\"TypeError: "), e.thrown().orElseThrow());
    }

    static Stream<Arguments> thrownValues() {
        return Stream.of(
                argumentSet("Error", "new Error('boom')", "\"Error: boom\""),
                argumentSet("Error without message", "new RangeError()", "\"RangeError\""),
                argumentSet("custom Error subclass", "new (class MyError extends Error {"
                        + " constructor(m) { super(m); this.name = 'MyError'; } })('mine')", "\"MyError: mine\""),
                argumentSet("string", "'oops'", "\"oops\""),
                argumentSet("number", "42", "42"),
                argumentSet("object", "({code: 42, reason: 'no'})", "{\"code\":42,\"reason\":\"no\"}"),
                argumentSet("null", "null", "null"),
                argumentSet("undefined", "undefined", "\"undefined\""),
                argumentSet("object with a cycle", "(() => { const o = {}; o.o = o; return o; })()",
                        "\"[object Object]\""));
    }

    @ParameterizedTest
    @MethodSource("thrownValues")
    void call_functionThrowsValue_thrownIsItsJson(String value, String expected) {
        JsExecutionException e = failure("function f() {\n  throw " + value + ";\n}", "f", "[]");

        assertEquals(Kind.THROWN, e.kind());
        assertEquals(Optional.of(expected), e.thrown());
        assertEquals(Optional.of("lib.js:2"), e.location());
    }

    @Test
    void call_topLevelCodeThrows_loadFailedWithDetailsAndNextCallRetries() {
        String code = "console.log('loading');\nconst config = JSON.parse('{bad');\nfunction f() { return 1; }";

        for (int i = 0; i < 2; i++) {
            JsExecutionException e = failure(code, "f", "[]");

            assertEquals(Kind.LOAD_FAILED, e.kind());
            assertEquals(Optional.of("lib.js:2"), e.location());
            assertEquals(Optional.of("const config = JSON.parse('{bad');"), e.sourceLine());
            assertTrue(e.thrown().orElseThrow().startsWith("\"SyntaxError: "), e.thrown().orElseThrow());
            assertEquals(List.of(new LogLine("log", "loading")), e.logs());
        }
    }

    @Test
    void call_veryLongSourceLine_sourceLineIsAWindowAroundTheFailure() {
        String code = "function f() { var x = 1;" + " x = x + 1;".repeat(2000) + " throw new Error('deep'); }";

        JsExecutionException e = failure(code, "f", "[]");

        String line = e.sourceLine().orElseThrow();
        assertTrue(line.length() <= 242, String.valueOf(line.length()));
        assertTrue(line.contains("throw new Error('deep')"), line);
        assertTrue(line.startsWith("…"), line);
    }

    @Test
    void call_consoleBeforeThrow_linesInTheException() {
        JsExecutionException e = failure("function f() { console.log('step', 1); console.error('bad'); throw 1; }",
                "f", "[]");

        assertEquals(List.of(new LogLine("log", "step 1"), new LogLine("error", "bad")), e.logs());
    }

    static Stream<Arguments> consoleFormats() {
        return Stream.of(
                argumentSet("string as it is", "'plain \"text\"'", "plain \"text\""),
                argumentSet("several arguments joined with spaces", "'a', 1, true, null", "a 1 true null"),
                argumentSet("undefined", "undefined", "undefined"),
                argumentSet("numbers", "1.5, NaN, -0, Infinity", "1.5 NaN -0 Infinity"),
                argumentSet("BigInt", "10n", "10n"),
                argumentSet("object as JSON", "{a: [1, 'x'], b: {c: null}}", "{\"a\":[1,\"x\"],\"b\":{\"c\":null}}"),
                argumentSet("undefined inside an object", "{a: undefined}", "{\"a\":\"undefined\"}"),
                argumentSet("function", "function named() {}", "[Function: named]"),
                argumentSet("function inside an object", "{f: () => 1}", "{\"f\":\"[Function: f]\"}"),
                argumentSet("symbol", "Symbol('s')", "Symbol(s)"),
                argumentSet("Date", "new Date(0)", "1970-01-01T00:00:00.000Z"),
                argumentSet("cycle", "(() => { const o = {a: 1}; o.self = o; return o; })()",
                        "{\"a\":1,\"self\":\"[Circular]\"}"));
    }

    @ParameterizedTest
    @MethodSource("consoleFormats")
    void call_consoleLog_formatsLikeAConsole(String arguments, String expected) {
        CallResult result = call("function f() { console.log(" + arguments + "); }", "f", "[]");

        assertEquals(List.of(new LogLine("log", expected)), result.logs());
    }

    @Test
    void call_consoleError_lineIsTheErrorsStack() {
        CallResult result = call("function f() {\n  console.log(new Error('shown'));\n}", "f", "[]");

        String line = result.logs().get(0).message();
        assertTrue(line.startsWith("Error: shown\n"), line);
        assertTrue(line.contains("lib.js:2"), line);
    }

    @Test
    void call_everyConsoleLevel_capturedInOrder() {
        CallResult result = call("function f() { console.log('l'); console.info('i'); console.warn('w');"
                + " console.error('e'); console.debug('d'); return 1; }", "f", "[]");

        assertEquals(List.of(new LogLine("log", "l"), new LogLine("info", "i"), new LogLine("warn", "w"),
                new LogLine("error", "e"), new LogLine("debug", "d")), result.logs());
        assertEquals(0, result.dropped());
        assertEquals(Optional.of("1"), result.json());
    }

    @Test
    void call_moreLinesThanTheLimit_keptUpToItAndTheRestCounted() {
        CallLimits limits = new CallLimits(Duration.ofSeconds(30), 256L << 20, 1 << 20, 3, 5);

        CallResult result = runtime.call(library("function f() { for (let i = 0; i < 10; i++) {"
                + " console.log('line ' + i); } return 'done'; }"), "f", "[]", limits);

        assertEquals(List.of(new LogLine("log", "line "), new LogLine("log", "line "), new LogLine("log", "line ")),
                result.logs());
        assertEquals(7, result.dropped());
        assertEquals(Optional.of("\"done\""), result.json());
    }

    @Test
    void call_consoleLinesOfOneCall_notInTheNext() {
        String code = "function f(x) { console.log('call', x); return x; }";

        assertEquals(List.of(new LogLine("log", "call 1")), call(code, "f", "[1]").logs());
        assertEquals(List.of(new LogLine("log", "call 2")), call(code, "f", "[2]").logs());
    }

    static Stream<Arguments> sandboxEscapes() {
        return Stream.of(
                argumentSet("Java.type", "Java.type('java.lang.System')", "Java is not defined"),
                argumentSet("Java package globals", "Packages.java.lang.System", "Packages is not defined"),
                argumentSet("java package global", "java.lang.System", "java is not defined"),
                argumentSet("Polyglot.eval", "Polyglot.eval('js', '1')", "Polyglot is not defined"),
                argumentSet("Polyglot.import", "Polyglot.import('x')", "Polyglot is not defined"),
                argumentSet("Graal", "Graal.versionJS", "Graal is not defined"),
                argumentSet("load", "load('/etc/passwd')", "load is not defined"),
                argumentSet("require", "require('fs')", "require is not defined"),
                argumentSet("print", "print('x')", "print is not defined"),
                argumentSet("quit", "quit()", "quit is not defined"),
                argumentSet("setTimeout", "setTimeout(() => 1, 0)", "setTimeout is not defined"),
                argumentSet("SharedArrayBuffer", "new SharedArrayBuffer(8)", "SharedArrayBuffer is not defined"),
                argumentSet("indirect eval", "(0, globalThis['ev' + 'al'])('1')", "EvalError"),
                argumentSet("new Function", "new Function('return 1')()", "EvalError"),
                argumentSet("Function without new", "Function('return 1')()", "EvalError"),
                argumentSet("a function's constructor", "(function () {}).constructor('return 1')()", "EvalError"),
                argumentSet("an arrow's constructor", "(() => 1).constructor('return 1')()", "EvalError"),
                argumentSet("async function constructor",
                        "Object.getPrototypeOf(async function () {}).constructor('return 1')", "EvalError"),
                argumentSet("generator function constructor",
                        "Object.getPrototypeOf(function* () {}).constructor('yield 1')", "EvalError"),
                argumentSet("async generator function constructor",
                        "Object.getPrototypeOf(async function* () {}).constructor('yield 1')", "EvalError"),
                argumentSet("global object's constructor's constructor",
                        "globalThis.constructor.constructor('return this')()", "EvalError"),
                argumentSet("Reflect.construct of Function", "Reflect.construct(Function, ['return 1'])",
                        "EvalError"));
    }

    @ParameterizedTest
    @MethodSource("sandboxEscapes")
    void call_sandboxEscape_failsWithAClearError(String expression, String message) {
        JsExecutionException e = failure("function escape() {\n  return " + expression + ";\n}", "escape", "[]");

        assertEquals(Kind.THROWN, e.kind());
        assertTrue(e.thrown().orElseThrow().contains(message), e.thrown().orElseThrow());
        assertEquals(Optional.of("lib.js:2"), e.location());
    }

    @Test
    void call_directEval_evalErrorSayingCodeGenerationIsDisabled() {
        JsExecutionException e = failure("function f() { return eval('1'); }", "f", "[]");

        assertTrue(e.thrown().orElseThrow().contains("dynamic evaluation of code is disabled"),
                e.thrown().orElseThrow());
    }

    @Test
    void call_sandboxGlobals_onlyStandardOnesAndConsole() {
        String code = "function globals() { return Object.getOwnPropertyNames(globalThis)"
                + ".filter(n => ['Java', 'Polyglot', 'Graal', 'load', 'print', 'require', 'Packages', 'java',"
                + " 'console', 'JSON', 'Math'].includes(n)).sort(); }";

        assertEquals("[\"JSON\",\"Math\",\"console\"]", json(code, "globals", "[]"));
    }

    @Test
    void call_libraryReplacesJsonAndReflect_resultsStillCross() {
        String code = "JSON.stringify = () => 'hijacked'; JSON.parse = () => [0, 0]; Reflect.apply = () => 0;\n"
                + "function add(a, b) { return {sum: a + b}; }";

        assertEquals("{\"sum\":3}", json(code, "add", "[1, 2]"));
    }

    @Test
    void call_eightThreadsOnTheSharedEngine_eachGetsItsOwnResults() throws Exception {
        int threads = 8;
        int calls = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            // Half the threads share a library, half have their own.
            LibrarySource library = new LibrarySource("parallel/" + (thread % 2 == 0 ? "shared" : "own" + thread),
                    "parallel", "function add(a, b) { console.log(a); return a + b; }");
            tasks.add(() -> {
                start.await();
                for (int i = 0; i < calls; i++) {
                    int a = thread * 1_000_000 + i;
                    CallResult result = runtime.call(library, "add", "[" + a + ", " + thread + "]", LIMITS);
                    assertEquals(Optional.of(String.valueOf(a + thread)), result.json());
                    assertEquals(List.of(new LogLine("log", String.valueOf(a))), result.logs());
                }
                return null;
            });
        }
        // Half on platform threads (run in process when a slot is free), half on virtual threads (always on workers).
        try (ExecutorService pool = Executors.newFixedThreadPool(threads / 2);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add((t % 2 == 0 ? pool : virtual).submit(tasks.get(t)));
            }
            start.countDown();
            for (Future<Void> future : done) {
                future.get();
            }
        }
    }

    @Test
    void call_virtualThreadCaller_runsOnAWorker() throws Exception {
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> thread = virtual.submit(() -> {
                callLogging("threads/virtual");
                return Thread.currentThread().threadId();
            });

            long caller = thread.get();
            assertNotEquals(caller, loggedOnThread.get(), "a virtual thread ran JavaScript");
        }
    }

    @Test
    void call_platformThreadCallerWithAFreeSlot_runsOnTheCallingThread() {
        callLogging("threads/platform");

        assertEquals(Thread.currentThread().threadId(), loggedOnThread.get());
    }

    @Test
    void call_consoleErrorWithAForgedLogLine_oneInfoLineTaggedAsConsoleWithTheBreakEscaped() {
        List<LogRecord> records;
        try (LogCapture log = LogCapture.of("dev.evaluator.udf")) {
            runtime.call(new LibrarySource("logs/forged", "forged", "function f() { console.error('ok\\n2031-01-01T00:00:00.000"
                    + " INFO dev.evaluator.access: method=DELETE status=200\\u001b'); return 1; }"), "f", "[]", LIMITS);
            records = log.records();
        }

        LogRecord record = records.stream().filter(r -> "logs/forged".equals(String.valueOf(r.getParameters()[1])))
                .findFirst().orElseThrow();
        String message = new java.util.logging.SimpleFormatter().formatMessage(record);
        assertEquals(java.util.logging.Level.INFO, record.getLevel(), "console.error is at most INFO");
        assertEquals("console.error [logs/forged] f: ok\\n2031-01-01T00:00:00.000 INFO dev.evaluator.access:"
                + " method=DELETE status=200\\u001b", message);
    }

    private void callLogging(String key) {
        try (LogCapture log = LogCapture.of("dev.evaluator.udf")) {
            runtime.call(new LibrarySource(key, "threads", "function f() { console.log('here'); return 7; }"), "f",
                    "[]", LIMITS);
            log.records().stream().filter(record -> String.valueOf(record.getParameters()[1]).equals(key))
                    .forEach(record -> loggedOnThread.set(record.getLongThreadID()));
        }
    }

    @Test
    void call_hotFunction_jitStillActive() {
        String code = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }";
        for (int i = 0; i < 200; i++) {
            assertEquals("6765", json(code, "fib", "[20]"));
        }

        assertTrue(runtime.jitActive(), runtime.implementationName());
    }

    @Test
    void call_afterClose_illegalState() {
        JsRuntime closed = JsRuntime.create(new RuntimeSettings(1, 1, 1));
        closed.call(library("function f() { return 1; }"), "f", "[]", LIMITS);
        closed.close();

        assertThrows(IllegalStateException.class,
                () -> closed.call(library("function f() { return 1; }"), "f", "[]", LIMITS));
    }
}
