package dev.evaluator.api;

import dev.evaluator.runtime.JsExecutionException;

/**
 * A failed call of a library function, with the names the caller used, for the error response.
 */
final class FunctionCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient JsExecutionException failure;
    private final String function;
    private final String library;
    private final String object;

    /**
     * @param function the name the caller used (SQL++ function, or the JavaScript function when invoked directly)
     * @param library  the library's name
     * @param object   the JavaScript function's name
     */
    FunctionCallException(JsExecutionException failure, String function, String library, String object) {
        super(failure.getMessage(), failure);
        this.failure = failure;
        this.function = function;
        this.library = library;
        this.object = object;
    }

    JsExecutionException failure() {
        return failure;
    }

    /** Couchbase's 10109 entry for this failure. */
    java.util.Map<String, Object> entry() {
        return JsErrors.entry(failure, function, library, object);
    }
}
