package dev.evaluator.api;

import dev.evaluator.engine.Caller;
import java.util.Optional;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The first filter of every request: counts it in flight while it is handled and, once its response is sent,
 * records its method, route pattern, status and duration in the metrics and writes its access log line. It runs
 * before authentication, so refused requests (401, 403, 429) are counted and logged too.
 */
final class RequestObserver implements Filter {
    private final ServerMetrics metrics;
    private final Optional<AccessLog> accessLog;

    /**
     * @param accessLog where request lines go; empty without the access log
     */
    RequestObserver(ServerMetrics metrics, Optional<AccessLog> accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long started = System.nanoTime();
        res.whenSent(() -> {
            long nanos = System.nanoTime() - started;
            String method = req.prologue().method().text();
            int status = res.status().code();
            // The security filter found the rule; a request it never saw (or whose path no rule lists) is unmatched.
            metrics.requestCompleted(method, AccessPolicy.route(req.context().get(AccessPolicy.Rule.class)), status,
                    nanos);
            accessLog.ifPresent(log -> log.log(method, req.prologue().uriPath().rawPath(), status, nanos,
                    req.context().get(Caller.class).map(Caller::name).orElse(AccessLog.NO_USER),
                    req.remotePeer().host(), RequestGuard.idOf(req)));
        });
        metrics.requestStarted();
        try {
            chain.proceed();
        } finally {
            metrics.requestEnded();
        }
    }
}
