package dev.evaluator.runtime;

import java.time.Duration;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * No code from strings by any module or loader route: each route is refused when a library is saved (checkSyntax,
 * functions) and when it would be loaded by a call, before any of its code runs. The routes already closed by the
 * context options (eval, the Function constructors, load, Polyglot, Java) are in {@link GraalJsRuntimeCallTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GraalJsRuntimeNoCodeFromStringsTest {
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(30));

    private static JsRuntime runtime;

    @BeforeAll
    static void createRuntime() {
        runtime = JsRuntime.create();
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    /** Each route as the body of {@code f}, with a top-level flag that shows whether any of the library ran. */
    static Stream<Arguments> importRoutes() {
        return Stream.of(
                argumentSet("import() of a data: URL",
                        "return import('data:text/javascript,' + encodeURIComponent('export default 6*7'));"),
                argumentSet("import() of a base64 data: URL",
                        "return import('data:text/javascript;base64,ZXhwb3J0IGRlZmF1bHQgNDI=');"),
                argumentSet("import() of a file", "return import('/etc/passwd');"),
                argumentSet("import() of a relative module", "return import('./other.js');"),
                argumentSet("import() of a URL", "return import('https://example.com/m.js');"),
                argumentSet("import() with attributes",
                        "return import('data:application/json,42', {with: {type: 'json'}});"),
                argumentSet("import() of a computed specifier", "var s = 'da' + 'ta:text/javascript,1'; return import(s);"),
                argumentSet("import() inside a nested arrow",
                        "return [1].map(() => (() => import('data:text/javascript,1'))())[0];"),
                argumentSet("import() in a default parameter", "return (function (m = import('x')) { return m; })();"),
                argumentSet("import() in a template literal", "return `${import('data:text/javascript,1')}`;"),
                argumentSet("import() in a class field",
                        "return new (class { m = import('data:text/javascript,1'); })().m;"));
    }

    @ParameterizedTest
    @MethodSource("importRoutes")
    void call_dynamicImport_loadFailedBeforeAnyCodeRuns(String body) {
        LibrarySource library = new LibrarySource("imports/" + Integer.toHexString(body.hashCode()), "lib",
                "console.log('top level ran');\nfunction f() {\n  " + body + "\n}");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(library, "f", "[]", LIMITS));

        assertEquals(Kind.LOAD_FAILED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("dynamic import() is not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("lib.js:3"), e.getMessage());
        assertTrue(e.logs().isEmpty(), "none of the library ran: " + e.logs());
    }

    @ParameterizedTest
    @MethodSource("importRoutes")
    void checkSyntax_dynamicImport_syntaxErrorWithItsLine(String body) {
        JsSyntaxException e = assertThrows(JsSyntaxException.class,
                () -> runtime.checkSyntax("lib", "function f() {\n  " + body + "\n}"));

        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("dynamic import() is not allowed"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("importRoutes")
    void functions_dynamicImport_syntaxError(String body) {
        assertThrows(JsSyntaxException.class, () -> runtime.functions("lib", "function f() {\n  " + body + "\n}"));
    }

    /** Routes that GraalJS itself rejects in a script, or that the context options leave undefined. */
    static Stream<Arguments> otherRoutes() {
        return Stream.of(
                argumentSet("static import", "import x from 'data:text/javascript,1';\nfunction f() { return x; }"),
                argumentSet("export", "export function f() { return 1; }"),
                argumentSet("import.meta", "function f() {\n  return import.meta.url;\n}"));
    }

    @ParameterizedTest
    @MethodSource("otherRoutes")
    void call_moduleSyntax_refusedAsASyntaxError(String code) {
        LibrarySource library = new LibrarySource("imports/other-" + Integer.toHexString(code.hashCode()), "lib", code);

        assertThrows(JsSyntaxException.class, () -> runtime.call(library, "f", "[]", LIMITS));
        assertThrows(JsSyntaxException.class, () -> runtime.checkSyntax("lib", code));
    }

    static Stream<Arguments> undefinedLoaders() {
        return Stream.of(
                argumentSet("ShadowRealm.evaluate", "new ShadowRealm().evaluate('6*7')", "ShadowRealm is not defined"),
                argumentSet("Realm.eval (d8)", "Realm.eval(Realm.create(), '6*7')", "Realm is not defined"),
                argumentSet("Worker", "new Worker('data:text/javascript,1')", "Worker is not defined"),
                argumentSet("WebAssembly.compile", "WebAssembly.compile(new Uint8Array(8))",
                        "WebAssembly is not defined"),
                argumentSet("importScripts", "importScripts('x.js')", "importScripts is not defined"),
                argumentSet("loadWithNewGlobal", "loadWithNewGlobal('data:,1')", "loadWithNewGlobal is not defined"),
                argumentSet("Polyglot.evalFile", "Polyglot.evalFile('js', '/etc/passwd')", "Polyglot is not defined"));
    }

    @ParameterizedTest
    @MethodSource("undefinedLoaders")
    void call_otherLoader_notDefined(String expression, String message) {
        LibrarySource library = new LibrarySource("imports/loader-" + Integer.toHexString(expression.hashCode()),
                "lib", "function f() {\n  return " + expression + ";\n}");

        JsExecutionException e = assertThrows(JsExecutionException.class,
                () -> runtime.call(library, "f", "[]", LIMITS));

        assertEquals(Kind.THROWN, e.kind(), e.getMessage());
        assertTrue(e.thrown().orElseThrow().contains(message), e.thrown().orElseThrow());
    }

    @Test
    void call_importAsAPropertyName_notRefused() {
        // `import` as a method or property name is not an import.
        LibrarySource library = new LibrarySource("imports/property", "lib",
                "var o = {import: function (x) { return x; }};\nfunction f() { return o.import(1) + o['import'](1); }");

        assertEquals("2", runtime.call(library, "f", "[]", LIMITS).json().orElseThrow());
        assertFalse(runtime.functions("lib", library.code()).isEmpty());
    }
}
