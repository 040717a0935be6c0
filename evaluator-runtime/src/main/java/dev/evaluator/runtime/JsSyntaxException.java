package dev.evaluator.runtime;

/**
 * A library's code is not valid JavaScript. Carries the position of the first error and the engine's message.
 */
public final class JsSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    /**
     * Create an exception.
     *
     * @param message the engine's message, without any of the library's code
     * @param line    1-based line of the error
     * @param column  1-based column of the error
     */
    public JsSyntaxException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /**
     * The line of the error.
     *
     * @return the 1-based line
     */
    public int line() {
        return line;
    }

    /**
     * The column of the error.
     *
     * @return the 1-based column
     */
    public int column() {
        return column;
    }
}
