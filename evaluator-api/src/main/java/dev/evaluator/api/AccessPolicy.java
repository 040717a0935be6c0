package dev.evaluator.api;

import dev.evaluator.engine.Permission;
import dev.evaluator.store.Namespace;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * Who may call what: the declarative table of routes to the permission each method needs. {@link SecurityFilter}
 * consults it for every request, before any handler runs. This is one of the two places where authorization is
 * decided; the other is the engine's {@link dev.evaluator.engine.NamespaceAccess}, which filters what a caller sees
 * of lists that span namespaces (the library list, statistics, {@code system:functions}) and checks the namespace
 * each SQL++ statement names (routes such as {@code /query/service} only need a login here). Both ask
 * {@link dev.evaluator.engine.Role#allows}.
 * <p>
 * Fail closed, for paths and methods alike: a path missing from the table needs {@code admin}, {@code HEAD} needs
 * what {@code GET} needs on the same path, and any other method a route does not list ({@code OPTIONS},
 * {@code PATCH}, {@code TRACE}, or any token such as {@code PROPFIND}) needs {@code admin}, so only an administrator
 * learns from the route's 405 (or 404) that the path exists. Only the health probes
 * (which say nothing but up or down) and the admin console's static files are {@link Permission#PUBLIC}: they answer
 * without credentials. {@code /metrics} is public only with {@code --public-metrics}.
 */
final class AccessPolicy {
    private AccessPolicy() {
    }

    /**
     * One route.
     *
     * @param path    the path pattern, as Helidon's routing writes it: literal segments, {@code {name}} for one
     *                segment, or a trailing {@code /*} for a prefix
     * @param methods the permission each supported method needs, computed from the request
     * @param parts   the pattern's segments after the leading slash, {@code null} for a parameter; for a prefix
     *                pattern, those of the prefix
     * @param prefix  whether the pattern ends with {@code /*}: it matches its prefix and every path below it
     */
    record Rule(String path, Map<Method, Function<ServerRequest, Permission>> methods, String[] parts,
                boolean prefix) {
        Rule(String path, Map<Method, Function<ServerRequest, Permission>> methods) {
            this(path, methods, parts(path), path.endsWith("/*"));
        }

        private static String[] parts(String pattern) {
            String body = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
            String[] parts = body.substring(1).split("/", -1);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    parts[i] = null;
                } else if (parts[i].isEmpty() || parts[i].contains("{") || parts[i].contains("*")) {
                    throw new IllegalArgumentException("unsupported path pattern " + pattern);
                }
            }
            return parts;
        }

        /**
         * Whether a (decoded, normalized) path falls under this rule: each literal segment equal, each parameter one
         * non-empty segment, nothing left over unless the rule is a prefix. Runs on every request, so it walks the
         * path in place rather than through a regular expression.
         */
        boolean matches(String requestPath) {
            if (requestPath.isEmpty() || requestPath.charAt(0) != '/') {
                return false;
            }
            int length = requestPath.length();
            int start = 1;
            for (int i = 0; i < parts.length; i++) {
                int end = requestPath.indexOf('/', start);
                if (end < 0) {
                    end = length;
                }
                String part = parts[i];
                if (part == null ? end == start
                        : end - start != part.length() || !requestPath.startsWith(part, start)) {
                    return false;
                }
                if (i == parts.length - 1) {
                    return end == length || prefix;
                }
                if (end == length) {
                    return false;
                }
                start = end + 1;
            }
            return false;
        }
    }

    private static final Function<ServerRequest, Permission> READ_LIBRARY =
            req -> new Permission.ReadLibrary(namespaceOrGlobal(req));
    private static final Function<ServerRequest, Permission> DESCRIBE_FUNCTIONS =
            req -> new Permission.DescribeFunctions(namespaceOrGlobal(req));
    private static final Function<ServerRequest, Permission> MANAGE_LIBRARY =
            req -> new Permission.ManageLibrary(namespaceOrGlobal(req));
    private static final Function<ServerRequest, Permission> ADMIN = req -> Permission.ADMIN;
    private static final Function<ServerRequest, Permission> AUTHENTICATED = req -> Permission.AUTHENTICATED;
    private static final Function<ServerRequest, Permission> PUBLIC = req -> Permission.PUBLIC;
    /** Monitoring; {@code --public-metrics} makes it {@link Permission#PUBLIC} (see {@link #isPublic}). */
    private static final Function<ServerRequest, Permission> METRICS = req -> Permission.MONITOR;
    /** The route label of requests to paths the table does not list. */
    static final String UNMATCHED = "unmatched";

    static final List<Rule> RULES = List.of(
            // Without bucket and scope the list is filtered to what the caller may read, never refused.
            new Rule(EvaluatorServer.LIBRARIES_PATH, Map.of(Method.GET, AccessPolicy::listLibraries)),
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}", Map.of(
                    Method.GET, READ_LIBRARY,
                    Method.POST, MANAGE_LIBRARY,
                    Method.DELETE, MANAGE_LIBRARY)),
            // Callers may see what they can call (names, parameters, doc comments), not the code.
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/functions", Map.of(Method.GET, DESCRIBE_FUNCTIONS)),
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/functions/{function}/invoke", Map.of(
                    Method.POST, req -> new Permission.ExecuteFunction(namespaceOrGlobal(req)))),
            // Library history: whoever may read a library may read its versions and diffs; whoever may write it may
            // roll it back.
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/versions", Map.of(Method.GET, READ_LIBRARY)),
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/versions/{version}",
                    Map.of(Method.GET, READ_LIBRARY)),
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/versions/{from}/diff/{to}",
                    Map.of(Method.GET, READ_LIBRARY)),
            new Rule(EvaluatorServer.LIBRARIES_PATH + "/{library}/rollback", Map.of(Method.POST, MANAGE_LIBRARY)),
            // Histories of every namespace, deleted libraries' included: administrators only.
            new Rule(HistoryService.HISTORY_PATH, Map.of(Method.GET, ADMIN)),
            new Rule(AuditService.PATH, Map.of(Method.GET, req -> Permission.MONITOR)),
            // One namespace's export needs what reading its libraries needs; all of them, admin or ro_admin (users
            // with their hashes: admin, checked by the export itself). An import may touch any namespace.
            new Rule(ArchiveService.EXPORT_PATH, Map.of(Method.GET, req -> LibraryService.namespace(req)
                    .<Permission>map(Permission.ReadLibrary::new).orElse(Permission.MONITOR))),
            new Rule(ArchiveService.IMPORT_PATH, Map.of(Method.POST, ADMIN)),
            // The calls each caller may see, and stopping one, are decided per call by the engine (RunningCalls).
            new Rule(CallsService.PATH, Map.of(Method.GET, AUTHENTICATED)),
            new Rule(CallsService.PATH + "/{id}", Map.of(Method.DELETE, AUTHENTICATED)),
            // Like the list: filtered to the namespaces the caller may read, or one named namespace.
            new Rule(StatsService.PATH, Map.of(Method.GET, AccessPolicy::listLibraries)),
            new Rule(UserService.PATH, Map.of(Method.GET, ADMIN)),
            new Rule(UserService.PATH + "/local/{name}", Map.of(
                    Method.GET, ADMIN,
                    Method.PUT, ADMIN,
                    Method.DELETE, ADMIN)),
            new Rule(WhoAmIService.PATH, Map.of(Method.GET, AUTHENTICATED)),
            // Each statement's permission depends on what it names; StatementRunner asks Role.allows for it.
            new Rule(QueryService.PATH, Map.of(Method.GET, AUTHENTICATED, Method.POST, AUTHENTICATED)),
            new Rule(QueryService.ALIAS_PATH, Map.of(Method.GET, AUTHENTICATED, Method.POST, AUTHENTICATED)),
            new Rule("/openapi", Map.of(Method.GET, AUTHENTICATED)),
            new Rule(MetricsService.PATH, Map.of(Method.GET, METRICS)),
            new Rule(HealthChecks.LIVE_PATH, Map.of(Method.GET, PUBLIC)),
            new Rule(HealthChecks.READY_PATH, Map.of(Method.GET, PUBLIC)),
            // The admin console's static files: the sign-in page must load before anyone signs in. Every API call
            // the console makes is authorized by the rules above.
            new Rule(ConsoleService.PATH + "/*", Map.of(Method.GET, PUBLIC)));

    /**
     * The rule a request's path falls under, if any. Found once per request and handed to {@link #isPublic},
     * {@link #required} and {@link #route}.
     */
    static Optional<Rule> rule(ServerRequest req) {
        // The path is decoded already: matching must not decode it again (a "%25" would become an escape).
        String path = normalize(req.path().absolute().path());
        for (Rule rule : RULES) {
            if (rule.matches(path)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** The route pattern of a rule, e.g. {@code /evaluator/v1/libraries/{library}}; {@value #UNMATCHED} for none. */
    static String route(Optional<Rule> rule) {
        return rule.map(Rule::path).orElse(UNMATCHED);
    }

    /**
     * Whether a request needs no credentials at all. Decided before authentication (and before {@link #required},
     * which may reject bad parameters), so a public request is never challenged.
     *
     * @param rule          the request's rule, from {@link #rule}
     * @param publicMetrics whether {@code /metrics} is open to anyone ({@code --public-metrics})
     */
    static boolean isPublic(Optional<Rule> rule, ServerRequest req, boolean publicMetrics) {
        return rule.map(r -> {
            Function<ServerRequest, Permission> permission = permission(r, req.prologue().method());
            return permission == PUBLIC || publicMetrics && permission == METRICS;
        }).orElse(false);
    }

    /**
     * The permission a request needs.
     *
     * @param rule the request's rule, from {@link #rule}
     * @throws ApiException when the request's bucket or scope is invalid (400, before any authorization)
     */
    static Permission required(Optional<Rule> rule, ServerRequest req) {
        return rule.map(r -> permission(r, req.prologue().method()).apply(req)).orElse(Permission.ADMIN);
    }

    /**
     * What a method needs on a rule's path: what the rule lists for it; for {@code HEAD}, what {@code GET} needs
     * ({@code HEAD} is {@code GET} without the body, RFC 9110 section 9.3.2); for any other method, {@code admin}.
     */
    static Function<ServerRequest, Permission> permission(Rule rule, Method method) {
        Function<ServerRequest, Permission> listed = rule.methods().get(method);
        if (listed == null && method.equals(Method.HEAD)) {
            listed = rule.methods().get(Method.GET);
        }
        return listed == null ? ADMIN : listed;
    }

    private static Permission listLibraries(ServerRequest req) {
        Optional<Namespace> namespace = LibraryService.namespace(req);
        return namespace.<Permission>map(Permission.ReadLibrary::new).orElse(Permission.AUTHENTICATED);
    }

    private static Namespace namespaceOrGlobal(ServerRequest req) {
        return LibraryService.namespace(req).orElse(Namespace.GLOBAL);
    }

    /** The list route answers with and without its trailing slash. */
    static String normalize(String path) {
        // Empty segments are dropped, as the routing's patterns drop them ("/a//b" is routed as "/a/b").
        String collapsed = path.contains("//") ? path.replaceAll("/{2,}", "/") : path;
        return collapsed.length() > 1 && collapsed.endsWith("/")
                ? collapsed.substring(0, collapsed.length() - 1) : collapsed;
    }
}
