package dev.evaluator.api;

/**
 * The stable machine codes of API errors, each with its HTTP status. Clients may branch on the code; the message is
 * for people.
 */
enum ErrorCode {
    /** A library, bucket or scope name breaks its rule. */
    INVALID_NAME(400),
    /** Only one of {@code bucket} and {@code scope} was given. */
    BUCKET_AND_SCOPE_REQUIRED(400),
    /** The library code is not valid JavaScript. */
    SYNTAX_ERROR(400),
    /** The request body is empty where content is required. */
    EMPTY_BODY(400),
    /** The request body is not valid UTF-8. */
    INVALID_UTF8(400),
    /** A role is unknown or its {@code [bucket:scope]} is malformed. */
    INVALID_ROLE(400),
    /** A new user name looks like an existing user's. */
    CONFUSABLE_NAME(400),
    /** A password is too short or too long. */
    INVALID_PASSWORD(400),
    /** A new user was given no password. */
    PASSWORD_REQUIRED(400),
    /** A request body (other than library code) cannot be understood. */
    INVALID_BODY(400),
    /** The request is malformed at the HTTP level. */
    BAD_REQUEST(400),
    /** No credentials, or wrong ones. */
    UNAUTHENTICATED(401),
    /** The caller is known but not allowed to do this. */
    FORBIDDEN(403),
    /** A browser's unsafe request from another site's page (see {@link RequestGuard}). */
    CROSS_SITE_REQUEST(403),
    /** The library does not exist. */
    LIBRARY_NOT_FOUND(404),
    /** No running or queued call has that id. */
    CALL_NOT_FOUND(404),
    /** The user does not exist. */
    USER_NOT_FOUND(404),
    /** The library has no version of that number (never made, pruned or purged). */
    VERSION_NOT_FOUND(404),
    /** No such route. */
    NOT_FOUND(404),
    /** The route exists but not for this HTTP method. */
    METHOD_NOT_ALLOWED(405),
    /** The library cannot be deleted while SQL++ functions are bound to it. */
    LIBRARY_IN_USE(409),
    /** The new code would no longer define functions that SQL++ functions are bound to. */
    BINDING_BROKEN(409),
    /**
     * {@code If-Match} or {@code If-None-Match: *} does not hold for the library as it is; the body's {@code etag}
     * is its current ETag.
     */
    PRECONDITION_FAILED(412),
    /** An import document is damaged, truncated, of another format, or holds what would be refused. */
    IMPORT_INVALID(400),
    /** An import in {@code append} mode names libraries or functions that exist; {@code collisions} lists them. */
    IMPORT_COLLISION(409),
    /** The JavaScript code threw (Couchbase's 10109 details are in {@code error}). */
    JS_ERROR(422),
    /** The call ran past its time limit. */
    CALL_TIMEOUT(422),
    /** The call allocated more than its memory budget. */
    CALL_MEMORY_LIMIT(422),
    /** The call was stopped on request (an operator, or its client went away). */
    CALL_CANCELLED(422),
    /** The call recursed too deeply. */
    CALL_STACK_OVERFLOW(422),
    /** The function's result is larger than the limit. */
    RESULT_TOO_LARGE(422),
    /** The function's result cannot be JSON. */
    RESULT_NOT_JSON(422),
    /** Every JavaScript worker is busy and the queue is full. */
    BUSY(503),
    /** A function of that name exists. */
    FUNCTION_EXISTS(409),
    /** The function does not exist. */
    FUNCTION_NOT_FOUND(404),
    /** A binding points at a JavaScript function that does not exist or takes other parameters. */
    INVALID_BINDING(400),
    /** The change would leave no administrator. */
    LAST_ADMIN(409),
    /** The request body is larger than the configured limit. */
    PAYLOAD_TOO_LARGE(413),
    /** Too many failed logins for this user or from this address; retry later. */
    TOO_MANY_ATTEMPTS(429),
    /** The listener holds its cap of connections: this one is answered and closed; retry later. */
    TOO_MANY_CONNECTIONS(503),
    /** The store failed. */
    STORAGE_ERROR(500),
    /** The store's servers cannot be reached or have no quorum, or writers kept conflicting: retry later. */
    STORE_UNAVAILABLE(503),
    /** Anything unexpected; details are in the server log, never in the response. */
    INTERNAL_ERROR(500);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    int status() {
        return status;
    }

    /**
     * The code as it appears in responses.
     *
     * @return the lower-case code
     */
    String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
