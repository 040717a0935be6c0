package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The audit trail, newest first: {@code GET /evaluator/v1/audit} with filters ({@code user}, {@code action},
 * {@code target}, {@code from}, {@code to}), {@code limit} and {@code cursor}. Administrators and {@code ro_admin}.
 */
final class AuditService implements HttpService {
    static final String PATH = "/evaluator/v1/audit";
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    private final AuditLog audit;

    AuditService(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/"), this::list)
                .any("/", MethodNotAllowed.allowing("GET", "HEAD"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = HistoryService.Cursors.limit(req, DEFAULT_PAGE, MAX_PAGE);
        AuditQuery query = new AuditQuery(text(req, "user"), text(req, "action"), text(req, "target"),
                time(req, "from"), time(req, "to"), HistoryService.Cursors.position(req, "a"), limit);
        List<AuditEntry> entries = audit.find(query);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", entries.stream().map(AuditService::view).toList());
        if (entries.size() == limit) {
            body.put("nextCursor", HistoryService.Cursors.cursor("a", entries.getLast().id()));
        }
        Json.ok(res, body);
    }

    private static Map<String, Object> view(AuditEntry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("time", entry.time().toString());
        view.put("user", entry.user());
        view.put("client", entry.client());
        view.put("action", entry.action());
        view.put("target", entry.target());
        view.put("outcome", entry.outcome());
        if (entry.version().isPresent()) {
            view.put("version", entry.version().getAsLong());
        }
        if (!entry.detail().isEmpty()) {
            view.put("detail", entry.detail());
        }
        return view;
    }

    private static Optional<String> text(ServerRequest req, String name) {
        return req.query().contains(name) ? Optional.of(req.query().get(name)).filter(s -> !s.isEmpty())
                : Optional.empty();
    }

    private static Optional<Instant> time(ServerRequest req, String name) {
        Optional<String> text = text(req, name);
        try {
            return text.map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an ISO-8601 instant such as"
                    + " 2026-01-31T12:00:00Z, not '" + text.orElse("") + "'");
        }
    }
}
