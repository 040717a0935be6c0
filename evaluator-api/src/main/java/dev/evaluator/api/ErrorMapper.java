package dev.evaluator.api;

import dev.evaluator.runtime.JsSyntaxException;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.StoreException;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
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
        ApiException error = toApiException(req, failure);
        if (res.isSent()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("code", error.code().code());
        body.put("message", error.getMessage());
        body.putAll(error.details());
        error.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        Json.send(res, error.code().status(), body);
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
            case HttpException e when e.status().code() < 500 -> new ApiException(switch (e.status().code()) {
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                default -> ErrorCode.BAD_REQUEST;
            }, e.status().code() == 404 ? "No such endpoint: " + req.path().path() : e.getMessage());
            default -> {
                LOG.log(Level.ERROR, "Unexpected failure on " + req.prologue().method().text() + " "
                        + req.path().path(), failure);
                yield new ApiException(ErrorCode.INTERNAL_ERROR,
                        "Internal error; the server log has the details (request " + req.id() + ")");
            }
        };
    }

    private static ApiException storeFailure(ServerRequest req, StoreException e) {
        LOG.log(Level.ERROR, "Store failure on " + req.prologue().method().text() + " " + req.path().path(), e);
        String message = switch (e.reason()) {
            case LOCKED, NOT_WRITABLE, IO -> "The store could not complete the operation; nothing was changed";
            case CORRUPTED -> "The store holds damaged data; an operator must restore it";
            case UNSUPPORTED_SCHEMA -> "The store was written by a newer version of the service";
        };
        return new ApiException(ErrorCode.STORAGE_ERROR, message);
    }
}
