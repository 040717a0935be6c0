package dev.evaluator.runtime;

/**
 * The JavaScript runtime: one shared GraalJS engine that parses and compiles library code.
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
     */
    void checkSyntax(String libraryName, String code);

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
