package dev.evaluator.engine;

import dev.evaluator.runtime.JsExecutionException;

/**
 * A failed call of a library function, with the names the caller used, for the error response (Couchbase's 10109
 * entry names the SQL++ function, the library and the JavaScript function).
 */
public final class FunctionCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient JsExecutionException failure;
    private final String function;
    private final String library;
    private final String object;

    /**
     * @param failure  the runtime's failure
     * @param function the name the caller used (SQL++ function, or the JavaScript function when invoked directly)
     * @param library  the library's name
     * @param object   the JavaScript function's name
     */
    public FunctionCallException(JsExecutionException failure, String function, String library, String object) {
        super(failure.getMessage(), failure);
        this.failure = failure;
        this.function = function;
        this.library = library;
        this.object = object;
    }

    /**
     * What went wrong in the runtime.
     *
     * @return the runtime's failure, with its kind
     */
    public JsExecutionException failure() {
        return failure;
    }

    /**
     * The name the caller used.
     *
     * @return the SQL++ function's name, or the JavaScript function's when invoked directly
     */
    public String function() {
        return function;
    }

    /**
     * The library's name.
     *
     * @return the name
     */
    public String library() {
        return library;
    }

    /**
     * The JavaScript function's name.
     *
     * @return the name
     */
    public String object() {
        return object;
    }
}
