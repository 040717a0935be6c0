package dev.evaluator.api;

import java.util.Map;

import io.helidon.webserver.http.Handler;

/**
 * The handler for methods a route does not support: 405 with an {@code Allow} header.
 */
final class MethodNotAllowed {
    private MethodNotAllowed() {
    }

    static Handler allowing(String... methods) {
        String allow = String.join(", ", methods);
        return (req, res) -> {
            throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED,
                    "Method " + req.prologue().method().text() + " is not allowed here; allowed: " + allow,
                    Map.of(), Map.of("Allow", allow));
        };
    }
}
