package dev.evaluator.api;

/**
 * A failed SQL++ request, with Couchbase's error code. {@link ErrorMapper} renders it in the query response shape.
 */
final class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Syntax error. */
    static final int SYNTAX = 3000;
    /** A statement this service does not run. */
    static final int UNSUPPORTED = 4000;
    /** A keyspace this service does not have. */
    static final int UNSUPPORTED_KEYSPACE = 4010;
    /** A bad request field (statement missing, args not an array, bad query_context). */
    static final int BAD_REQUEST = 1050;
    /** Internal failure. */
    static final int INTERNAL = 5000;
    /** Function not found. */
    static final int FUNCTION_NOT_FOUND = 10101;
    /** Function already exists. */
    static final int FUNCTION_EXISTS = 10102;
    /** Wrong number of arguments for a non-variadic function. */
    static final int WRONG_ARGUMENT_COUNT = 10104;
    /** Invalid function name. */
    static final int INVALID_FUNCTION_NAME = 10105;
    /** Invalid library path in AT. */
    static final int INVALID_LIBRARY_PATH = 10114;
    /** The bound library does not exist (checked at CREATE; Couchbase binds late). */
    static final int LIBRARY_NOT_FOUND = 10120;
    /** The bound library does not define the JavaScript function. */
    static final int OBJECT_NOT_FOUND = 10121;
    /** The declared parameters do not match the JavaScript function's. */
    static final int PARAMETER_MISMATCH = 10122;
    /** No or bad credentials. */
    static final int UNAUTHENTICATED = 10000;
    /** Not allowed. */
    static final int FORBIDDEN = 13014;

    private final int code;

    QueryException(int code, String message) {
        super(message);
        this.code = code;
    }

    int code() {
        return code;
    }
}
