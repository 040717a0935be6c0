package dev.evaluator.api;

import dev.evaluator.engine.EngineException;
import dev.evaluator.engine.FunctionCallException;
import dev.evaluator.engine.GoDuration;
import dev.evaluator.query.QuerySyntaxException;
import dev.evaluator.runtime.JsExecutionException;
import dev.evaluator.runtime.JsSyntaxException;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.StoreException;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place where failures become HTTP responses: the REST shape
 * {@code {"status":"error","code":"<machine code>","message":"<text>", ...details}}, or, for {@code /query/service},
 * Couchbase's query shape with {@code errors} carrying Couchbase's codes. Every engine {@link EngineException.Kind}
 * and every {@link ErrorCode} is mapped by an exhaustive switch. No stack traces and no request content (library
 * code, credentials) ever go into a response.
 */
final class ErrorMapper implements ErrorHandler<Throwable> {
    private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());
    /** Couchbase's query code for an internal failure. */
    private static final int QUERY_INTERNAL = 5000;
    /** Couchbase's query code for a request whose own timeout ran out (E_SERVICE_TIMEOUT). */
    private static final int QUERY_TIMEOUT = 1080;
    /** Couchbase's query code for a request it cannot process (E_SERVICE_BAD_VALUE). */
    private static final int QUERY_BAD_REQUEST = 1040;

    /**
     * A failure as both shapes need it.
     *
     * @param status     the HTTP status
     * @param code       the REST shape's machine code
     * @param queryEntry the query shape's {@code errors} entry ({@code code}, {@code msg}, ...)
     * @param details    the REST shape's extra fields
     * @param headers    response headers
     */
    private record Failure(int status, ErrorCode code, String message, Map<String, Object> queryEntry,
                           Map<String, Object> details, Map<String, String> headers) {
        static Failure of(ErrorCode code, int queryCode, String message, Map<String, Object> details) {
            return new Failure(code.status(), code, message, entry(queryCode, message), details, Map.of());
        }
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable failure) {
        if (res.isSent()) {
            return;
        }
        if (failure instanceof HttpException e && e.status().code() == Status.NOT_MODIFIED_304.code()) {
            // Not a failure: the static content handler answers a matching If-None-Match this way (its ETag is
            // already on the response).
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        Failure mapped = map(req, failure, QueryService.isQuery(req));
        mapped.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        if (QueryService.isQuery(req)) {
            renderQuery(req, res, mapped);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("code", mapped.code().code());
        body.put("message", mapped.message());
        body.putAll(mapped.details());
        Json.send(res, mapped.status(), body);
    }

    /**
     * A failed query request, in Couchbase's query response shape: {@code requestID}, {@code errors} with
     * Couchbase's codes, {@code status: "errors"} and {@code metrics}.
     */
    private static void renderQuery(ServerRequest req, ServerResponse res, Failure failure) {
        QueryService.Timing timing = req.context().get(QueryService.Timing.class)
                .orElseGet(() -> new QueryService.Timing(UUID.randomUUID().toString(), System.nanoTime()));
        String elapsed = GoDuration.format(System.nanoTime() - timing.startNanos());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestID", timing.requestId());
        body.put("errors", List.of(failure.queryEntry()));
        body.put("status", Integer.valueOf(QUERY_TIMEOUT).equals(failure.queryEntry().get("code")) ? "timeout"
                : "errors");
        body.put("metrics", ApiException.details("elapsedTime", elapsed, "executionTime", elapsed,
                "resultCount", 0, "resultSize", 0, "errorCount", 1));
        Json.send(res, failure.status(), body);
    }

    private static Failure map(ServerRequest req, Throwable failure, boolean query) {
        return switch (failure) {
            case ApiException e -> new Failure(e.code().status(), e.code(), e.getMessage(),
                    entry(e.queryCode().orElse(queryCode(e.code())), e.getMessage()), e.details(), e.headers());
            case EngineException e -> engineFailure(e, query);
            case FunctionCallException e -> callFailure(e);
            case QuerySyntaxException e -> Failure.of(ErrorCode.BAD_REQUEST, QuerySyntaxException.CODE, e.getMessage(),
                    Map.of());
            case InvalidNameException e -> Failure.of(ErrorCode.INVALID_NAME, QUERY_BAD_REQUEST, e.getMessage(),
                    ApiException.details("field", e.kind(), "rule", e.rule()));
            case JsSyntaxException e -> {
                // "SyntaxError", as Couchbase's evaluator says it; the position stays in the text and the fields.
                String message = "SyntaxError: " + e.getMessage() + " (line " + e.line() + ", column " + e.column()
                        + ")";
                yield Failure.of(ErrorCode.SYNTAX_ERROR, QUERY_BAD_REQUEST, message,
                        ApiException.details("line", e.line(), "column", e.column()));
            }
            case StoreException e -> storeFailure(req, e);
            case HttpException e when e.status().code() < 500 -> {
                ErrorCode code = switch (e.status().code()) {
                    case 404 -> ErrorCode.NOT_FOUND;
                    case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                    case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                    default -> ErrorCode.BAD_REQUEST;
                };
                String message = code == ErrorCode.NOT_FOUND
                        ? "No such endpoint: " + req.path().absolute().path() : e.getMessage();
                yield Failure.of(code, queryCode(code), message, Map.of());
            }
            default -> {
                String id = RequestGuard.idOf(req);
                LOG.log(Level.ERROR, "Unexpected failure on " + req.prologue().method().text() + " "
                        + req.path().absolute().path() + " (request " + id + ")", failure);
                yield Failure.of(ErrorCode.INTERNAL_ERROR, QUERY_INTERNAL,
                        "Internal error; the server log has the details (request " + id + ")", Map.of());
            }
        };
    }

    /**
     * The machine code a failure is answered with, for the audit trail: an outcome, never a message (which may
     * quote what the request sent).
     */
    static String outcome(Throwable failure) {
        return switch (failure) {
            case ApiException e -> e.code().code();
            case EngineException e -> restCode(e.kind()).code();
            case JsSyntaxException e -> ErrorCode.SYNTAX_ERROR.code();
            case InvalidNameException e -> ErrorCode.INVALID_NAME.code();
            case StoreException e -> e.reason() == StoreException.Reason.TOO_LARGE ? ErrorCode.PAYLOAD_TOO_LARGE.code()
                    : e.reason() == StoreException.Reason.UNAVAILABLE || e.reason() == StoreException.Reason.CONFLICT
                    ? ErrorCode.STORE_UNAVAILABLE.code() : ErrorCode.STORAGE_ERROR.code();
            default -> ErrorCode.INTERNAL_ERROR.code();
        };
    }

    private static Failure engineFailure(EngineException e, boolean query) {
        ErrorCode code = restCode(e.kind());
        Map<String, Object> details = new LinkedHashMap<>();
        if (!e.functions().isEmpty()) {
            details.put("functions", e.functions());
        }
        if (e.kind() == EngineException.Kind.INVALID_ROLE) {
            details.put("role", e.field());
        }
        if (e.kind() == EngineException.Kind.CONFUSABLE_NAME) {
            details.put("field", "user");
            details.put("existing", e.field());
        }
        if (e.kind() == EngineException.Kind.IMPORT_COLLISION) {
            details.remove("functions");
            details.put("collisions", e.functions());
        }
        if (e.kind() == EngineException.Kind.IMPORT_INVALID) {
            details.put("where", e.field());
        }
        Map<String, String> headers = Map.of();
        if (e.kind() == EngineException.Kind.PRECONDITION_FAILED && !e.field().isEmpty()) {
            details.put("etag", e.field());
            headers = Map.of("ETag", e.field());
        }
        int status = query ? queryStatus(e.kind()) : code.status();
        return new Failure(status, code, e.getMessage(),
                entry(e.kind().queryCode().orElse(QUERY_INTERNAL), e.getMessage()), details, headers);
    }

    /** The REST shape's code of each engine kind. */
    private static ErrorCode restCode(EngineException.Kind kind) {
        return switch (kind) {
            case LIBRARY_IN_USE -> ErrorCode.LIBRARY_IN_USE;
            case BINDING_BROKEN -> ErrorCode.BINDING_BROKEN;
            case LIBRARY_NOT_FOUND -> ErrorCode.LIBRARY_NOT_FOUND;
            case OBJECT_NOT_FOUND, PARAMETER_MISMATCH -> ErrorCode.INVALID_BINDING;
            case FUNCTION_EXISTS -> ErrorCode.FUNCTION_EXISTS;
            case FUNCTION_NOT_FOUND -> ErrorCode.FUNCTION_NOT_FOUND;
            case INVALID_FUNCTION_NAME, INVALID_LIBRARY_PATH -> ErrorCode.INVALID_NAME;
            case UNKNOWN_PARAMETER -> ErrorCode.INVALID_BODY;
            case WRONG_ARGUMENT_COUNT, SYNTAX, UNSUPPORTED_STATEMENT, UNSUPPORTED_KEYSPACE, MISSING_ARGUMENT,
                 INVALID_ARGUMENT -> ErrorCode.BAD_REQUEST;
            case QUERY_TIMEOUT -> ErrorCode.CALL_TIMEOUT;
            case CALL_CANCELLED -> ErrorCode.CALL_CANCELLED;
            case CALL_NOT_FOUND -> ErrorCode.CALL_NOT_FOUND;
            case FORBIDDEN -> ErrorCode.FORBIDDEN;
            case INVALID_ROLE -> ErrorCode.INVALID_ROLE;
            case CONFUSABLE_NAME -> ErrorCode.CONFUSABLE_NAME;
            case INVALID_PASSWORD -> ErrorCode.INVALID_PASSWORD;
            case PASSWORD_REQUIRED -> ErrorCode.PASSWORD_REQUIRED;
            case USER_NOT_FOUND -> ErrorCode.USER_NOT_FOUND;
            case LAST_ADMIN -> ErrorCode.LAST_ADMIN;
            case VERSION_NOT_FOUND -> ErrorCode.VERSION_NOT_FOUND;
            case PRECONDITION_FAILED -> ErrorCode.PRECONDITION_FAILED;
            case IMPORT_INVALID -> ErrorCode.IMPORT_INVALID;
            case IMPORT_COLLISION -> ErrorCode.IMPORT_COLLISION;
        };
    }

    /**
     * The HTTP status of a query response failing with an engine kind: Couchbase answers its request errors with
     * 400, a missing function with 404 and an existing one with 409.
     */
    private static int queryStatus(EngineException.Kind kind) {
        return switch (kind) {
            case FUNCTION_NOT_FOUND -> 404;
            case FUNCTION_EXISTS -> 409;
            case FORBIDDEN -> 403;
            case LIBRARY_NOT_FOUND, OBJECT_NOT_FOUND, PARAMETER_MISMATCH, WRONG_ARGUMENT_COUNT, INVALID_FUNCTION_NAME,
                 INVALID_LIBRARY_PATH, SYNTAX, UNSUPPORTED_STATEMENT, UNSUPPORTED_KEYSPACE, UNKNOWN_PARAMETER,
                 MISSING_ARGUMENT, INVALID_ARGUMENT -> 400;
            // Couchbase writes a timeout after the response began (200, status "timeout"); here nothing was sent.
            case QUERY_TIMEOUT -> 504;
            case CALL_CANCELLED, CALL_NOT_FOUND -> restCode(kind).status();
            // Not raised by statements; their REST status stands.
            case LIBRARY_IN_USE, BINDING_BROKEN, INVALID_ROLE, CONFUSABLE_NAME, INVALID_PASSWORD, PASSWORD_REQUIRED,
                 USER_NOT_FOUND, LAST_ADMIN, VERSION_NOT_FOUND, PRECONDITION_FAILED, IMPORT_INVALID,
                 IMPORT_COLLISION -> restCode(kind).status();
        };
    }

    /**
     * The query shape's code for an error of a REST code, Couchbase's where it has one (README "Errors" lists
     * them): 10000 unauthenticated, 13014 forbidden, 1010 method, 1193 request too large, 1191 too many
     * requests, 1182 busy, 10120 library not found, 10101 function not found, 5000 internal; else 1040.
     */
    private static int queryCode(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> 10000;
            case FORBIDDEN, CROSS_SITE_REQUEST -> 13014;
            case METHOD_NOT_ALLOWED -> 1010;
            case PAYLOAD_TOO_LARGE -> 1193;
            case TOO_MANY_ATTEMPTS -> 1191;
            case BUSY, STORE_UNAVAILABLE, TOO_MANY_CONNECTIONS -> 1182;
            case LIBRARY_NOT_FOUND -> 10120;
            case FUNCTION_NOT_FOUND -> 10101;
            case FUNCTION_EXISTS -> 10102;
            case JS_ERROR, CALL_TIMEOUT, CALL_MEMORY_LIMIT, CALL_STACK_OVERFLOW, RESULT_TOO_LARGE, RESULT_NOT_JSON,
                 CALL_CANCELLED ->
                    JsErrors.EXECUTION_ERROR;
            case INTERNAL_ERROR, STORAGE_ERROR -> QUERY_INTERNAL;
            case INVALID_NAME, BUCKET_AND_SCOPE_REQUIRED, SYNTAX_ERROR, EMPTY_BODY, INVALID_UTF8, INVALID_ROLE,
                 CONFUSABLE_NAME, INVALID_PASSWORD, PASSWORD_REQUIRED, INVALID_BODY, BAD_REQUEST, USER_NOT_FOUND,
                 NOT_FOUND, CALL_NOT_FOUND,
                 LIBRARY_IN_USE, BINDING_BROKEN, INVALID_BINDING, LAST_ADMIN, VERSION_NOT_FOUND,
                 PRECONDITION_FAILED, IMPORT_INVALID, IMPORT_COLLISION -> QUERY_BAD_REQUEST;
        };
    }

    private static Failure callFailure(FunctionCallException e) {
        JsExecutionException failure = e.failure();
        ErrorCode code = switch (failure.kind()) {
            case THROWN, LOAD_FAILED -> ErrorCode.JS_ERROR;
            case FUNCTION_NOT_FOUND -> ErrorCode.FUNCTION_NOT_FOUND;
            case TIMEOUT -> ErrorCode.CALL_TIMEOUT;
            case MEMORY_LIMIT -> ErrorCode.CALL_MEMORY_LIMIT;
            case STACK_OVERFLOW -> ErrorCode.CALL_STACK_OVERFLOW;
            case RESULT_TOO_LARGE -> ErrorCode.RESULT_TOO_LARGE;
            case UNSERIALIZABLE_RESULT -> ErrorCode.RESULT_NOT_JSON;
            case BUSY -> ErrorCode.BUSY;
        };
        Map<String, String> headers = failure.kind() == JsExecutionException.Kind.BUSY
                ? Map.of("Retry-After", "1") : Map.of();
        Map<String, Object> entry = JsErrors.entry(failure, e.function(), e.library(), e.object());
        return new Failure(code.status(), code, failure.getMessage(), entry, ApiException.details("error", entry),
                headers);
    }

    private static Failure storeFailure(ServerRequest req, StoreException e) {
        LOG.log(Level.ERROR, "Store failure on " + req.prologue().method().text() + " " + req.path().absolute().path(), e);
        return switch (e.reason()) {
            case LOCKED, NOT_WRITABLE, IO -> Failure.of(ErrorCode.STORAGE_ERROR, QUERY_INTERNAL,
                    "The store could not complete the operation; nothing was changed", Map.of());
            case CORRUPTED -> Failure.of(ErrorCode.STORAGE_ERROR, QUERY_INTERNAL,
                    "The store holds damaged data; an operator must restore it", Map.of());
            case UNSUPPORTED_SCHEMA -> Failure.of(ErrorCode.STORAGE_ERROR, QUERY_INTERNAL,
                    "The store was written by a newer version of the service", Map.of());
            case TOO_LARGE -> Failure.of(ErrorCode.PAYLOAD_TOO_LARGE, 1193,
                    "The record is larger than the store takes in one write (on etcd: its --max-request-bytes, and"
                    + " for an import its --max-txn-ops); nothing was changed", Map.of());
            case UNAVAILABLE -> retryLater("The store (etcd) cannot be reached now: a majority of its members must"
                    + " be up and reachable. A write that timed out may still be applied once they are: read it"
                    + " again before retrying");
            case CONFLICT -> retryLater("Concurrent changes kept conflicting; nothing was changed; retry");
        };
    }

    private static Failure retryLater(String message) {
        return new Failure(ErrorCode.STORE_UNAVAILABLE.status(), ErrorCode.STORE_UNAVAILABLE, message,
                entry(queryCode(ErrorCode.STORE_UNAVAILABLE), message), Map.of(), Map.of("Retry-After", "1"));
    }

    /**
     * The same shapes for what the web server refuses before any route runs (a request line or header it cannot
     * parse, a URI with characters it rejects): the REST shape, or the query shape on query paths. The web
     * server's own text about the request is kept; nothing of a stack trace.
     */
    static DirectHandler direct() {
        return ErrorMapper::directResponse;
    }

    private static DirectHandler.TransportResponse directResponse(DirectHandler.TransportRequest req,
                                                                  DirectHandler.EventType type, Status status,
                                                                  ServerResponseHeaders headers, String message) {
        if (status.code() >= 500 && !isToken(req.method())) {
            // A request line whose method holds a control character fails inside the web server: the client's
            // fault, not ours.
            status = Status.BAD_REQUEST_400;
            message = "the request method is not a valid HTTP token";
        }
        ErrorCode code = switch (status.code()) {
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status.code() >= 500 && status.code() != 505 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
        };
        String text = code == ErrorCode.INTERNAL_ERROR ? "Internal error; the server log has the details"
                : "The request cannot be read: " + (message == null || message.isBlank() ? status.reasonPhrase()
                : message);
        Map<String, Object> body = new LinkedHashMap<>();
        String path = req.path() == null ? "" : req.path();
        if (path.startsWith(QueryService.PATH) || path.equals(QueryService.ALIAS_PATH)) {
            body.put("requestID", UUID.randomUUID().toString());
            body.put("errors", List.of(entry(queryCode(code), text)));
            body.put("status", "errors");
        } else {
            body.put("status", "error");
            body.put("code", code.code());
            body.put("message", text);
        }
        headers.set(HeaderNames.CONTENT_TYPE, HttpMediaTypes.JSON_UTF_8.text());
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(type.keepAlive())
                .entity(Json.text(body))
                .build();
    }

    /** Whether a method is a token of RFC 9110 (section 5.6.2). */
    private static boolean isToken(String method) {
        if (method == null || method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> entry(int code, String message) {
        return ApiException.details("code", code, "msg", message);
    }
}
