package dev.evaluator.api;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The first filter of every request: counts it in flight while it is handled and, once its response is sent,
 * records its method, route pattern, status and duration in the metrics. It runs before authentication, so refused
 * requests (401, 403, 429) are counted too.
 */
final class RequestObserver implements Filter {
    private final ServerMetrics metrics;

    RequestObserver(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long started = System.nanoTime();
        res.whenSent(() -> metrics.requestCompleted(req.prologue().method().text(), AccessPolicy.route(req),
                res.status().code(), System.nanoTime() - started));
        metrics.requestStarted();
        try {
            chain.proceed();
        } finally {
            metrics.requestEnded();
        }
    }
}
