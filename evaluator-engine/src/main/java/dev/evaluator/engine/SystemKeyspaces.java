package dev.evaluator.engine;

import dev.evaluator.query.Keyspace;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Namespace;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code system:} keyspaces a SELECT may read, each a list of documents filtered to what the caller may see:
 * {@code system:functions} (the SQL++ functions, as Couchbase shows them) and {@code system:functions_cache} (each
 * called SQL++ function's call statistics, as Couchbase shows them, then each library function's). Adding a keyspace
 * is one entry in {@link #SystemKeyspaces}'s table.
 * <p>
 * Each document has the id {@code meta().id} shows: Couchbase's key of a SQL++ function, its full name unquoted
 * ({@code default:f}, {@code default:travel-sample.inventory.f}), in both keyspaces; a library function's row has
 * its library's AT path and the function's name ({@code math/add}, {@code travel-sample/inventory/science/f2c}),
 * which never has a colon and so never equals a SQL++ function's.
 */
final class SystemKeyspaces {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String SYSTEM = "system";
    private static final String DEFAULT_NAMESPACE = "default";
    /** Go's {@code time.Time.String()}, which Couchbase shows in {@code lastUse}. */
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSS Z 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final FunctionCatalog catalog;
    private final FunctionStats stats;
    private final RunningCalls running;
    /** This node's name, in the rows of the per-node keyspaces (functions_cache, active_requests), as Couchbase. */
    private final String node;
    /** Each keyspace's name after {@code system:}, and its documents as one caller sees them. */
    private final Map<String, Function<Caller, List<Document>>> keyspaces = new LinkedHashMap<>();

    /**
     * A document of a keyspace.
     *
     * @param id    what {@code meta().id} shows
     * @param value the document
     */
    record Document(String id, JsonNode value) {
        /** What {@code meta()} shows. */
        JsonNode meta() {
            return JSON.objectNode().put("id", id);
        }
    }

    SystemKeyspaces(FunctionCatalog catalog, FunctionStats stats, RunningCalls running, String node) {
        this.node = node;
        this.catalog = catalog;
        this.stats = stats;
        this.running = running;
        keyspaces.put("functions", this::functions);
        keyspaces.put("functions_cache", this::functionsCache);
        keyspaces.put("active_requests", this::activeRequests);
    }

    /** The keyspaces as SQL++ names them, listed for a message: {@code a, b and c}. */
    String names(String conjunction) {
        List<String> names = names();
        return names.size() == 1 ? names.getFirst() : String.join(", ", names.subList(0, names.size() - 1)) + " "
                + conjunction + " " + names.getLast();
    }

    /** The keyspaces as SQL++ names them, for messages. */
    List<String> names() {
        return keyspaces.keySet().stream().map(name -> SYSTEM + ":" + name).toList();
    }

    /**
     * The documents of a keyspace that a caller may see.
     *
     * @throws EngineException {@code UNSUPPORTED_KEYSPACE} for any keyspace but these
     */
    List<Document> documents(Keyspace keyspace, Caller caller) {
        boolean system = keyspace.namespace().filter(SYSTEM::equalsIgnoreCase).isPresent()
                && keyspace.path().size() == 1;
        Function<Caller, List<Document>> documents = system ? keyspaces.get(keyspace.path().getFirst()) : null;
        if (documents == null) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED_KEYSPACE, "Keyspace " + keyspace
                    + " is not available here: this service answers queries of " + names("and")
                    + " only");
        }
        return documents.apply(caller);
    }

    private List<Document> functions(Caller caller) {
        return catalog.functions().stream()
                .filter(f -> NamespaceAccess.visibleFunction(caller, f))
                .map(f -> new Document(key(f.id()), functionDocument(f)))
                .toList();
    }

    /** The called SQL++ functions, in the catalog's order, then the library functions, in the statistics' order. */
    private List<Document> functionsCache(Caller caller) {
        Predicate<Namespace> visible = NamespaceAccess.visibleStatistics(caller, Optional.empty());
        List<Document> documents = new ArrayList<>();
        for (FunctionDefinition f : catalog.functions()) {
            // Statistics need the library permission, as the library rows do; naming the function needs its own
            if (visible.test(f.id().namespace()) && NamespaceAccess.visibleFunction(caller, f)) {
                stats.sqlFunction(f.id()).ifPresent(figures -> documents.add(new Document(key(f.id()),
                        sqlFunctionCacheDocument(f, figures).put("node", node))));
            }
        }
        stats.report(visible).functions().forEach(f -> documents.add(new Document(f.library() + "/" + f.function(),
                cacheDocument(f).put("node", node))));
        return documents;
    }

    /** Couchbase's key of a SQL++ function: its full name, parts joined unquoted. */
    private static String key(FunctionId id) {
        return switch (id.namespace()) {
            case Namespace.Global g -> DEFAULT_NAMESPACE + ":" + id.name();
            case Namespace.Scoped s -> DEFAULT_NAMESPACE + ":" + s.bucket() + "." + s.scope() + "." + id.name();
        };
    }

    /**
     * A called SQL++ function's row as Couchbase shows it in system:functions_cache: its signature ({@code name},
     * here the full name as {@link QualifiedName} prints it, {@code namespace}, {@code type}, {@code bucket},
     * {@code scope}), its body ({@code #language}, {@code parameters}, {@code library}, {@code object}, and
     * {@code prefix} for a scoped library), then {@code uses}, {@code lastUse} and the service times.
     */
    private static ObjectNode sqlFunctionCacheDocument(FunctionDefinition f, FunctionStats.SqlFunctionSnapshot figures) {
        ObjectNode document = JSON.objectNode();
        document.put("name", QualifiedName.of(f.id()));
        document.put("namespace", DEFAULT_NAMESPACE);
        switch (f.id().namespace()) {
            case Namespace.Global g -> document.put("type", "global");
            case Namespace.Scoped s -> document.put("type", "scope").put("bucket", s.bucket()).put("scope", s.scope());
        }
        document.put("#language", "javascript");
        f.parameters().ifPresent(params -> params.forEach(document.putArray("parameters")::add));
        document.put("library", f.library().name());
        document.put("object", f.object());
        if (f.library().namespace() instanceof Namespace.Scoped s) {
            document.put("prefix", s.bucket() + "/" + s.scope());
        }
        document.put("uses", figures.calls());
        document.put("lastUse", GO_TIME.format(figures.lastCall()));
        document.put("minServiceTime", GoDuration.format(figures.minNanos()));
        document.put("maxServiceTime", GoDuration.format(figures.maxNanos()));
        document.put("avgServiceTime", GoDuration.format(figures.avgNanos()));
        return document;
    }

    /**
     * The function calls running and queued now, as the caller may see them (Couchbase's
     * {@code system:active_requests} lists requests; here each is one JavaScript call, with Couchbase's names where
     * they apply: {@code requestId}, {@code requestTime}, {@code elapsedTime}, {@code state}, {@code users}).
     */
    private List<Document> activeRequests(Caller caller) {
        return running.visibleTo(caller).stream().map(call -> {
            ObjectNode document = JSON.objectNode();
            document.put("requestId", Long.toString(call.id()));
            document.put("requestTime", call.started().toString());
            document.put("elapsedTime", GoDuration.format(call.elapsed().toNanos()));
            document.put("state", call.state());
            document.put("users", call.user());
            document.put("library", call.library());
            document.put("function", call.function());
            switch (call.namespace()) {
                case Namespace.Global g -> document.put("type", "global");
                case Namespace.Scoped s -> document.put("type", "scope").put("bucket", s.bucket())
                        .put("scope", s.scope());
            }
            document.put("entryPoint", call.entryPoint());
            document.put("node", node);
            return new Document(Long.toString(call.id()), document);
        }).toList();
    }

    /**
     * The document Couchbase shows in system:functions for a JavaScript function, plus its full name as SQL++ text
     * ({@code qualifiedName}, which parses back to the function) and whether it is broken.
     */
    private JsonNode functionDocument(FunctionDefinition f) {
        ObjectNode identity = JSON.objectNode();
        identity.put("name", f.id().name());
        identity.put("namespace", DEFAULT_NAMESPACE);
        switch (f.id().namespace()) {
            case Namespace.Global g -> identity.put("type", "global");
            case Namespace.Scoped s -> identity.put("type", "scope").put("bucket", s.bucket()).put("scope", s.scope());
        }
        ObjectNode definition = JSON.objectNode();
        definition.put("#language", "javascript");
        f.parameters().ifPresent(params -> params.forEach(definition.putArray("parameters")::add));
        // As Couchbase shows it: the AT path as the statement wrote it ("./lib" stays "./lib").
        definition.put("library", f.libraryPath());
        definition.put("object", f.object());
        definition.put("libName", f.library().name());
        if (f.library().namespace() instanceof Namespace.Scoped s) {
            definition.put("prefix", s.bucket() + "/" + s.scope());
        }
        ObjectNode document = JSON.objectNode();
        document.set("identity", identity);
        document.set("definition", definition);
        document.put("qualifiedName", QualifiedName.of(f.id()));
        catalog.brokenReason(f).ifPresent(reason -> document.put("broken", true).put("brokenReason", reason));
        return document;
    }

    /**
     * A library function's figures, with Couchbase's names where {@code system:functions_cache} has them
     * ({@code uses}, {@code lastUse}, {@code minServiceTime}, {@code maxServiceTime}, {@code avgServiceTime}); errors,
     * timeouts and the 99th percentile are additions, and so is the row itself: Couchbase keys its cache by SQL++
     * function only. A library function has one such row whichever way it was called; it has no {@code name}.
     */
    private static ObjectNode cacheDocument(FunctionStats.Snapshot f) {
        ObjectNode document = JSON.objectNode();
        document.put("#language", "javascript");
        document.put("library", f.library().name());
        document.put("object", f.function());
        document.put("namespace", DEFAULT_NAMESPACE);
        switch (f.library().namespace()) {
            case Namespace.Global g -> document.put("type", "global");
            case Namespace.Scoped s -> document.put("type", "scope").put("bucket", s.bucket()).put("scope", s.scope());
        }
        document.put("uses", f.calls());
        document.put("errors", f.errors());
        document.put("timeouts", f.timeouts());
        document.put("lastUse", GO_TIME.format(f.lastCall()));
        document.put("minServiceTime", GoDuration.format(f.minNanos()));
        document.put("maxServiceTime", GoDuration.format(f.maxNanos()));
        document.put("avgServiceTime", GoDuration.format(f.avgNanos()));
        document.put("p99ServiceTime", GoDuration.format(f.p99Nanos()));
        return document;
    }
}
