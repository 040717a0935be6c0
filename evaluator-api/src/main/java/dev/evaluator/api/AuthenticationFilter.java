package dev.evaluator.api;

import java.util.Map;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Security;
import io.helidon.security.SecurityContext;
import io.helidon.security.SecurityEnvironment;
import io.helidon.security.Subject;
import io.helidon.security.providers.httpauth.HttpBasicAuthProvider;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Authenticates every request with HTTP Basic (Helidon Security's provider over {@link Credentials}) and lets only
 * administrators through. Failures are thrown as {@link ApiException}s, so they get the API's one error shape.
 */
final class AuthenticationFilter implements Filter {
    static final String REALM = "evaluator";
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");

    private final Security security;

    AuthenticationFilter(Credentials credentials) {
        this.security = Security.builder()
                .addProvider(HttpBasicAuthProvider.builder().realm(REALM).userStore(credentials).build())
                .build();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        SecurityEnvironment.Builder env = SecurityEnvironment.builder()
                .method(req.prologue().method().text())
                .path(req.path().path());
        req.headers().first(HeaderNames.AUTHORIZATION).ifPresent(value -> env.header("Authorization", value));
        SecurityContext context = security.contextBuilder(String.valueOf(req.id())).env(env.build()).build();
        AuthenticationResponse response = context.atnClientBuilder().submit();
        Subject subject = response.user()
                .filter(user -> response.status().isSuccess())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                        "Authentication required: send HTTP Basic credentials of a valid user", Map.of(), CHALLENGE));
        Caller caller = new Caller(subject.principal().getName(), Set.copyOf(Security.getRoles(subject)));
        if (!caller.roles().contains(Caller.ADMIN)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "This operation requires the admin role");
        }
        req.context().register(caller);
        chain.proceed();
    }
}
