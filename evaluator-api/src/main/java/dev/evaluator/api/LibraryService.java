package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Caller;
import dev.evaluator.engine.FunctionCatalog;
import dev.evaluator.engine.FunctionExecutor;
import dev.evaluator.engine.GoDuration;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.engine.NamespaceAccess;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The libraries API, compatible with Couchbase's Functions REST API: list, read, create or replace, delete.
 */
final class LibraryService implements HttpService {

    private static final int MAX_INVOKE_BODY_BYTES = 16 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final FunctionCatalog catalog;
    private final FunctionExecutor executor;
    private final int maxLibraryBytes;
    private final ClientConnections clients;
    private final LibraryHistory history;
    private final AuditLog audit;

    LibraryService(FunctionCatalog catalog, FunctionExecutor executor, int maxLibraryBytes, ClientConnections clients,
                   LibraryHistory history, AuditLog audit) {
        this.history = history;
        this.audit = audit;
        this.clients = clients;
        this.catalog = catalog;
        this.executor = executor;
        this.maxLibraryBytes = maxLibraryBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        // The call first: the routing tries routes in order, and calls are most of the requests (the patterns are
        // disjoint, so the order changes nothing else).
        rules.post("/{library}/functions/{function}/invoke", this::invoke)
                .any("/{library}/functions/{function}/invoke", MethodNotAllowed.allowing("POST"))
                .route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/"), this::list)
                .any("/", MethodNotAllowed.allowing("GET", "HEAD"))
                .route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/{library}"), this::read)
                .post("/{library}", this::upsert)
                .delete("/{library}", this::delete)
                .any("/{library}", MethodNotAllowed.allowing("GET", "HEAD", "POST", "DELETE"))
                .route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/{library}/functions"),
                        this::functions)
                .any("/{library}/functions", MethodNotAllowed.allowing("GET", "HEAD"));
    }

    /** A library as the list returns it: global libraries have empty bucket and scope. */
    record LibraryView(String name, String bucket, String scope, String code) {
        static LibraryView of(Library library) {
            return switch (library.id().namespace()) {
                case Namespace.Global g -> new LibraryView(library.id().name(), "", "", library.code());
                case Namespace.Scoped s -> new LibraryView(library.id().name(), s.bucket(), s.scope(), library.code());
            };
        }
    }

    /**
     * A library with what the admin console's table shows, listed only with {@code details=true} (Couchbase's
     * shape stays the default).
     *
     * @param size          the code's length in UTF-8 bytes
     * @param functionCount how many top-level functions the code defines
     * @param modified      when the library was last created or replaced, ISO-8601
     */
    record LibraryDetailsView(String name, String bucket, String scope, String code, int size, int functionCount,
                              String modified) {
        static LibraryDetailsView of(Library library, int functionCount) {
            LibraryView view = LibraryView.of(library);
            return new LibraryDetailsView(view.name(), view.bucket(), view.scope(), view.code(),
                    library.code().getBytes(StandardCharsets.UTF_8).length, functionCount,
                    library.modified().toString());
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        boolean details = flag(req, "details");
        Function<Library, Object> view = details ? l -> LibraryDetailsView.of(l, catalog.functionCount(l))
                : LibraryView::of;
        Optional<Namespace> namespace = namespace(req);
        if (req.query().contains("limit") || req.query().contains("cursor") || req.query().contains("q")) {
            page(req, res, namespace, view);
            return;
        }
        if (namespace.isPresent()) {
            Json.ok(res, catalog.libraries(namespace).stream().map(view).toList());
            return;
        }
        // The whole list is open to every user (AccessPolicy), filtered to what the caller may read, and streamed:
        // with many libraries it is never held whole.
        Caller caller = req.context().get(Caller.class).orElseThrow();
        Json.okArray(res, sink -> catalog.eachLibrary(library -> {
            if (NamespaceAccess.mayRead(caller, library)) {
                sink.accept(view.apply(library));
            }
        }));
    }

    /** Libraries in a page at most, by default, and at most. */
    static final int PAGE_DEFAULT = 100;
    static final int PAGE_MAX = 1000;

    /**
     * A page of the list, for long lists (opt-in: {@code limit}, {@code cursor} or {@code q} asks for it):
     * {@code {"libraries": [...], "next": cursor}}, in the list's order, {@code next} absent on the last page.
     *
     * @param page the requested namespace (bucket and scope), or every namespace the caller may read
     */
    record PageView(List<Object> libraries, @JsonInclude(JsonInclude.Include.NON_NULL) String next) {
    }

    private void page(ServerRequest req, ServerResponse res, Optional<Namespace> namespace,
                      Function<Library, Object> view) {
        int limit = limit(req);
        Optional<LibraryId> after = req.query().contains("cursor")
                ? Optional.of(ListCursor.decode(query(req, "cursor", ""))) : Optional.empty();
        String q = query(req, "q", "").toLowerCase(Locale.ROOT);
        Caller caller = req.context().get(Caller.class).orElseThrow();
        // Names and namespaces are tested before anything is read; permissions are per namespace, so they too.
        Predicate<LibraryId> include = id -> namespace.map(id.namespace()::equals).orElse(true)
                && NamespaceAccess.mayRead(caller, id.namespace())
                && (q.isEmpty() || id.name().toLowerCase(Locale.ROOT).contains(q)
                || namespaceLabel(id.namespace()).toLowerCase(Locale.ROOT).contains(q));
        List<Library> found = new ArrayList<>(limit + 1);
        catalog.eachLibrary(after, include, library -> {
            found.add(library);
            return found.size() <= limit;
        });
        String next = found.size() > limit ? ListCursor.encode(found.get(limit - 1).id()) : null;
        List<Object> libraries = found.stream().limit(limit).map(view).toList();
        Json.ok(res, new PageView(libraries, next));
    }

    private static int limit(ServerRequest req) {
        String text = query(req, "limit", Integer.toString(PAGE_DEFAULT));
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            limit = 0;
        }
        if (limit < 1 || limit > PAGE_MAX) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be a whole number from 1 to " + PAGE_MAX
                    + ", not '" + text + "'");
        }
        return limit;
    }

    /** How the console and a page's {@code q} write a namespace: {@code global} or {@code bucket.scope}. */
    private static String namespaceLabel(Namespace namespace) {
        return namespace instanceof Namespace.Scoped s ? s.bucket() + "." + s.scope() : "global";
    }

    private void read(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        Library library = catalog.library(id);
        if (!LibraryEdits.notModified(req, res, library)) {
            Json.ok(res, Map.of(id.name(), library.code()));
        }
    }

    private void upsert(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        Supplier<String> action = () -> catalog.findLibrary(id).isPresent() ? "library.replace" : "library.create";
        LibraryHistory.Written written = LibraryEdits.audited(audit, req, action, LibraryHistory.target(id), () -> {
            String code = body(req);
            return history.write(id, code, force(req), LibraryEdits.edit(req, true));
        });
        LibraryEdits.written(res, written);
        Json.okCouchbase(res);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        boolean purge = flag(req, "purge");
        LibraryEdits.audited(audit, req, purge ? "library.purge" : "library.delete", LibraryHistory.target(id), () -> {
            history.delete(id, purge, LibraryEdits.edit(req, false));
            return null;
        });
        Json.okCouchbase(res);
    }

    /** A top-level function of a library, with the SQL++ functions bound to it. */
    record FunctionView(String name, List<String> parameters, boolean variadic, int line, String doc,
                        List<String> boundBy) {
    }

    /** What a library defines, found by parsing it, never by running it. */
    record FunctionsView(String name, String bucket, String scope, List<FunctionView> functions,
                         List<FunctionCatalog.BrokenBinding> brokenBindings) {
    }

    private void functions(ServerRequest req, ServerResponse res) {
        Library library = catalog.library(libraryId(req));
        FunctionCatalog.LibraryFunctions found = catalog.functionsOf(library);
        LibraryView view = LibraryView.of(library);
        Json.ok(res, new FunctionsView(view.name(), view.bucket(), view.scope(), found.functions().stream()
                .map(d -> new FunctionView(d.function().name(), d.function().parameters(), d.function().variadic(),
                        d.function().line(), d.function().doc().orElse(null), d.boundBy()))
                .toList(), found.broken()));
    }

    /**
     * Call a library function directly: {@code {"args":[...]}} positional, or {@code {"params":{...}}} matched to
     * the JavaScript parameter names. Answers {@code {"result": <json>}} ({@code null} for undefined), with the
     * console output when {@code log=true}.
     */
    private void invoke(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        String function = PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 2);
        Library library = catalog.library(id);
        Invocation invocation = invocation(req, library, function);
        FunctionExecutor.Outcome outcome = executor.call(library, function, invocation.args(),
                executor.limits(invocation.timeout()), req.context().get(Caller.class).orElseThrow(),
                clients.presence(req));
        boolean log = flag(req, "log");
        // The runtime's JSON goes out as it is (reading it only to write it again would cost more than the call),
        // and so does the envelope: no mapper for a result, a duration and, on request, the logs.
        String result = outcome.json().orElse("null");
        StringBuilder body = new StringBuilder(result.length() + 48).append("{\"result\":").append(result);
        if (log) {
            body.append(",\"logs\":").append(Json.text(outcome.call().logs()));
            if (outcome.call().dropped() > 0) {
                body.append(",\"logsDropped\":").append(outcome.call().dropped());
            }
        }
        // Digits, a point and a unit: nothing to escape.
        body.append(",\"elapsed\":\"").append(GoDuration.format(outcome.call().elapsed().toNanos()))
                .append("\"}");
        Json.okJsonText(res, body);
    }

    /**
     * What an invoke asks for.
     *
     * @param args    the arguments, a JSON array
     * @param timeout the caller's timeout ({@code ?timeout=} or the body's {@code "timeout"}), capped by the server's
     */
    private record Invocation(String args, Optional<Duration> timeout) {
    }

    private Invocation invocation(ServerRequest req, Library library, String function) {
        String text = RequestBody.text(req, MAX_INVOKE_BODY_BYTES);
        Optional<Duration> timeout = req.query().contains("timeout")
                ? Optional.of(GoDuration.parse("timeout", req.query().get("timeout"))) : Optional.empty();
        if (text.isBlank()) {
            return new Invocation("[]", timeout);
        }
        Optional<String> positional = argsText(text);
        if (positional.isPresent()) {
            return new Invocation(positional.get(), timeout);
        }
        JsonNode body = jsonBody(text);
        JsonNode field = body.get("timeout");
        if (field != null) {
            if (timeout.isPresent()) {
                throw new ApiException(ErrorCode.INVALID_BODY, "Give timeout once: in the query or in the body");
            }
            if (!field.isTextual()) {
                throw new ApiException(ErrorCode.INVALID_BODY, "timeout must be a string such as \"500ms\" or \"10s\"");
            }
            timeout = Optional.of(GoDuration.parse("timeout", field.asText()));
        }
        return new Invocation(invokeArguments(body, library, function), timeout);
    }

    private static JsonNode jsonBody(String text) {
        JsonNode body;
        try {
            body = MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body must be {\"args\":[...]} or {\"params\":{...}}");
        }
        return body;
    }

    /** The call's arguments, a JSON array. */
    private String invokeArguments(JsonNode body, Library library, String function) {
        JsonNode args = body.get("args");
        JsonNode params = body.get("params");
        if (args != null && params != null) {
            throw new ApiException(ErrorCode.INVALID_BODY, "Give args or params, not both");
        }
        if (args != null) {
            if (!args.isArray()) {
                throw new ApiException(ErrorCode.INVALID_BODY, "args must be a JSON array");
            }
            return args.toString();
        }
        if (params == null) {
            return "[]";
        }
        if (!params.isObject()) {
            throw new ApiException(ErrorCode.INVALID_BODY, "params must be a JSON object");
        }
        return executor.namedArguments(library, function, params);
    }

    /**
     * The text of the array of {@code {"args":[...]}} as the caller wrote it, when that is the whole body: checked by
     * a streaming parse, with no tree built and written again. Empty for any other body, which the tree reading
     * then accepts or explains.
     */
    private static Optional<String> argsText(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME
                    || !"args".equals(parser.currentName()) || parser.nextToken() != JsonToken.START_ARRAY) {
                return Optional.empty();
            }
            int start = Math.toIntExact(parser.currentTokenLocation().getCharOffset());
            parser.skipChildren();
            int end = Math.toIntExact(parser.currentLocation().getCharOffset());
            if (parser.nextToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return Optional.empty();
            }
            return Optional.of(text.substring(start, end));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean flag(ServerRequest req, String name) {
        String value = query(req, name, "false");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default -> throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be true or false, not '" + value
                    + "'");
        };
    }

    private static boolean force(ServerRequest req) {
        return flag(req, "force");
    }


    private LibraryId libraryId(ServerRequest req) {
        String name = PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 0);
        return new LibraryId(namespace(req).orElse(Namespace.GLOBAL), name);
    }

    /**
     * The namespace named by the {@code bucket} and {@code scope} query parameters: empty when neither is given
     * (or both are empty, as Couchbase lists global libraries), an error when only one is.
     */
    static Optional<Namespace> namespace(ServerRequest req) {
        String bucket = query(req, "bucket", "");
        String scope = query(req, "scope", "");
        if (bucket.isEmpty() && scope.isEmpty()) {
            return Optional.empty();
        }
        if (bucket.isEmpty() || scope.isEmpty()) {
            throw new ApiException(ErrorCode.BUCKET_AND_SCOPE_REQUIRED,
                    "Both bucket and scope are required for a scoped library; give both or neither (global)");
        }
        return Optional.of(Namespace.scoped(bucket, scope));
    }

    /** A query parameter's first value; Helidon's {@code first} costs a mapper lookup even for an absent one. */
    private static String query(ServerRequest req, String name, String absent) {
        UriQuery query = req.query();
        return query.contains(name) ? query.get(name) : absent;
    }

    private String body(ServerRequest req) {
        String code = RequestBody.text(req, maxLibraryBytes);
        if (code.isBlank()) {
            throw new ApiException(ErrorCode.EMPTY_BODY,
                    "The request body must be the JavaScript code of the whole library; it was empty");
        }
        return code;
    }
}
