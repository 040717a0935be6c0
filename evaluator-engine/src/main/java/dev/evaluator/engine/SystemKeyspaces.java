package dev.evaluator.engine;

import dev.evaluator.query.Keyspace;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.Namespace;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code system:} keyspaces a SELECT may read, each a list of documents filtered to what the caller may see:
 * {@code system:functions} (the SQL++ functions, as Couchbase shows them) and {@code system:functions_cache} (each
 * library function's call statistics). Adding a keyspace is one entry in {@link #SystemKeyspaces}'s table.
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
    /** Each keyspace's name after {@code system:}, and its documents as one caller sees them. */
    private final Map<String, Function<Caller, List<JsonNode>>> keyspaces = new LinkedHashMap<>();

    SystemKeyspaces(FunctionCatalog catalog, FunctionStats stats) {
        this.catalog = catalog;
        this.stats = stats;
        keyspaces.put("functions", this::functions);
        keyspaces.put("functions_cache", this::functionsCache);
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
    List<JsonNode> documents(Keyspace keyspace, Caller caller) {
        boolean system = keyspace.namespace().filter(SYSTEM::equalsIgnoreCase).isPresent()
                && keyspace.path().size() == 1;
        Function<Caller, List<JsonNode>> documents = system ? keyspaces.get(keyspace.path().getFirst()) : null;
        if (documents == null) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED_KEYSPACE, "Keyspace " + keyspace
                    + " is not available here: this service answers queries of " + String.join(" and ", names())
                    + " only");
        }
        return documents.apply(caller);
    }

    private List<JsonNode> functions(Caller caller) {
        return catalog.functions().stream()
                .filter(f -> NamespaceAccess.visibleFunction(caller, f))
                .map(this::functionDocument)
                .toList();
    }

    private List<JsonNode> functionsCache(Caller caller) {
        return stats.report(NamespaceAccess.visibleStatistics(caller, java.util.Optional.empty()))
                .functions().stream()
                .map(SystemKeyspaces::cacheDocument)
                .toList();
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
        definition.put("library", f.library().name());
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
     * timeouts and the 99th percentile are additions. Couchbase keys its cache by SQL++ function; here each library
     * function has one document whichever way it was called.
     */
    private static JsonNode cacheDocument(FunctionStats.Snapshot f) {
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
