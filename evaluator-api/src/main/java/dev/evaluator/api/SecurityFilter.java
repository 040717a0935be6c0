package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Caller;
import dev.evaluator.engine.EngineException;
import dev.evaluator.engine.LoginThrottle;
import dev.evaluator.engine.Permission;
import dev.evaluator.engine.Role;
import dev.evaluator.engine.UserAccounts;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.helidon.http.HeaderName;
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
 * Lets public requests (the health probes and the admin console's files, per {@link AccessPolicy}) through
 * untouched, and authenticates every other request with HTTP Basic (Helidon Security's provider over
 * {@link Credentials}), throttles password guessing ({@link LoginThrottle}) and authorizes the request against
 * {@link AccessPolicy}, before any handler runs. Failures are thrown as {@link ApiException}s, so they get the API's
 * one error shape.
 */
final class SecurityFilter implements Filter {
    static final String REALM = "evaluator";
    private static final System.Logger LOG = System.getLogger(SecurityFilter.class.getName());
    /** The header scripts send (any value): their 401s carry no challenge. */
    static final HeaderName REQUESTED_WITH = HeaderNames.create("X-Requested-With");
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");

    private final Security security;
    private final LoginThrottle throttle;

    /** Role texts parsed once: stored roles are few and parsing them is not free. */
    private final Cache<String, Role> parsedRoles = Caffeine.newBuilder().maximumSize(10_000).build();
    /**
     * Recently verified credentials skip the provider: its per-request context, audit and subject cost more than
     * the rest of a small request.
     */
    private final PasswordCheck credentials;
    private final boolean publicMetrics;
    private final AuditLog audit;

    /**
     * @param publicMetrics whether {@code /metrics} answers without credentials ({@code --public-metrics})
     * @param audit         where management actions refused for permission are recorded
     */
    SecurityFilter(PasswordCheck credentials, LoginThrottle throttle, boolean publicMetrics, AuditLog audit) {
        this.audit = audit;
        this.credentials = credentials;
        this.publicMetrics = publicMetrics;
        this.security = Security.builder()
                .addProvider(HttpBasicAuthProvider.builder().realm(REALM).userStore(credentials).build())
                .build();
        this.throttle = throttle;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<AccessPolicy.Rule> rule = AccessPolicy.rule(req);
        // For the metrics and the access log, which label the request by its route once it is answered.
        rule.ifPresent(req.context()::register);
        if (AccessPolicy.isPublic(rule, req, publicMetrics)) {
            chain.proceed();
            return;
        }
        Caller caller = authenticate(req);
        // Registered before the permission check, so the access log names the user of a 403 too.
        req.context().register(caller);
        Permission required = AccessPolicy.required(rule, req);
        if (!caller.may(required)) {
            RefusedActions.of(rule, req).ifPresent(refused -> audit.record(caller.name(), req.remotePeer().host(),
                    refused.action(), refused.target(), ErrorCode.FORBIDDEN.code(), OptionalLong.empty(),
                    "requires " + required.grantingRole()));
            throw new ApiException(ErrorCode.FORBIDDEN, "Forbidden: this requires " + required.grantingRole()
                    + (required.equals(Permission.ADMIN) ? "" : " (or admin)"),
                    ApiException.details("required", required.grantingRole()), Map.of());
        }
        chain.proceed();
    }

    private Caller authenticate(RoutingRequest req) {
        Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
        BasicCredentials basic = authorization.flatMap(SecurityFilter::basic)
                .orElseThrow(() -> unauthenticated(req));
        // Names are stored in NFKC form (UserAccounts), so a login is compared, throttled and named in it too.
        String login = UserAccounts.normalizeName(basic.login());
        String address = req.remotePeer().host();
        Optional<Duration> wait = throttle.waitBefore(login, address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            throw new ApiException(ErrorCode.TOO_MANY_ATTEMPTS,
                    "Too many failed logins for this user or from this address; retry in " + seconds + " s",
                    ApiException.details("retryAfterSeconds", seconds), Map.of("Retry-After", String.valueOf(seconds)));
        }

        Optional<dev.evaluator.store.User> known = credentials.recentlyVerified(login, basic.password());
        if (known.isPresent()) {
            throttle.succeeded(login, address);
            return new Caller(login, roles(login, known.get().roles()));
        }

        SecurityEnvironment env = SecurityEnvironment.builder()
                .method(req.prologue().method().text())
                .path(req.path().absolute().path())
                .header("Authorization", authorization.get())
                .build();
        SecurityContext context = security.contextBuilder(String.valueOf(req.id())).env(env).build();
        AuthenticationResponse response = context.atnClientBuilder().submit();
        Optional<Subject> subject = response.user().filter(user -> response.status().isSuccess());
        if (subject.isEmpty()) {
            throttle.failed(login, address);
            throw unauthenticated(req);
        }
        throttle.succeeded(login, address);
        return new Caller(subject.get().principal().getName(), roles(login, Security.getRoles(subject.get())));
    }

    private List<Role> roles(String login, java.util.Collection<String> texts) {
        List<Role> roles = new ArrayList<>();
        for (String role : texts) {
            try {
                roles.add(parsedRoles.get(role, Role::parse));
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "Ignoring unknown stored role " + role + " of user " + login);
            }
        }
        return roles;
    }

    /** A Basic authorization header's name and password. */
    private record BasicCredentials(String login, char[] password) {
    }

    /** The name and password of a Basic authorization header (the provider parses it again on the slow path). */
    private static Optional<BasicCredentials> basic(String header) {
        if (header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(new BasicCredentials(decoded.substring(0, colon),
                    decoded.substring(colon + 1).toCharArray()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The one 401. Scripts (the admin console) that mark their requests with {@code X-Requested-With} get no
     * {@code WWW-Authenticate} challenge, so the browser shows the page's own sign-in form instead of its native
     * credentials dialog; every other client gets the Basic challenge.
     */
    private static ApiException unauthenticated(RoutingRequest req) {
        boolean script = req.headers().contains(REQUESTED_WITH);
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "Authentication required: send HTTP Basic credentials of a valid user", Map.of(),
                script ? Map.of() : CHALLENGE);
    }
}
