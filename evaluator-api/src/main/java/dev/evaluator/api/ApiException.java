package dev.evaluator.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An error the API reports to its caller: a code, a message, and optional extra fields and headers.
 * Handlers throw it; {@link ErrorMapper} turns it into the response.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;
    private final transient Map<String, String> headers;
    private final transient OptionalInt queryCode;

    ApiException(ErrorCode code, String message) {
        this(code, message, Map.of(), Map.of());
    }

    ApiException(ErrorCode code, String message, Map<String, Object> details, Map<String, String> headers) {
        this(code, OptionalInt.empty(), message, details, headers);
    }

    private ApiException(ErrorCode code, OptionalInt queryCode, String message, Map<String, Object> details,
                         Map<String, String> headers) {
        super(message);
        this.code = Objects.requireNonNull(code);
        this.queryCode = queryCode;
        this.details = new LinkedHashMap<>(details);
        this.headers = Map.copyOf(headers);
    }

    /**
     * A query request's error with Couchbase's own code for it (1050 for a missing statement, 1070 for args that are
     * not an array, ...), where the HTTP-level code alone would not say which.
     */
    static ApiException query(ErrorCode code, int queryCode, String message) {
        return new ApiException(code, OptionalInt.of(queryCode), message, Map.of(), Map.of());
    }

    /** Couchbase's query code for this error, when the request named one; else the mapper's for its code. */
    OptionalInt queryCode() {
        return queryCode;
    }

    /**
     * Detail fields in the order given.
     *
     * @param keysAndValues alternating names and values
     * @return the fields
     */
    static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }

    ErrorCode code() {
        return code;
    }

    Map<String, Object> details() {
        return details;
    }

    Map<String, String> headers() {
        return headers;
    }
}
