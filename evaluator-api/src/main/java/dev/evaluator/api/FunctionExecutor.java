package dev.evaluator.api;

import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.JsExecutionException;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.runtime.LibrarySource;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * Runs library functions for the invoke endpoint and for SQL++ calls: loads the library, hands the JSON arguments
 * to the JavaScript runtime within the server's limits, and reads the JSON result back.
 */
final class FunctionExecutor {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The outcome of a call: the result and what the function logged. */
    record Outcome(CallResult call) {
        /** The result as the runtime wrote it, JSON text; empty for {@code undefined}. */
        Optional<String> json() {
            return call.json();
        }

        /** The result read as JSON; empty for {@code undefined}. */
        Optional<JsonNode> result() {
            return call.json().map(FunctionExecutor::parse);
        }
    }

    private final LibraryStore libraries;
    private final JsRuntime runtime;
    private final CallLimits limits;
    private final FunctionStats stats = new FunctionStats();

    FunctionExecutor(LibraryStore libraries, JsRuntime runtime, CallLimits limits) {
        this.libraries = libraries;
        this.runtime = runtime;
        this.limits = limits;
    }

    /** What each function's calls took, both entry points together. */
    FunctionStats stats() {
        return stats;
    }

    /** The server's limits, the timeout capped by them. */
    CallLimits limits(Optional<Duration> timeout) {
        return timeout.filter(t -> t.compareTo(limits.timeout()) < 0).map(limits::withTimeout).orElse(limits);
    }

    /**
     * Call a function of a library.
     *
     * @param caller the name the caller used, for error messages (the SQL++ function's, or {@code function})
     * @throws ApiException           {@code library_not_found}
     * @throws FunctionCallException when the call fails
     */
    Outcome call(LibraryId id, String function, List<JsonNode> args, CallLimits callLimits, String caller) {
        Library library = libraries.find(id).orElseThrow(() -> new ApiException(ErrorCode.LIBRARY_NOT_FOUND,
                "Library " + FunctionCatalog.describe(id) + " not found"));
        return call(library, function, args, callLimits, caller);
    }

    /**
     * Call a function of a library already read.
     *
     * @throws FunctionCallException when the call fails
     */
    Outcome call(Library library, String function, List<JsonNode> args, CallLimits callLimits, String caller) {
        ArrayNode array = MAPPER.createArrayNode();
        args.forEach(array::add);
        return call(library, function, array.toString(), callLimits, caller);
    }

    /**
     * Call a function of a library already read, with its arguments as JSON text.
     *
     * @param argsJson the arguments, a JSON array
     * @throws FunctionCallException when the call fails
     */
    Outcome call(Library library, String function, String argsJson, CallLimits callLimits, String caller) {
        LibraryId id = library.id();
        long started = System.nanoTime();
        try {
            CallResult result = runtime.call(new LibrarySource(id.toString(), id.name(), library.code()), function,
                    argsJson, callLimits);
            stats.record(id, function, System.nanoTime() - started, false, false);
            return new Outcome(result);
        } catch (JsExecutionException e) {
            // A name the library does not define is not counted: callers choose names, the table must stay bounded.
            if (e.kind() != JsExecutionException.Kind.FUNCTION_NOT_FOUND) {
                stats.record(id, function, System.nanoTime() - started, true,
                        e.kind() == JsExecutionException.Kind.TIMEOUT);
            }
            throw new FunctionCallException(e, caller, id.name(), function);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The runtime returned invalid JSON", e);
        }
    }
}
