package dev.evaluator.api;

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

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place where failures become HTTP responses, all in one JSON shape:
 * {@code {"status":"error","code":"<machine code>","message":"<text>", ...details}}.
 * No stack traces and no request content (library code, credentials) ever go into a response.
 */
final class ErrorMapper implements ErrorHandler<Throwable> {
    private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

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
        if (QueryService.isQuery(req)) {
            renderQueryError(req, res, failure);
            return;
        }
        ApiException error = toApiException(req, failure);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("code", error.code().code());
        body.put("message", error.getMessage());
        body.putAll(error.details());
        error.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        Json.send(res, error.code().status(), body);
    }

    /**
     * A failed query request, in Couchbase's query response shape: {@code requestID}, {@code errors} with
     * Couchbase's codes, {@code status: "errors"} and {@code metrics}.
     */
    private static void renderQueryError(ServerRequest req, ServerResponse res, Throwable failure) {
        int status;
        Map<String, Object> entry;
        Map<String, String> headers = Map.of();
        switch (failure) {
            case QueryException e -> {
                status = queryStatus(e.code());
                entry = ApiException.details("code", e.code(), "msg", e.getMessage());
            }
            case QuerySyntaxException e -> {
                status = 400;
                entry = ApiException.details("code", QuerySyntaxException.CODE, "msg", e.getMessage());
            }
            case FunctionCallException e -> {
                ApiException api = toApiException(req, e);
                status = api.code().status();
                headers = api.headers();
                entry = e.entry();
            }
            default -> {
                ApiException e = toApiException(req, failure);
                status = e.code().status();
                int code = switch (e.code()) {
                    case UNAUTHENTICATED -> QueryException.UNAUTHENTICATED;
                    case FORBIDDEN -> QueryException.FORBIDDEN;
                    case INTERNAL_ERROR, STORAGE_ERROR -> QueryException.INTERNAL;
                    default -> QueryException.BAD_REQUEST;
                };
                entry = ApiException.details("code", code, "msg", e.getMessage());
                headers = e.headers();
            }
        }
        QueryService.Timing timing = req.context().get(QueryService.Timing.class)
                .orElseGet(() -> new QueryService.Timing(UUID.randomUUID().toString(), System.nanoTime()));
        String elapsed = QueryService.duration(System.nanoTime() - timing.startNanos());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestID", timing.requestId());
        body.put("errors", List.of(entry));
        body.put("status", "errors");
        body.put("metrics", ApiException.details("elapsedTime", elapsed, "executionTime", elapsed,
                "resultCount", 0, "resultSize", 0, "errorCount", 1));
        headers.forEach((name, value) -> res.header(HeaderNames.create(name), value));
        Json.send(res, status, body);
    }

    /** The HTTP status of a query response whose error has this Couchbase code. */
    private static int queryStatus(int code) {
        return switch (code) {
            case QueryException.UNAUTHENTICATED -> 401;
            case QueryException.FORBIDDEN -> 403;
            case QueryException.FUNCTION_NOT_FOUND -> 404;
            case QueryException.FUNCTION_EXISTS -> 409;
            case QueryException.INTERNAL -> 500;
            default -> 400;
        };
    }

    private static ApiException toApiException(ServerRequest req, Throwable failure) {
        return switch (failure) {
            case ApiException e -> e;
            case InvalidNameException e -> new ApiException(ErrorCode.INVALID_NAME, e.getMessage(),
                    ApiException.details("field", e.kind()), Map.of());
            case JsSyntaxException e -> new ApiException(ErrorCode.SYNTAX_ERROR,
                    "Syntax error at line " + e.line() + ", column " + e.column() + ": " + e.getMessage(),
                    ApiException.details("line", e.line(), "column", e.column()), Map.of());
            case StoreException e -> storeFailure(req, e);
            case FunctionCallException e -> callFailure(e);
            case CatalogException e -> new ApiException(switch (e.kind()) {
                case LIBRARY_IN_USE -> ErrorCode.LIBRARY_IN_USE;
                case BINDING_BROKEN -> ErrorCode.BINDING_BROKEN;
                case FUNCTION_EXISTS -> ErrorCode.FUNCTION_EXISTS;
                case LIBRARY_NOT_FOUND -> ErrorCode.LIBRARY_NOT_FOUND;
                case OBJECT_NOT_FOUND, PARAMETER_MISMATCH -> ErrorCode.INVALID_BINDING;
            }, e.getMessage(), ApiException.details("functions", e.functions()), Map.of());
            case HttpException e when e.status().code() < 500 -> new ApiException(switch (e.status().code()) {
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                default -> ErrorCode.BAD_REQUEST;
            }, e.status().code() == 404 ? "No such endpoint: " + req.path().absolute().path() : e.getMessage());
            default -> {
                LOG.log(Level.ERROR, "Unexpected failure on " + req.prologue().method().text() + " "
                        + req.path().absolute().path(), failure);
                yield new ApiException(ErrorCode.INTERNAL_ERROR,
                        "Internal error; the server log has the details (request " + req.id() + ")");
            }
        };
    }

    private static ApiException callFailure(FunctionCallException e) {
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
        return new ApiException(code, failure.getMessage(), ApiException.details("error", e.entry()), headers);
    }

    private static ApiException storeFailure(ServerRequest req, StoreException e) {
        LOG.log(Level.ERROR, "Store failure on " + req.prologue().method().text() + " " + req.path().absolute().path(), e);
        String message = switch (e.reason()) {
            case LOCKED, NOT_WRITABLE, IO -> "The store could not complete the operation; nothing was changed";
            case CORRUPTED -> "The store holds damaged data; an operator must restore it";
            case UNSUPPORTED_SCHEMA -> "The store was written by a newer version of the service";
        };
        return new ApiException(ErrorCode.STORAGE_ERROR, message);
    }
}
