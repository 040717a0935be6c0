package dev.evaluator.api;

import dev.evaluator.runtime.JsExecutionException;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A failed JavaScript call in Couchbase's 10109 shape:
 * {@code {"code":10109,"msg":"Error executing function 'f' (lib:fn)","reason":{"type":...,"details":{...}}}}.
 */
final class JsErrors {
    static final int EXECUTION_ERROR = 10109;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsErrors() {
    }

    /**
     * The error entry.
     *
     * @param function the name the caller used (the SQL++ function, or the library function when invoked)
     * @param library  the library's name
     * @param object   the JavaScript function's name
     */
    static Map<String, Object> entry(JsExecutionException e, String function, String library, String object) {
        Map<String, Object> details = new LinkedHashMap<>();
        e.sourceLine().ifPresent(line -> details.put("Code", line));
        e.thrown().ifPresent(thrown -> details.put("Exception", json(thrown)));
        e.location().ifPresent(location -> details.put("Location", location));
        e.stack().ifPresent(stack -> details.put("Stack", stack));
        details.put("Message", e.getMessage());
        Map<String, Object> reason = new LinkedHashMap<>();
        reason.put("type", switch (e.kind()) {
            case THROWN -> "Exceptions from JS code";
            case LOAD_FAILED -> "Exception while loading the library";
            case FUNCTION_NOT_FOUND -> "Function not found in the library";
            case TIMEOUT -> "Timeout";
            case MEMORY_LIMIT -> "Memory limit";
            case STACK_OVERFLOW -> "Stack overflow";
            case RESULT_TOO_LARGE -> "Result too large";
            case UNSERIALIZABLE_RESULT -> "Result is not JSON";
            case BUSY -> "Too busy";
        });
        reason.put("details", details);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("code", EXECUTION_ERROR);
        entry.put("msg", "Error executing function '" + function + "' (" + library + ":" + object + ")");
        entry.put("reason", reason);
        return entry;
    }

    private static Object json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }
}
