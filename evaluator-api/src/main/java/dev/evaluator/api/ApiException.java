package dev.evaluator.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An error the API reports to its caller: a code, a message, and optional extra fields and headers.
 * Handlers throw it; {@link ErrorMapper} turns it into the response.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;
    private final transient Map<String, String> headers;

    ApiException(ErrorCode code, String message) {
        this(code, message, Map.of(), Map.of());
    }

    ApiException(ErrorCode code, String message, Map<String, Object> details, Map<String, String> headers) {
        super(message);
        this.code = Objects.requireNonNull(code);
        this.details = new LinkedHashMap<>(details);
        this.headers = Map.copyOf(headers);
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
