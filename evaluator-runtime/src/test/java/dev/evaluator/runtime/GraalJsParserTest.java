package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import org.graalvm.polyglot.Engine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * GraalJS's own parser, called directly, against acorn (the listing it replaces on the fast path): for every library
 * it lists, the list must be acorn's, doc comments and lines included; what it cannot list exactly it leaves to the
 * slower path.
 */
class GraalJsParserTest {
    private static Engine engine;
    private static AcornIntrospector acorn;

    @BeforeAll
    static void create() {
        engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
        acorn = new AcornIntrospector(engine);
    }

    @AfterAll
    static void close() {
        acorn.close();
        engine.close();
    }

    private static List<JsFunction> listed(String code) {
        GraalJsParser.Outcome outcome = GraalJsParser.parse("lib", code);
        return assertInstanceOf(GraalJsParser.Outcome.Listed.class, outcome, code).functions();
    }

    static Stream<Arguments> libraries() {
        return Stream.of(
                argumentSet("declarations", "function add(a, b) { return a + b; }\n function sub(a, b) {}"),
                argumentSet("every form", "function a(x) {}\nasync function b(x) {}\nfunction* c(x) {}\n"
                        + "async function* d(x) {}\nconst e = function (x) {};\nlet f = function g(x) {};\n"
                        + "var h = async function (x) {};\nconst i = (x, y) => x;\nvar j = async x => x;\n"
                        + "const k = (function (x) {});"),
                argumentSet("rest parameters", "function v(a, ...rest) {}\nconst w = (...all) => all;"),
                argumentSet("not functions", "var a = 1;\nclass C {}\nlet b = 2, c = function () {};\n"
                        + "const [d] = [function () {}];\nvar e = {f: function () {}};\nif (true) { function g() {} }"),
                argumentSet("redeclared", "function f(a) {}\nvar f = function (b) {};\nfunction f(c) {}\n"
                        + "function g() {}\nfunction g(x) {}"),
                argumentSet("line comments", "// one\n// two\nfunction f() {}\n\n// after a blank line\n\n"
                        + "function g() {}"),
                argumentSet("JSDoc", "/**\n * Adds.\n * @param a one\n */\nfunction add(a) {}\n/* plain */ function b() {}"),
                argumentSet("trailing comment is not a doc", "var x = 1; // trailing\nfunction f() {}\n"
                        + "function g() {} // after g\nfunction h() {}"),
                argumentSet("comment then code on its line", "/* a */ var y = 2;\nfunction f() {}"),
                argumentSet("empty and blank comments", "//\n/* */\nfunction f() {}\n/***/\nfunction g() {}"),
                argumentSet("semicolons between", "function f() {};;\n// doc\n;function g() {}"),
                argumentSet("shebang", "#!/usr/bin/env node\nfunction f() {}"),
                argumentSet("shebang then doc", "#!/usr/bin/env node\n// doc\nfunction f() {}"),
                argumentSet("CRLF", "// one\r\n// two\r\nfunction f(a)\r\n{\r\n}\r\n/**\r\n * x\r\n */\r\nfunction g() {}"),
                argumentSet("unicode", "// é 中文\nfunction ünï(ç, 变量) { return '中文'; }\nconst ﬁ = (a) => a;"),
                argumentSet("statements between", "let cache = new Map();\nfor (var i = 0; i < 2; i++) {}\n"
                        + "// doc of f\nfunction f() { return cache; }\nwhile (false) {}\nfunction g() {}"),
                argumentSet("template literal with slashes before", "const t = `// not a comment /* nor */`;\n"
                        + "// real\nfunction f() {}"),
                argumentSet("string with slashes before", "var s = '/* x */'; var u = \"// y\";\nfunction f() {}"),
                argumentSet("declaration on several lines", "/** d */\nfunction f(\n  a,\n  b\n) {\n}"),
                argumentSet("nested functions are not listed", "function outer() { function inner() {} }"),
                argumentSet("no functions", "var x = 1 + 2;"),
                argumentSet("empty", ""));
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void parse_library_listsWhatAcornLists(String code) {
        assertEquals(acorn.functions(code), listed(code));
    }

    @Test
    void parse_generatedLibraries_listWhatAcornLists() {
        Random random = new Random(15);
        String[] pieces = {"function f%d(a, b) { return a + b; }", "async function f%d(a) { await a; }",
                "const f%d = (a) => a;", "let f%d = function (x, ...r) {};", "var f%d = 1;", "function* f%d() {}",
                "class C%d {}", "var f%d = function () {}, g%d = 2;", "f%d();", "if (x%d) {}",
                "// line %d", "/* block %d */", "/**\n * doc %d\n * @param a\n */", "//  spaced %d  ", ";", "",
                "var s%d = '// %d';", "/* a */ /* b %d */", "function f%d() {} // trailing %d",
                "var t%d = `/* %d */`;"};
        String[] breaks = {"\n", "\n\n", "\r\n", " ", "\n  "};
        int listed = 0;
        for (int n = 0; n < 500; n++) {
            StringBuilder code = new StringBuilder();
            int parts = 1 + random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                String piece = pieces[random.nextInt(pieces.length)];
                code.append(piece.replace("%d", Integer.toString(random.nextInt(6))))
                        .append(breaks[random.nextInt(breaks.length)]);
            }
            String library = code.toString();
            GraalJsParser.Outcome outcome = GraalJsParser.parse("lib", library);
            if (outcome instanceof GraalJsParser.Outcome.Listed found) {
                listed++;
                assertEquals(acorn.functions(library), found.functions(), library);
            }
        }
        // Most generated libraries parse (some redeclare a let or a class): the comparison ran on them.
        assertTrue(listed > 300, "only " + listed + " of 500 were listed");
    }

    static Stream<Arguments> undecided() {
        return Stream.of(
                argumentSet("syntax error", "function f(a { }", GraalJsParser.Reason.NOT_PARSED),
                argumentSet("invalid regular expression (GraalJS checks it after parsing)", "const r = /(a/;",
                        GraalJsParser.Reason.REGULAR_EXPRESSION),
                argumentSet("valid regular expression", "const r = /a+/g;\nfunction f() {}",
                        GraalJsParser.Reason.REGULAR_EXPRESSION),
                argumentSet("default parameter", "function f(a, b = 1) {}", GraalJsParser.Reason.PARAMETERS),
                argumentSet("destructured parameter", "const f = ({a, b}, [c]) => a;",
                        GraalJsParser.Reason.PARAMETERS),
                argumentSet("import.meta (a script cannot have it)", "function f() { return import.meta; }",
                        GraalJsParser.Reason.NOT_PARSED),
                argumentSet("module syntax", "import x from 'y';", GraalJsParser.Reason.NOT_PARSED));
    }

    @ParameterizedTest
    @MethodSource("undecided")
    void parse_whatItCannotListExactly_isUndecided(String code, GraalJsParser.Reason reason) {
        assertEquals(new GraalJsParser.Outcome.Undecided(reason), GraalJsParser.parse("lib", code));
    }

    @ParameterizedTest
    @MethodSource("dev.evaluator.runtime.GraalJsRuntimeTest#invalidScripts")
    void parse_scriptGraalJsRejects_isUndecided(String code, int line, int column) {
        // So its error comes from GraalJS's parse through a context, exactly as checkSyntax reports it.
        assertInstanceOf(GraalJsParser.Outcome.Undecided.class, GraalJsParser.parse("lib", code));
    }

    @ParameterizedTest
    @MethodSource("dev.evaluator.runtime.GraalJsRuntimeTest#validScripts")
    void parse_scriptGraalJsAccepts_parses(String code) {
        assertTrue(!GraalJsParser.parse("lib", code).equals(
                new GraalJsParser.Outcome.Undecided(GraalJsParser.Reason.NOT_PARSED)),
                "GraalJS accepts it, so should its own parser: " + code);
    }

    static Stream<Arguments> dynamicImports() {
        return Stream.of(
                argumentSet("at the top", "import('data:text/javascript,1');\nfunction f() {}"),
                argumentSet("in a function, second line", "function f() {}\nfunction g() { return import('x'); }"),
                argumentSet("the first of two", "function g() {\n  if (a) { import('a'); }\n  import('b');\n}"),
                argumentSet("after non-ASCII text", "var s = '中文'; import('x');"));
    }

    @ParameterizedTest
    @MethodSource("dynamicImports")
    void parse_dynamicImport_refusedWhereAcornRefusesIt(String code) {
        GraalJsParser.Outcome.Listed outcome = assertInstanceOf(GraalJsParser.Outcome.Listed.class,
                GraalJsParser.parse("lib", code));
        Optional<JsSyntaxException> expected = acorn.dynamicImport(code);
        JsSyntaxException found = outcome.dynamicImport().orElseThrow();

        assertEquals(expected.orElseThrow().getMessage(), found.getMessage());
        assertEquals(List.of(expected.get().line(), expected.get().column()), List.of(found.line(), found.column()));
    }

    @Test
    void parse_noDynamicImport_nothingRefused() {
        List<String> codes = new ArrayList<>(List.of("var important = 1; function imports() {}",
                "// import('x') in a comment\nfunction f() { return 'import(x)'; }"));
        for (String code : codes) {
            GraalJsParser.Outcome.Listed outcome = assertInstanceOf(GraalJsParser.Outcome.Listed.class,
                    GraalJsParser.parse("lib", code));
            assertEquals(Optional.empty(), outcome.dynamicImport(), code);
        }
    }

    @Test
    void parse_withoutSlashOrImport_skipsTheTreeWalk_andStillTellsEscapedImportsApart() {
        // Neither a regular expression nor import() can hide from the text check that skips the walk.
        assertTrue(GraalJsParser.mayScan("function f(a) { return a / 2; }"));
        assertTrue(GraalJsParser.mayScan("function f() { return import('x'); }"));
        assertTrue(GraalJsParser.mayScan("function f() { return \\u0069mport('x'); }"));
        GraalJsParser.Outcome.Listed listed = assertInstanceOf(GraalJsParser.Outcome.Listed.class,
                GraalJsParser.parse("lib", "function f(a, b) { return a * b + 1; }"));
        assertEquals(List.of("f"), listed.functions().stream().map(JsFunction::name).toList());
        assertEquals(Optional.empty(), listed.dynamicImport());
        // An escaped keyword does not parse here: the slower path gives GraalJS's own error.
        assertEquals(new GraalJsParser.Outcome.Undecided(GraalJsParser.Reason.NOT_PARSED),
                GraalJsParser.parse("lib", "function f() { return \\u0069mport('x'); }"));
    }
}
