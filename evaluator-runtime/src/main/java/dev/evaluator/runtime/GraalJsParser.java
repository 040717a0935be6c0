package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.oracle.js.parser.ErrorManager;
import com.oracle.js.parser.Lexer;
import com.oracle.js.parser.Parser;
import com.oracle.js.parser.ParserException;
import com.oracle.js.parser.ScriptEnvironment;
import com.oracle.js.parser.Source;
import com.oracle.js.parser.ir.CallNode;
import com.oracle.js.parser.ir.FunctionNode;
import com.oracle.js.parser.ir.IdentNode;
import com.oracle.js.parser.ir.LexicalContext;
import com.oracle.js.parser.ir.LiteralNode;
import com.oracle.js.parser.ir.Node;
import com.oracle.js.parser.ir.Statement;
import com.oracle.js.parser.ir.VarNode;
import com.oracle.js.parser.ir.visitor.NodeVisitor;
import com.oracle.truffle.js.runtime.JSConfig;

/**
 * A library's syntax check and its top-level functions from one parse, by GraalJS's own parser (the Java parser
 * that GraalJS runs before it builds a script), called directly: no context, no JavaScript, so it is fast from the
 * first call. Configured as GraalJS configures it for a script by default (the latest ECMAScript version, Annex B,
 * BigInt, class fields, a hashbang line), so what it accepts GraalJS accepts (GraalJsParserTest checks both ways on
 * the runtime's valid and invalid scripts).
 * <p>
 * It answers only what it can answer exactly as {@link AcornIntrospector} would; everything else is
 * {@link Outcome.Undecided}, and the caller takes the slower path (GraalJS's parse through a context, for its exact
 * syntax error, then acorn): code that does not parse, code with a regular expression literal (GraalJS checks those
 * after this parse, with its regex engine), and top-level functions whose parameter list has defaults or patterns
 * (whose text acorn reports and this parser does not keep).
 */
final class GraalJsParser {
    private static final ScriptEnvironment SCRIPT = ScriptEnvironment.builder()
            .ecmaScriptVersion(JSConfig.LatestECMAScriptVersion)
            .annexB(true)
            .allowBigInt(true)
            .classFields(true)
            .privateFieldsIn(true)
            .importAttributes(true)
            .shebang(true)
            .build();

    private GraalJsParser() {
    }

    /** What one parse tells. */
    sealed interface Outcome {
        /**
         * The code parses, and these are its top-level functions.
         *
         * @param functions     as {@link AcornIntrospector#functions} lists them
         * @param dynamicImport the first {@code import()} in the code, refused by the sandbox, if there is one
         */
        record Listed(List<JsFunction> functions, Optional<JsSyntaxException> dynamicImport) implements Outcome {
        }

        /**
         * Take the slower path.
         *
         * @param reason why
         */
        record Undecided(Reason reason) implements Outcome {
        }
    }

    /** Why a library takes the slower path. */
    enum Reason {
        /** This parser rejects the code: GraalJS's parse through a context says why, exactly. */
        NOT_PARSED,
        /** A regular expression literal, which GraalJS checks after this parse. */
        REGULAR_EXPRESSION,
        /** A top-level function's parameters have defaults or patterns, whose text acorn reports. */
        PARAMETERS
    }

    /**
     * Parse a library's code as a script.
     *
     * @param name the library's name, for the parser's messages
     * @param code the code
     * @return its functions, or {@link Outcome.Undecided}
     */
    static Outcome parse(String name, String code) {
        FunctionNode program;
        try {
            program = new Parser(SCRIPT, Source.sourceFor(name + ".js", code), new ErrorManager.ThrowErrorManager())
                    .parse();
        } catch (ParserException | StackOverflowError e) {
            return new Outcome.Undecided(Reason.NOT_PARSED);
        }
        if (program == null) {
            return new Outcome.Undecided(Reason.NOT_PARSED);
        }
        // Declarations come first in the parser's list (hoisted): back to source order.
        List<Statement> statements = new ArrayList<>(program.getBody().getStatements());
        statements.sort((a, b) -> Integer.compare(a.getStart(), b.getStart()));
        // `var a = 1, b = function () {}` is one statement of several declarators, split into one node each.
        Map<Integer, Integer> declarators = new HashMap<>();
        for (Statement statement : statements) {
            declarators.merge(statement.getStart(), 1, Integer::sum);
        }
        List<Found> found = new ArrayList<>();
        int previousEnd = shebangEnd(code);
        for (Statement statement : statements) {
            int start = statement.getStart();
            int gapStart = Math.min(previousEnd, start);
            previousEnd = Math.max(previousEnd, statement.getFinish());
            if (!(statement instanceof VarNode variable) || declarators.get(start) > 1 || variable.isDestructuring()
                    || !(variable.getInit() instanceof FunctionNode function)) {
                continue;
            }
            boolean assigned = !variable.isFunctionDeclaration() && startsWithDeclarationKeyword(code, start);
            if (!assigned && !variable.isFunctionDeclaration() && !isFunctionStatement(code, start)) {
                continue;
            }
            List<IdentNode> parameters = function.getParameters();
            if (parameters.size() != function.getNumOfParams()) {
                return new Outcome.Undecided(Reason.PARAMETERS);
            }
            List<String> names = new ArrayList<>(parameters.size());
            boolean variadic = false;
            for (IdentNode parameter : parameters) {
                names.add(parameter.getName());
                variadic |= parameter.isRestParameter();
            }
            found.add(new Found(new JsFunction(variable.getName().getName(), names, variadic,
                    statement.getLineNumber(), DocComments.before(code, gapStart, start)), assigned));
        }
        if (!mayScan(code)) {
            return new Outcome.Listed(winners(found), Optional.empty());
        }
        Scan scan = new Scan(program.getSource());
        program.accept(scan);
        if (scan.regularExpression) {
            return new Outcome.Undecided(Reason.REGULAR_EXPRESSION);
        }
        return new Outcome.Listed(winners(found), Optional.ofNullable(scan.firstImport));
    }

    /**
     * Whether the tree may hold what {@link Scan} looks for: a regular expression literal starts with a slash, and
     * {@code import()} is spelled out (or, if the lexer took an escaped keyword, has a unicode escape). Code with
     * neither skips the walk over its tree (about a tenth of the parse of a 10 KB library).
     */
    static boolean mayScan(String code) {
        return code.indexOf('/') >= 0 || code.contains("import") || code.contains("\\u");
    }

    private record Found(JsFunction function, boolean assigned) {
    }

    /**
     * Of several with one name, the one that wins at run time: declarations are hoisted and {@code var}
     * assignments run after them, so the last assignment if any, else the last declaration; in source order.
     */
    private static List<JsFunction> winners(List<Found> found) {
        Map<String, Integer> winner = new HashMap<>();
        for (int i = 0; i < found.size(); i++) {
            Found fn = found.get(i);
            Integer current = winner.get(fn.function().name());
            if (current == null || fn.assigned() || !found.get(current).assigned()) {
                winner.put(fn.function().name(), i);
            }
        }
        List<JsFunction> functions = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            if (winner.get(found.get(i).function().name()) == i) {
                functions.add(found.get(i).function());
            }
        }
        return functions;
    }

    /** Where the code after a {@code #!} line starts (0 without one): that line is not a doc comment. */
    private static int shebangEnd(String code) {
        if (!code.startsWith("#!")) {
            return 0;
        }
        for (int i = 2; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029') {
                return i;
            }
        }
        return code.length();
    }

    private static boolean startsWithDeclarationKeyword(String code, int start) {
        return keywordAt(code, start, "var") || keywordAt(code, start, "let") || keywordAt(code, start, "const");
    }

    /** A declaration statement: {@code function}, {@code async function}, and their generators. */
    private static boolean isFunctionStatement(String code, int start) {
        return keywordAt(code, start, "function") || keywordAt(code, start, "async");
    }

    private static boolean keywordAt(String code, int start, String keyword) {
        int end = start + keyword.length();
        return code.startsWith(keyword, start) && (end == code.length() || !Character.isJavaIdentifierPart(
                code.charAt(end)));
    }

    /** Finds the first (in source order) {@code import()} call, and whether there is a regular expression literal. */
    private static final class Scan extends NodeVisitor<LexicalContext> {
        private final Source source;
        private JsSyntaxException firstImport;
        private int firstStart = Integer.MAX_VALUE;
        private boolean regularExpression;

        Scan(Source source) {
            super(new LexicalContext());
            this.source = source;
        }

        @Override
        public boolean enterCallNode(CallNode call) {
            if (call.isImport() && call.getStart() < firstStart) {
                firstStart = call.getStart();
                firstImport = new JsSyntaxException("dynamic import() is not allowed", call.getLineNumber(),
                        source.getColumn(call.getStart()) + 1);
            }
            return true;
        }

        @Override
        public boolean enterLiteralNode(LiteralNode<?> literal) {
            regularExpression |= literal.getValue() instanceof Lexer.RegexToken;
            return true;
        }

        @Override
        protected boolean enterDefault(Node node) {
            return true;
        }
    }
}
