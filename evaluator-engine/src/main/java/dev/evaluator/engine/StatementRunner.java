package dev.evaluator.engine;

import dev.evaluator.query.Expression;
import dev.evaluator.query.FunctionName;
import dev.evaluator.query.Keyspace;
import dev.evaluator.query.OrderTerm;
import dev.evaluator.query.Projection;
import dev.evaluator.query.Statement;
import dev.evaluator.runtime.CallLimits;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.runtime.JsExecutionException;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs parsed SQL++ statements: CREATE FUNCTION, DROP FUNCTION and queries of {@code system:functions} and
 * {@code system:functions_cache} (WHERE, ORDER BY, OFFSET, LIMIT, {@code meta().id}), resolving names against the request's query context as Couchbase does, and
 * checking the caller's permission for each.
 */
public final class StatementRunner {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String DEFAULT_NAMESPACE = "default";

    /**
     * What the request carries besides the statement.
     *
     * @param caller       who runs the statement
     * @param queryContext the scope that unqualified names resolve in; empty for global
     * @param positional   the values of {@code $1}, {@code $2}, ...
     * @param named        the values of {@code $name}, by name without the {@code $}
     * @param timeout      the request's timeout: function calls get what is left of it (capped by the server's
     *                     limit), and a request whose time is up ends with {@code QUERY_TIMEOUT}
     * @param logs         where the console output of function calls goes, for the response
     * @param startedNanos when the request started ({@link System#nanoTime()}), from which its timeout counts
     * @param client       whether the request's client still waits: its function calls stop when it is gone
     */
    public record Context(Caller caller, Optional<Namespace> queryContext, List<JsonNode> positional,
                   Map<String, JsonNode> named, Optional<Duration> timeout,
                   List<CallResult.LogLine> logs, long startedNanos, ClientPresence client) {
        /** A request starting now, from a client that waits for it. */
        public Context(Caller caller, Optional<Namespace> queryContext, List<JsonNode> positional,
                       Map<String, JsonNode> named, Optional<Duration> timeout, List<CallResult.LogLine> logs) {
            this(caller, queryContext, positional, named, timeout, logs, System.nanoTime(), ClientPresence.STAYS);
        }

        /** What is left of the request's timeout, if it has one. */
        Optional<Duration> remaining() {
            return timeout.map(t -> t.minusNanos(System.nanoTime() - startedNanos));
        }
    }

    /**
     * The results and their signature.
     *
     * @param results   the result rows
     * @param signature the shape of a row, for SELECT
     */
    public record Outcome(List<JsonNode> results, Optional<JsonNode> signature) {
    }

    /** The node name of a runner that was given none. */
    public static final String LOCAL_NODE = "127.0.0.1:8093";

    private final FunctionCatalog catalog;
    private final FunctionExecutor executor;
    private final SystemKeyspaces system;

    /**
     * @param catalog  the functions and libraries
     * @param executor runs the functions that statements call
     */
    public StatementRunner(FunctionCatalog catalog, FunctionExecutor executor) {
        this(catalog, executor, LOCAL_NODE);
    }

    /**
     * @param catalog  the functions and libraries
     * @param executor runs the functions that statements call
     * @param node     this node's name, shown in the rows of the per-node keyspaces ({@code functions_cache},
     *                 {@code active_requests}) as Couchbase shows its Query node's
     */
    public StatementRunner(FunctionCatalog catalog, FunctionExecutor executor, String node) {
        this.catalog = catalog;
        this.executor = executor;
        this.system = new SystemKeyspaces(catalog, executor.stats(), executor.running(), node);
    }

    /**
     * Run a statement.
     *
     * @return the results
     * @throws EngineException       when the statement is refused, names what does not exist, or is not supported
     * @throws FunctionCallException when a function it calls fails
     * @throws dev.evaluator.store.StoreException when the store fails
     */
    public Outcome run(Statement statement, Context context) {
        return switch (statement) {
            case Statement.CreateFunction create -> create(create, context);
            case Statement.DropFunction drop -> drop(drop, context);
            case Statement.Select select -> select(select, context);
            case Statement.ExecuteFunction execute -> {
                ExpressionEvaluator.Scope scope = scope(Optional.empty(), JSON.objectNode(), context);
                List<JsonNode> arguments = new ArrayList<>();
                execute.arguments().forEach(a -> arguments.add(ExpressionEvaluator.evaluate(a, scope)
                        .orElse(JSON.nullNode())));
                yield new Outcome(invoke(execute.name(), arguments, context).map(List::of).orElse(List.of()),
                        Optional.empty());
            }
            case Statement.Unsupported unsupported -> throw new EngineException(
                    EngineException.Kind.UNSUPPORTED_STATEMENT, unsupported.statementKind()
                    + " statements are not supported by this service: it runs CREATE FUNCTION, DROP FUNCTION and"
                    + " SELECT ... FROM " + system.names("or"));
        };
    }

    private Outcome create(Statement.CreateFunction create, Context context) {
        if (create.orReplace() && create.ifNotExists()) {
            throw new EngineException(EngineException.Kind.SYNTAX,
                    "syntax error - OR REPLACE and IF NOT EXISTS are mutually exclusive");
        }
        FunctionId id = resolve(create.name(), context.queryContext());
        NamespaceAccess.require(context.caller(), new Permission.ManageFunction(id.namespace()));
        LibraryId library = libraryPath(create.library(), id);
        FunctionDefinition definition = new FunctionDefinition(id, create.parameters(), library, create.object(),
                Instant.now(), create.library());
        catalog.createFunction(definition, create.name().toString(), create.orReplace(), create.ifNotExists());
        return new Outcome(List.of(), Optional.empty());
    }

    private Outcome drop(Statement.DropFunction drop, Context context) {
        FunctionId id = resolve(drop.name(), context.queryContext());
        NamespaceAccess.require(context.caller(), new Permission.ManageFunction(id.namespace()));
        if (!catalog.dropFunction(id) && !drop.ifExists()) {
            throw functionNotFound(drop.name());
        }
        executor.stats().forget(id);
        return new Outcome(List.of(), Optional.empty());
    }

    /**
     * WHERE, then ORDER BY, then the projections; OFFSET and LIMIT count the rows that have a result (a RAW
     * projection that is MISSING has none), so projections and their function calls run only for the rows kept.
     */
    private Outcome select(Statement.Select select, Context context) {
        List<SystemKeyspaces.Document> documents;
        Optional<String> alias;
        if (select.from().isPresent()) {
            Keyspace keyspace = select.from().get();
            documents = system.documents(keyspace, context.caller());
            alias = Optional.of(select.fromAlias().orElse(keyspace.path().getLast()));
        } else {
            alias = Optional.empty();
            documents = List.of();
        }
        List<ExpressionEvaluator.Scope> rows = new ArrayList<>();
        if (select.from().isEmpty()) {
            rows.add(scope(alias, JSON.objectNode(), context));
        }
        for (SystemKeyspaces.Document document : documents) {
            rows.add(new ExpressionEvaluator.Scope(alias, document.value(), Optional.of(document.meta()),
                    context.positional(), context.named(), (name, arguments) -> invoke(name, arguments, context)));
        }
        rows.removeIf(scope -> select.where().isPresent() && !ExpressionEvaluator.keeps(select.where().get(), scope));
        List<JsonNode> results = new ArrayList<>();
        if (select.orderBy().isEmpty()) {
            emit(select, alias, rows.stream().map(scope -> project(select, alias, scope)).iterator(), results);
        } else {
            emit(select, alias, sorted(select, alias, rows).iterator(), results);
        }
        JsonNode signature = select.raw() ? JSON.textNode("json")
                : select.star() ? JSON.objectNode().put("*", "*") : signature(select.projections());
        return new Outcome(results, Optional.of(signature));
    }

    /** Skip OFFSET rows that have a result, then keep up to LIMIT of them; rows are projected as they are read. */
    private static void emit(Statement.Select select, Optional<String> alias, Iterator<Optional<JsonNode>> rows,
                             List<JsonNode> results) {
        long offset = select.offset().orElse(0L);
        long limit = select.limit().orElse(Long.MAX_VALUE);
        long skipped = 0;
        while (results.size() < limit && rows.hasNext()) {
            Optional<JsonNode> row = rows.next();
            if (row.isEmpty()) {
                continue;
            }
            if (skipped < offset) {
                skipped++;
                continue;
            }
            results.add(row.get());
        }
    }

    /**
     * The rows projected and sorted by the ORDER BY terms, stable, in Couchbase's order of JSON values. A term that
     * is a path starting with a projection's name (and not the keyspace's alias) sorts by that projection's value,
     * as Couchbase lets ORDER BY use the projections' aliases.
     */
    private Iterable<Optional<JsonNode>> sorted(Statement.Select select, Optional<String> alias,
                                                List<ExpressionEvaluator.Scope> rows) {
        List<String> names = select.raw() || select.star() ? List.of() : projectionNames(select.projections());
        record Sortable(Optional<JsonNode> row, List<Optional<JsonNode>> keys) {
        }
        List<Sortable> sortable = new ArrayList<>();
        for (ExpressionEvaluator.Scope scope : rows) {
            Optional<JsonNode> row = project(select, alias, scope);
            List<Optional<JsonNode>> keys = new ArrayList<>();
            for (OrderTerm term : select.orderBy()) {
                if (term.expression() instanceof Expression.Path path && names.contains(path.parts().getFirst())
                        && alias.filter(path.parts().getFirst()::equals).isEmpty()) {
                    keys.add(ExpressionEvaluator.fields(row, path.parts()));
                } else {
                    keys.add(ExpressionEvaluator.evaluate(term.expression(), scope));
                }
            }
            sortable.add(new Sortable(row, keys));
        }
        sortable.sort((a, b) -> {
            for (int i = 0; i < select.orderBy().size(); i++) {
                int order = compare(select.orderBy().get(i), a.keys().get(i), b.keys().get(i));
                if (order != 0) {
                    return order;
                }
            }
            return 0;
        });
        return sortable.stream().map(Sortable::row).toList();
    }

    private ExpressionEvaluator.Scope scope(Optional<String> alias, JsonNode document, Context context) {
        return new ExpressionEvaluator.Scope(alias, document, Optional.empty(), context.positional(), context.named(),
                (name, arguments) -> invoke(name, arguments, context));
    }

    /** One term's order: NULL and MISSING where NULLS puts them, the rest by collation in the term's direction. */
    private static int compare(OrderTerm term, Optional<JsonNode> a, Optional<JsonNode> b) {
        boolean aNull = a.map(JsonNode::isNull).orElse(true);
        boolean bNull = b.map(JsonNode::isNull).orElse(true);
        if (aNull != bNull) {
            return aNull == term.nullsFirst() ? -1 : 1;
        }
        int order = ExpressionEvaluator.collate(a, b);
        return term.descending() ? -order : order;
    }

    /**
     * Call a SQL++ function: resolve it, check the caller may execute it and the argument count, run its
     * JavaScript function.
     */
    private Optional<JsonNode> invoke(FunctionName name, List<JsonNode> arguments, Context context) {
        FunctionId id = resolve(name, context.queryContext());
        NamespaceAccess.require(context.caller(), new Permission.ExecuteFunction(id.namespace()));
        FunctionDefinition definition = catalog.function(id).orElseThrow(() -> functionNotFound(name));
        if (definition.parameters().isPresent() && definition.parameters().get().size() != arguments.size()) {
            // Couchbase's text first, to the letter; what it takes and what it got after it.
            throw new EngineException(EngineException.Kind.WRONG_ARGUMENT_COUNT, "Incorrect number of arguments"
                    + " supplied to function '" + id.name() + "' - it takes " + definition.parameters().get().size()
                    + " (" + String.join(", ", definition.parameters().get()) + "), got " + arguments.size());
        }
        Optional<Duration> remaining = context.remaining();
        if (remaining.isPresent() && !remaining.get().isPositive()) {
            throw queryTimeout(context);
        }
        CallLimits limits = executor.limits(remaining);
        FunctionExecutor.Outcome outcome;
        try {
            outcome = executor.call(definition, arguments, limits, context.caller(), context.client());
        } catch (FunctionCallException e) {
            // Stopped by what was left of the request's own timeout, not by the server's limit on one call.
            if (e.failure().kind() == JsExecutionException.Kind.TIMEOUT && remaining.isPresent()
                    && limits.timeout().equals(remaining.get())) {
                throw queryTimeout(context);
            }
            throw e;
        }
        context.logs().addAll(outcome.call().logs());
        return outcome.result();
    }

    private static Optional<JsonNode> project(Statement.Select select, Optional<String> alias,
                                              ExpressionEvaluator.Scope scope) {
        if (select.star()) {
            if (alias.isEmpty()) {
                throw new EngineException(EngineException.Kind.SYNTAX,
                        "syntax error - SELECT * needs a FROM clause");
            }
            ObjectNode row = JSON.objectNode();
            row.set(alias.get(), scope.document());
            return Optional.of(row);
        }
        if (select.raw()) {
            return ExpressionEvaluator.evaluate(select.projections().getFirst().expression(), scope);
        }
        ObjectNode row = JSON.objectNode();
        int position = 1;
        for (Projection projection : select.projections()) {
            String name = projection.alias().orElse(defaultName(projection.expression(), position));
            ExpressionEvaluator.evaluate(projection.expression(), scope).ifPresent(v -> row.set(name, v));
            position++;
        }
        return Optional.of(row);
    }

    private static JsonNode signature(List<Projection> projections) {
        ObjectNode signature = JSON.objectNode();
        projectionNames(projections).forEach(name -> signature.put(name, "json"));
        return signature;
    }

    private static List<String> projectionNames(List<Projection> projections) {
        List<String> names = new ArrayList<>();
        for (Projection projection : projections) {
            names.add(projection.alias().orElse(defaultName(projection.expression(), names.size() + 1)));
        }
        return names;
    }

    /** Couchbase names an unaliased projection after its last path step, else {@code $1}, {@code $2}, ... */
    private static String defaultName(Expression expression, int position) {
        return expression instanceof Expression.Path path ? path.parts().getLast() : "$" + position;
    }

    /**
     * A function name as Couchbase resolves it: {@code f} in the query context (global without one),
     * {@code default:f} global, {@code bucket.scope.f} and {@code default:bucket.scope.f} scoped.
     */
    static FunctionId resolve(FunctionName name, Optional<Namespace> queryContext) {
        if (name.namespace().filter(n -> !n.equals(DEFAULT_NAMESPACE)).isPresent()) {
            throw invalidName(name, "the only namespace is 'default'");
        }
        try {
            return switch (name.parts().size()) {
                case 1 -> new FunctionId(name.namespace().isPresent() ? Namespace.GLOBAL
                        : queryContext.orElse(Namespace.GLOBAL), name.name());
                case 3 -> new FunctionId(Namespace.scoped(name.parts().get(0), name.parts().get(1)), name.name());
                default -> throw invalidName(name, "use name, bucket.scope.name or default:bucket.scope.name");
            };
        } catch (InvalidNameException e) {
            throw invalidName(name, e.rule());
        }
    }

    /**
     * The library an AT path names, by Couchbase's rules: {@code "lib"} is a global library, {@code "./lib"} the
     * function's own namespace, {@code "bucket/scope/lib"} only the function's own scope.
     */
    static LibraryId libraryPath(String path, FunctionId function) {
        try {
            if (!path.contains("/")) {
                return LibraryId.global(path);
            }
            if (path.startsWith("./") && path.indexOf('/', 2) < 0) {
                return new LibraryId(function.namespace(), path.substring(2));
            }
            String[] parts = path.split("/", -1);
            if (parts.length == 3 && function.namespace() instanceof Namespace.Scoped s
                    && s.bucket().equals(parts[0]) && s.scope().equals(parts[1])) {
                return new LibraryId(s, parts[2]);
            }
        } catch (InvalidNameException e) {
            throw invalidLibraryPath(path, " - " + e.rule());
        }
        throw invalidLibraryPath(path, "");
    }

    /** Couchbase's message, to the letter, and what else is wrong with the path. */
    private static EngineException invalidLibraryPath(String path, String more) {
        return new EngineException(EngineException.Kind.INVALID_LIBRARY_PATH, "Invalid javascript library path: "
                + path + ". Use a root level path, the same path as the function scope, or a local path"
                + " ('./library')" + more);
    }

    /** Couchbase's message: {@code Timeout 1s exceeded}. */
    private static EngineException queryTimeout(Context context) {
        return new EngineException(EngineException.Kind.QUERY_TIMEOUT,
                "Timeout " + GoDuration.go(context.timeout().orElseThrow()) + " exceeded");
    }

    /** Couchbase's message, with the name as the statement wrote it. */
    private static EngineException functionNotFound(FunctionName name) {
        return new EngineException(EngineException.Kind.FUNCTION_NOT_FOUND, "Function '" + name + "' not found");
    }

    private static EngineException invalidName(FunctionName name, String why) {
        return new EngineException(EngineException.Kind.INVALID_FUNCTION_NAME,
                "Invalid function name " + name + ": " + why);
    }
}
