package dev.evaluator.api;

import dev.evaluator.engine.Caller;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /whoami}: the calling user's name and roles.
 */
final class WhoAmIService implements HttpService {
    static final String PATH = "/whoami";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::whoami)
                .any("/", MethodNotAllowed.allowing("GET"));
    }

    private void whoami(ServerRequest req, ServerResponse res) {
        Caller caller = req.context().get(Caller.class).orElseThrow();
        Json.ok(res, UserService.UserView.of(caller.name(), caller.roles()));
    }
}
