package dev.evaluator.engine;

import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.JsCallCancelledException;
import dev.evaluator.runtime.JsExecutionException;
import dev.evaluator.runtime.JsFunction;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.runtime.LibrarySource;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs library functions for the invoke endpoint and for SQL++ calls: loads the library, hands the JSON arguments
 * to the JavaScript runtime within the server's limits, reads the JSON result back, and counts each call in the
 * per-function statistics.
 */
public final class FunctionExecutor {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The outcome of a call: the result and what the function logged.
     *
     * @param call the runtime's result
     */
    public record Outcome(CallResult call) {
        /**
         * The result as the runtime wrote it.
         *
         * @return JSON text; empty for {@code undefined}
         */
        public Optional<String> json() {
            return call.json();
        }

        /**
         * The result read as JSON.
         *
         * @return the value; empty for {@code undefined}
         */
        public Optional<JsonNode> result() {
            return call.json().map(FunctionExecutor::parse);
        }
    }

    private final FunctionCatalog catalog;
    private final JsRuntime runtime;
    private final CallLimits limits;
    private final FunctionStats stats = new FunctionStats();
    private final RunningCalls running;
    private final PresenceWatch presence = new PresenceWatch(PRESENCE_CHECK);
    /** The entry points, as the runtime's list of calls names them. */
    static final String INVOKE = "invoke";
    static final String QUERY = "query";
    /**
     * How long a call waits before its client is first asked whether it is still there, and then about how often
     * (twice as often): a gone client's call ends within 1 s.
     */
    static final Duration PRESENCE_CHECK = Duration.ofMillis(200);

    /**
     * @param limits the server's limits for every call
     */
    public FunctionExecutor(FunctionCatalog catalog, JsRuntime runtime, CallLimits limits) {
        this.catalog = catalog;
        this.runtime = runtime;
        this.limits = limits;
        this.running = new RunningCalls(runtime);
    }

    /**
     * The calls running and queued now.
     *
     * @return the calls, as each caller may see and stop them
     */
    public RunningCalls running() {
        return running;
    }

    /**
     * What each function's calls took, both entry points together.
     *
     * @return the statistics
     */
    public FunctionStats stats() {
        return stats;
    }

    /**
     * The server's limits, with the caller's timeout when it is shorter than the server's.
     *
     * @param timeout the caller's timeout, if any
     * @return the limits for a call
     */
    public CallLimits limits(Optional<Duration> timeout) {
        return timeout.filter(t -> t.compareTo(limits.timeout()) < 0).map(limits::withTimeout).orElse(limits);
    }

    /**
     * Call a SQL++ function's library function: objects among the arguments reach JavaScript with their keys in
     * sorted order, as Couchbase's values are. The call counts for the library function and for the SQL++ function.
     *
     * @param function the SQL++ function; its name is the one error messages show
     * @param who      the user calling: JavaScript state is kept per library, namespace and user
     * @param client   whether the caller still waits: the call is stopped when it is gone
     * @throws EngineException       {@code LIBRARY_NOT_FOUND} (Couchbase's "Library or function missing") when the
     *                               library is gone, which only a lenient binding or a forced replace allows,
     *                               {@code CALL_CANCELLED} when an operator stopped the call or its client went
     * @throws FunctionCallException when the call fails
     */
    public Outcome call(FunctionDefinition function, List<JsonNode> args, CallLimits callLimits, Caller who,
                        ClientPresence client) {
        LibraryId id = function.library();
        Library library = catalog.findLibrary(id).orElseThrow(() -> new EngineException(
                EngineException.Kind.LIBRARY_NOT_FOUND, "Library or function missing: library "
                + FunctionCatalog.describe(id) + " does not exist"));
        ArrayNode array = MAPPER.createArrayNode();
        args.forEach(arg -> array.add(sortedKeys(arg)));
        return run(library, function.object(), array.toString(), callLimits, function.id().name(),
                Optional.of(function.id()), who, QUERY, client);
    }

    /** A value with the keys of every object in it in sorted order (Couchbase's order for JSON values). */
    private static JsonNode sortedKeys(JsonNode value) {
        if (value.isObject()) {
            ObjectNode sorted = MAPPER.createObjectNode();
            Map<String, JsonNode> fields = new TreeMap<>();
            value.properties().forEach(field -> fields.put(field.getKey(), field.getValue()));
            fields.forEach((name, field) -> sorted.set(name, sortedKeys(field)));
            return sorted;
        }
        if (value.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            value.forEach(element -> copy.add(sortedKeys(element)));
            return copy;
        }
        return value;
    }

    /**
     * Call a function of a library already read, with its arguments as JSON text, passed as they are (the invoke
     * endpoint's arguments are the caller's JSON, key order included).
     *
     * @param argsJson the arguments, a JSON array
     * @param who      the user calling: JavaScript state is kept per library, namespace and user
     * @param client   whether the caller still waits: the call is stopped when it is gone
     * @throws EngineException       {@code CALL_CANCELLED} when an operator stopped the call or its client went
     * @throws FunctionCallException when the call fails
     */
    public Outcome call(Library library, String function, String argsJson, CallLimits callLimits, Caller who,
                        ClientPresence client) {
        return run(library, function, argsJson, callLimits, function, Optional.empty(), who, INVOKE, client);
    }

    /**
     * Who calls, as the runtime schedules and isolates calls: by the library's namespace (each namespace gets its
     * share of the workers) and by user (no caller sees what another's calls kept in the library's top level).
     */
    private static dev.evaluator.runtime.Caller runtimeCaller(LibraryId library, Caller who, String entryPoint) {
        return new dev.evaluator.runtime.Caller(NamespaceAccess.key(library.namespace()), who.name(), entryPoint);
    }

    /**
     * Run a call. A failure shows the failing line of code only to a caller who may read the library
     * ({@link NamespaceAccess#mayReadCode}); an executor gets where and why, not the code.
     */
    private Outcome run(Library library, String function, String argsJson, CallLimits callLimits, String caller,
                        Optional<FunctionId> sqlFunction, Caller user, String entryPoint, ClientPresence client) {
        LibraryId id = library.id();
        dev.evaluator.runtime.Caller who = runtimeCaller(id, user, entryPoint);
        long started = System.nanoTime();
        try {
            LibrarySource source = new LibrarySource(FunctionCatalog.sourceKey(id), id.name(), library.code());
            CallResult result = client == ClientPresence.STAYS
                    ? runtime.call(source, function, argsJson, callLimits, who)
                    : presence.await(runtime.submit(source, function, argsJson, callLimits, who), client);
            long nanos = System.nanoTime() - started;
            stats.record(id, function, nanos, false, false);
            sqlFunction.ifPresent(f -> stats.recordSqlFunction(f, nanos, false, false));
            return new Outcome(result);
        } catch (JsExecutionException e) {
            long nanos = System.nanoTime() - started;
            boolean timeout = e.kind() == JsExecutionException.Kind.TIMEOUT;
            // A name the library does not define is not counted: callers choose names, the table must stay bounded.
            if (e.kind() != JsExecutionException.Kind.FUNCTION_NOT_FOUND) {
                stats.record(id, function, nanos, true, timeout);
            }
            // A SQL++ function exists, whatever its library defines: its calls all count.
            sqlFunction.ifPresent(f -> stats.recordSqlFunction(f, nanos, true, timeout));
            throw new FunctionCallException(NamespaceAccess.mayReadCode(user, id) ? e : e.withoutSourceLine(), caller,
                    id.name(), function);
        } catch (JsCallCancelledException e) {
            stats.record(id, function, System.nanoTime() - started, true, false);
            throw new EngineException(EngineException.Kind.CALL_CANCELLED, "The call of " + function + " in library ["
                    + id.name() + "] was stopped: " + switch (e.reason()) {
                        case KILLED -> "an operator stopped it";
                        case CLIENT_GONE -> "its client went away";
                        case TIMEOUT -> "it ran out of time";
                        case MEMORY -> "it used too much memory";
                        case STACK -> "it recursed too deeply";
                    });
        }
    }

    /**
     * Positional arguments for named ones: each of the JavaScript function's parameters in order, {@code null} for
     * those not named.
     *
     * @param params the arguments by parameter name, a JSON object
     * @return the arguments, a JSON array
     * @throws EngineException {@code FUNCTION_NOT_FOUND} when the library defines no such top-level function,
     *                         {@code UNKNOWN_PARAMETER} when a name is not one of its parameters
     */
    public String namedArguments(Library library, String function, JsonNode params) {
        JsFunction target = catalog.defined(library).stream().filter(f -> f.name().equals(function))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new EngineException(EngineException.Kind.FUNCTION_NOT_FOUND, "Library ["
                        + library.id().name() + "] defines no top-level function named " + function));
        Set<String> unknown = new TreeSet<>();
        params.fieldNames().forEachRemaining(unknown::add);
        unknown.removeAll(target.parameters());
        if (!unknown.isEmpty()) {
            throw new EngineException(EngineException.Kind.UNKNOWN_PARAMETER, "Unknown parameter(s) " + unknown
                    + " for " + function + "(" + String.join(", ", target.parameters()) + ")");
        }
        ArrayNode list = MAPPER.createArrayNode();
        for (String name : target.parameters()) {
            list.add(params.has(name) ? params.get(name) : MAPPER.nullNode());
        }
        return list.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The runtime returned invalid JSON", e);
        }
    }
}
