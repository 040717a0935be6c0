package dev.evaluator.runtime;

import java.util.List;

/**
 * The JavaScript runtime: one shared GraalJS engine that parses, introspects and compiles library code.
 * Safe for concurrent use.
 */
public interface JsRuntime extends AutoCloseable {
    /**
     * Create the runtime with its shared engine.
     *
     * @return a new runtime; close it to release the engine
     */
    static JsRuntime create() {
        return new GraalJsRuntime();
    }

    /**
     * Parse a library's code as a JavaScript script without running any of it.
     *
     * @param libraryName the library's name, used as the source name ({@code <name>.js}) in messages
     * @param code        the whole library's code
     * @throws JsSyntaxException if the code is not a valid script; nothing about it is kept
     * @throws IllegalStateException if the runtime is closed or the calling thread is interrupted
     */
    void checkSyntax(String libraryName, String code);

    /**
     * List a library's top-level functions without running any of its code (it is only parsed).
     * <p>
     * Found: {@code function f(a, b) {}} declarations, also {@code async} and generator ones, and a
     * {@code const}, {@code let} or {@code var} statement declaring a single variable initialized with a function or
     * arrow function expression ({@code const f = (a, b) => a + b}), named after the variable. Not found: classes,
     * methods, nested functions, functions assigned any other way ({@code f = function () {}},
     * {@code const a = 1, f = () => 1}). A function's line is where its statement starts (the {@code const} of
     * {@code const f = ...}).
     * <p>
     * A function's doc is the run of comments right before it with only whitespace between, blank lines included,
     * so a comment separated from the function by a blank line is still its doc; a comment after code on its line
     * belongs to that code and ends the run. A JSDoc comment loses its delimiters and each line's leading
     * {@code *}; {@code //} comments are joined with newlines.
     * <p>
     * JavaScript lets a name be declared more than once: only the declaration that wins at run time is listed,
     * the last one, except that a {@code var f = function ...} assignment beats a {@code function f} declaration
     * even when it comes first, because declarations are hoisted.
     *
     * @param libraryName the library's name, used as the source name ({@code <name>.js}) in messages
     * @param code        the whole library's code
     * @return the functions in source order; empty when there are none
     * @throws JsSyntaxException if the code is not a valid script, with the same message, line and column as
     *                           {@link #checkSyntax(String, String)} reports, or if it is nested too deeply to
     *                           introspect; nothing about it is kept
     * @throws IllegalStateException if the runtime is closed, also while the call runs, or if the calling thread is
     *                               interrupted
     */
    List<JsFunction> functions(String libraryName, String code);

    /**
     * The engine's implementation name, as GraalJS reports it; {@code "Interpreted"} without the optimizing JIT.
     *
     * @return the name
     */
    String implementationName();

    /**
     * Whether the engine compiles hot code with the optimizing JIT (rather than only interpreting it).
     *
     * @return true when the JIT is active
     */
    boolean jitActive();

    /**
     * Release the engine.
     */
    @Override
    void close();
}
