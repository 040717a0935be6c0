package dev.evaluator.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.evaluator.runtime.JsExecutionException.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Long-running built-ins end within their call's limit plus a second (strings are capped at 8 Mi units, so each
 * uninterruptible string built-in is short), and the default sort, which the engine runs in
 * code the watchdog cannot interrupt (toSorted() over 3 million numbers ran 12 to 17 s with a 1 s limit), keeps the
 * specification's order.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GraalJsRuntimeBuiltinsTest {
    private static final CallLimits ONE_SECOND = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(1));
    private static final String NUMS = "function nums(n) { var a = new Array(n);"
            + " for (var i = 0; i < n; i++) a[i] = (i * 7919) % n; return a; }\n";

    private static JsRuntime runtime;
    private static ExecutorService virtual;

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create(new RuntimeSettings(1, 8, 8));
        virtual = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterAll
    static void closeRuntime() {
        virtual.shutdownNow();
        runtime.close();
    }

    static Stream<Arguments> longBuiltins() {
        return Stream.of(
                argumentSet("toSorted() of 3 million numbers", "return nums(3000000).toSorted().length;"),
                argumentSet("sort() of 3 million numbers", "return nums(3000000).sort().length;"),
                argumentSet("sort with a comparator", "return nums(3000000).sort((a, b) => a - b).length;"),
                argumentSet("toSorted() of 3 million strings", "return nums(3000000).map(String).toSorted().length;"),
                argumentSet("join, again and again", "var a = nums(1000000); for (;;) a.join(',');"),
                argumentSet("JSON.stringify of a huge value, again and again",
                        "var a = nums(1000000); for (;;) JSON.stringify(a);"),
                argumentSet("JSON.parse of a huge text, again and again",
                        "var t = JSON.stringify(nums(1000000)); for (;;) JSON.parse(t);"),
                argumentSet("repeat, again and again", "for (;;) 'abcdefgh'.repeat(1000000);"),
                argumentSet("fill, again and again", "for (;;) new Array(3000000).fill(0);"));
    }

    @ParameterizedTest
    @MethodSource("longBuiltins")
    void call_longBuiltin_stoppedWithinItsLimitPlusOneSecond(String body) throws Exception {
        LibrarySource library = new LibrarySource("builtins/" + Integer.toHexString(body.hashCode()), "lib",
                NUMS + "function f() {\n  " + body + "\n}");
        // Loaded and compiled first, so the measured call is the built-in's.
        virtual.submit(() -> runtime.call(library, "nums", "[10]", ONE_SECOND)).get();

        long started = System.nanoTime();
        JsExecutionException e = virtual.submit(() -> assertThrows(JsExecutionException.class,
                () -> runtime.call(library, "f", "[]", ONE_SECOND))).get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, took.toString());
    }

    static Stream<Arguments> tooLongStrings() {
        return Stream.of(
                argumentSet("repeat", "'x'.repeat(20000000)"),
                argumentSet("join", "new Array(20000001).join('x')"),
                argumentSet("concatenation", "(function () { var s = 'x'.repeat(5000000); return s + s; })()"),
                argumentSet("JSON.stringify", "JSON.stringify(nums(3000000))"),
                argumentSet("padEnd", "''.padEnd(20000000, 'ab')"));
    }

    @ParameterizedTest
    @MethodSource("tooLongStrings")
    void call_stringBeyond8MiUnits_rangeErrorAtOnce(String expression) {
        LibrarySource library = new LibrarySource("builtins/long-" + Integer.toHexString(expression.hashCode()),
                "lib", NUMS + "function f() { return " + expression + ".length; }");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(library, "f", "[]", CallLimits.DEFAULT));

        assertEquals(Kind.THROWN, e.kind(), e.getMessage());
        assertTrue(e.thrown().orElseThrow().contains("RangeError"), e.thrown().orElseThrow());
    }

    @Test
    void call_resultLongerThanTheLongestString_resultTooLarge() {
        LibrarySource library = new LibrarySource("builtins/huge-result", "lib",
                "function f() { var s = 'x'.repeat(5000000); return [s, s]; }");
        CallLimits big = new CallLimits(Duration.ofSeconds(30), 256L << 20, Integer.MAX_VALUE - 8, 10, 100);

        JsExecutionException e = assertThrows(JsExecutionException.class, () -> runtime.call(library, "f", "[]", big));

        assertEquals(Kind.RESULT_TOO_LARGE, e.kind(), e.getMessage());
    }

    static Stream<Arguments> sortOrders() {
        return Stream.of(
                argumentSet("numbers by their strings", "[10, 9, 1, 2, 100].sort()", "[1,10,100,2,9]"),
                argumentSet("toSorted keeps the original", "(function () { var a = [3, 1, 2]; var b = a.toSorted();"
                        + " return [a, b]; })()", "[[3,1,2],[1,2,3]]"),
                argumentSet("undefined last, holes last", "[3, undefined, , 1].sort()", "[1,3,null,null]"),
                argumentSet("objects by toString", "[{toString() { return 'b'; }}, {toString() { return 'a'; }}]"
                        + ".sort().map(String)", "[\"a\",\"b\"]"),
                argumentSet("mixed types", "['b', 2, 'a', 1, true, null].sort()", "[1,2,\"a\",\"b\",null,true]"),
                argumentSet("a comparator as given", "[1, 3, 2].sort((a, b) => b - a)", "[3,2,1]"),
                argumentSet("stable", "[{k: 1, v: 'a'}, {k: 0, v: 'b'}, {k: 1, v: 'c'}].sort((x, y) => x.k - y.k)"
                        + ".map(o => o.v)", "[\"b\",\"a\",\"c\"]"),
                argumentSet("an array-like", "Array.prototype.sort.call({length: 2, 0: 'b', 1: 'a'})",
                        "{\"0\":\"a\",\"1\":\"b\",\"length\":2}"),
                argumentSet("name and length", "[[].sort.name, [].sort.length, [].toSorted.name]",
                        "[\"sort\",1,\"toSorted\"]"));
    }

    @ParameterizedTest
    @MethodSource("sortOrders")
    void call_defaultSort_specificationOrder(String expression, String json) {
        LibrarySource library = new LibrarySource("builtins/order-" + Integer.toHexString(expression.hashCode()),
                "lib", "function f() { return " + expression + "; }");

        assertEquals(Optional.of(json), runtime.call(library, "f", "[]", CallLimits.DEFAULT).json());
    }

    @Test
    void call_nonCallableComparatorOrSymbols_typeErrorAsBuiltIn() {
        LibrarySource library = new LibrarySource("builtins/errors", "lib",
                "function bad() { return [2, 1].sort(5); }\nfunction symbols() { return [Symbol('b'), Symbol('a')]"
                        + ".sort(); }");

        for (String function : new String[] {"bad", "symbols"}) {
            JsExecutionException e = assertThrows(JsExecutionException.class,
                    () -> runtime.call(library, function, "[]", CallLimits.DEFAULT));
            assertTrue(e.thrown().orElseThrow().contains("TypeError"), e.thrown().orElseThrow());
        }
    }
}
