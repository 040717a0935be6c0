package dev.evaluator.api;

import dev.evaluator.engine.Caller;
import dev.evaluator.engine.FunctionStats;
import dev.evaluator.engine.RunningCalls;

import java.util.List;

import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /evaluator/v1/calls}: the function calls running and queued now, as the caller may see them;
 * {@code DELETE /evaluator/v1/calls/{id}}: stop one (admin, or the manage role of its namespace).
 */
final class CallsService implements HttpService {
    static final String PATH = "/evaluator/v1/calls";

    private final RunningCalls calls;

    CallsService(RunningCalls calls) {
        this.calls = calls;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/"), this::list)
                .any("/", MethodNotAllowed.allowing("GET", "HEAD"))
                .delete("/{id}", this::stop)
                .any("/{id}", MethodNotAllowed.allowing("DELETE"));
    }

    /** A call as the API shows it; times in milliseconds. */
    record CallView(long id, String library, String bucket, String scope, String function, String user,
                    String entryPoint, String state, String started, long elapsedMs) {
    }

    private void list(ServerRequest req, ServerResponse res) {
        List<CallView> views = calls.visibleTo(req.context().get(Caller.class).orElseThrow()).stream()
                .map(c -> new CallView(c.id(), c.library(), FunctionStats.bucket(c.namespace()),
                        FunctionStats.scope(c.namespace()), c.function(), c.user(), c.entryPoint(), c.state(),
                        c.started().toString(), c.elapsed().toMillis()))
                .toList();
        Json.ok(res, views);
    }

    private void stop(ServerRequest req, ServerResponse res) {
        String text = PathSegments.after(req, PATH, 0);
        long id;
        try {
            id = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "A call id is a number, not '" + text + "'");
        }
        calls.stop(req.context().get(Caller.class).orElseThrow(), id);
        Json.okCouchbase(res);
    }
}
