package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Caller;
import dev.evaluator.engine.GoDuration;
import dev.evaluator.engine.StatementRunner;
import dev.evaluator.query.SqlParser;
import dev.evaluator.query.Statement;
import dev.evaluator.runtime.CallResult;
import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.Namespace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /query/service}, shaped like Couchbase's Query REST API: the statement and its parameters as form fields
 * or JSON, and a response with {@code requestID}, {@code signature}, {@code results}, {@code status} and
 * {@code metrics}. Failures are rendered in the same shape by {@link ErrorMapper}.
 */
final class QueryService implements HttpService {
    static final String PATH = "/query/service";
    /** Couchbase's query service answers here too. */
    static final String ALIAS_PATH = "/query";
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Couchbase's E_SERVICE_READONLY: a statement that writes, sent with GET. */
    private static final int READ_ONLY = 1000;
    /** Couchbase's E_SERVICE_MISSING_VALUE. */
    private static final int MISSING_VALUE = 1050;
    /** Couchbase's E_SERVICE_TYPE_MISMATCH. */
    private static final int TYPE_MISMATCH = 1070;

    /** The request's identity and start, for the response and for errors. */
    record Timing(String requestId, long startNanos) {
    }

    private final StatementRunner runner;
    private final ClientConnections clients;

    private final AuditLog audit;

    /**
     * @param audit where CREATE FUNCTION and DROP FUNCTION statements are recorded, done or refused
     */
    QueryService(StatementRunner runner, ClientConnections clients, AuditLog audit) {
        this.audit = audit;
        this.clients = clients;
        this.runner = runner;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> handle(req, res, false))
                .post("/", (req, res) -> handle(req, res, true))
                .any("/", MethodNotAllowed.allowing("GET", "POST"));
    }

    /** Run a statement; a function's creation or drop goes into the audit trail, done or refused. */
    private StatementRunner.Outcome run(ServerRequest req, Statement statement, StatementRunner.Context context,
                                        Map<String, JsonNode> fields) {
        Optional<String> action = switch (statement) {
            case Statement.CreateFunction c -> Optional.of("function.create");
            case Statement.DropFunction d -> Optional.of("function.drop");
            default -> Optional.empty();
        };
        if (action.isEmpty()) {
            return runner.run(statement, context);
        }
        String name = switch (statement) {
            case Statement.CreateFunction c -> c.name().toString();
            case Statement.DropFunction d -> d.name().toString();
            default -> "";
        };
        String detail = fields.containsKey("query_context") ? "query_context " + fields.get("query_context").asText()
                : "";
        String outcome = AuditEntry.SUCCESS;
        try {
            return runner.run(statement, context);
        } catch (RuntimeException e) {
            outcome = ErrorMapper.outcome(e);
            throw e;
        } finally {
            audit.record(LibraryEdits.user(req), LibraryEdits.client(req), action.get(), name, outcome,
                    OptionalLong.empty(), detail);
        }
    }

    private void handle(ServerRequest req, ServerResponse res, boolean post) {
        Timing timing = new Timing(UUID.randomUUID().toString(), System.nanoTime());
        req.context().register(timing);
        Map<String, JsonNode> fields = post ? body(req) : query(req);
        String text = Optional.ofNullable(fields.get("statement")).filter(JsonNode::isTextual).map(JsonNode::asText)
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> ApiException.query(ErrorCode.BAD_REQUEST, MISSING_VALUE,
                        "No statement: send the SQL++ text in the statement field"));
        Statement statement = SqlParser.parse(text);
        if (!post && !(statement instanceof Statement.Select)) {
            throw ApiException.query(ErrorCode.FORBIDDEN, READ_ONLY,
                    "Only SELECT statements may be sent with GET; send this one with POST");
        }
        Caller caller = req.context().get(Caller.class).orElseThrow();
        List<CallResult.LogLine> logs = new ArrayList<>();
        StatementRunner.Context context = new StatementRunner.Context(caller, queryContext(fields),
                positional(fields), named(fields), timeout(fields), logs, timing.startNanos(), clients.presence(req));
        long executionStart = System.nanoTime();
        StatementRunner.Outcome outcome = run(req, statement, context, fields);
        long end = System.nanoTime();

        ObjectNode body = MAPPER.createObjectNode();
        body.put("requestID", timing.requestId());
        outcome.signature().ifPresent(s -> body.set("signature", s));
        ArrayNode results = body.putArray("results");
        outcome.results().forEach(results::add);
        body.put("status", "success");
        if (fields.containsKey("log") && fields.get("log").asText().equalsIgnoreCase("true")) {
            body.set("logs", MAPPER.valueToTree(logs));
        }
        ObjectNode metrics = body.putObject("metrics");
        metrics.put("elapsedTime", GoDuration.format(end - timing.startNanos()));
        metrics.put("executionTime", GoDuration.format(end - executionStart));
        metrics.put("resultCount", outcome.results().size());
        metrics.put("resultSize", size(results));
        Json.ok(res, body);
    }

    /** The request's {@code timeout}, a Go-style duration as Couchbase takes it. */
    static Optional<Duration> timeout(Map<String, JsonNode> fields) {
        JsonNode value = fields.get("timeout");
        if (value == null || value.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(GoDuration.parse("timeout", value.asText()));
    }

    /** Whether a request is a query request, so its errors take the query response shape. */
    static boolean isQuery(ServerRequest req) {
        String path = req.path().absolute().path();
        return path.startsWith(PATH) || path.equals(ALIAS_PATH) || path.equals(ALIAS_PATH + "/");
    }

    private static int size(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON from Jackson always serialises", e);
        }
    }

    private static Map<String, JsonNode> body(ServerRequest req) {
        String text = RequestBody.text(req, MAX_BODY_BYTES);
        boolean json = req.headers().first(HeaderNames.CONTENT_TYPE)
                .map(type -> type.toLowerCase(Locale.ROOT).startsWith("application/json")).orElse(false);
        if (!json) {
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            try {
                FormBody.parse(text).forEach((name, value) -> fields.put(name, MAPPER.getNodeFactory().textNode(value)));
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "The form body is not correctly URL-encoded");
            }
            return formValues(fields);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The JSON body must be an object with a statement");
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        node.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return fields;
    }

    private static Map<String, JsonNode> query(ServerRequest req) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            fields.put(name, MAPPER.getNodeFactory().textNode(req.query().get(name)));
        }
        return formValues(fields);
    }

    /** Form values are text; args and $parameters hold JSON text, as Couchbase takes them. */
    private static Map<String, JsonNode> formValues(Map<String, JsonNode> fields) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        fields.forEach((name, value) -> values.put(name,
                name.equals("args") || name.startsWith("$") ? jsonField(name, value.asText()) : value));
        return values;
    }

    private static JsonNode jsonField(String name, String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The value of " + name + " is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    private static List<JsonNode> positional(Map<String, JsonNode> fields) {
        JsonNode args = fields.get("args");
        if (args == null || args.isNull()) {
            return List.of();
        }
        if (!args.isArray()) {
            throw ApiException.query(ErrorCode.BAD_REQUEST, TYPE_MISMATCH, "args has to be of type array");
        }
        List<JsonNode> values = new ArrayList<>();
        args.forEach(values::add);
        return values;
    }

    private static Map<String, JsonNode> named(Map<String, JsonNode> fields) {
        Map<String, JsonNode> named = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (name.startsWith("$") && name.length() > 1) {
                named.put(name.substring(1), value);
            }
        });
        return named;
    }

    /**
     * The query context's scope: {@code default:bucket.scope} or {@code bucket.scope}, parts possibly back-quoted;
     * empty or {@code default:} for none.
     */
    static Optional<Namespace> queryContext(Map<String, JsonNode> fields) {
        String text = Optional.ofNullable(fields.get("query_context")).map(JsonNode::asText).orElse("").strip();
        if (text.regionMatches(true, 0, "default:", 0, "default:".length())) {
            text = text.substring("default:".length());
        } else if (text.contains(":")) {
            throw new ApiException(ErrorCode.BAD_REQUEST,
                    "query_context " + text + " names a namespace other than default");
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '`') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        if (quoted || parts.size() != 2) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "query_context must be default:bucket.scope, not "
                    + fields.get("query_context").asText());
        }
        try {
            return Optional.of(Namespace.scoped(parts.get(0), parts.get(1)));
        } catch (InvalidNameException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "query_context is invalid: " + e.rule());
        }
    }
}
