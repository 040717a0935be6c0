package dev.evaluator.api;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /metrics}: the server's metrics for Prometheus, in OpenMetrics when the {@code Accept} header asks for
 * it, else in the classic text format. Needs {@code admin} or {@code ro_admin} unless {@code --public-metrics}.
 */
final class MetricsService implements HttpService {
    static final String PATH = "/metrics";

    private final ServerMetrics metrics;

    MetricsService(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape)
                .any("/", MethodNotAllowed.allowing("GET"));
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        ServerMetrics.Scrape scrape = metrics.scrape(req.headers().first(HeaderNames.ACCEPT));
        res.header(HeaderNames.CONTENT_TYPE, scrape.contentType())
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(scrape.text());
    }
}
