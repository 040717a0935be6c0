package dev.evaluator.api;

import dev.evaluator.engine.Caller;
import dev.evaluator.engine.FunctionStats;
import dev.evaluator.engine.NamespaceAccess;
import dev.evaluator.store.Namespace;

import java.util.List;
import java.util.Optional;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /evaluator/v1/stats}: calls, errors, timeouts and service times of each library function, and of each
 * namespace's functions together, limited to the namespaces whose libraries the caller may read (or to the one
 * {@code bucket} and {@code scope} name, which then needs that permission, as for the library list).
 */
final class StatsService implements HttpService {
    static final String PATH = "/evaluator/v1/stats";

    private final FunctionStats stats;
    private final String node;

    /**
     * @param node this node's name: the figures are this node's alone (each node counts its own calls)
     */
    StatsService(FunctionStats stats, String node) {
        this.stats = stats;
        this.node = node;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::report)
                .any("/", MethodNotAllowed.allowing("GET"));
    }

    /** One function's figures; times in milliseconds, to the microsecond. */
    record FunctionView(String library, String bucket, String scope, String function, long calls, long errors,
                        long timeouts, double minMs, double maxMs, double avgMs, double p99Ms, String lastCall) {
    }

    /** A namespace's functions together. */
    record NamespaceView(String bucket, String scope, long calls, long errors, long timeouts, double minMs,
                         double maxMs, double avgMs, double p99Ms, String lastCall) {
    }

    /** The response. */
    record StatsView(String node, List<FunctionView> functions, List<NamespaceView> namespaces) {
    }

    private void report(ServerRequest req, ServerResponse res) {
        Optional<Namespace> namespace = LibraryService.namespace(req);
        FunctionStats.Report report = stats.report(NamespaceAccess.visibleStatistics(
                req.context().get(Caller.class).orElseThrow(), namespace));
        Json.ok(res, new StatsView(node,
                report.functions().stream().map(f -> new FunctionView(f.library().name(),
                        FunctionStats.bucket(f.library().namespace()), FunctionStats.scope(f.library().namespace()),
                        f.function(), f.calls(), f.errors(), f.timeouts(), millis(f.minNanos()),
                        millis(f.maxNanos()), millis(f.avgNanos()), millis(f.p99Nanos()),
                        f.lastCall().toString())).toList(),
                report.namespaces().stream().map(n -> new NamespaceView(
                        FunctionStats.bucket(n.library().namespace()), FunctionStats.scope(n.library().namespace()),
                        n.calls(), n.errors(), n.timeouts(), millis(n.minNanos()), millis(n.maxNanos()),
                        millis(n.avgNanos()), millis(n.p99Nanos()), n.lastCall().toString())).toList()));
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }
}
