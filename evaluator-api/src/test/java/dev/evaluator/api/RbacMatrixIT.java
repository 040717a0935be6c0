package dev.evaluator.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.helidon.http.Method;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Every role against every operation, from one table. A route in {@link AccessPolicy} without an operation here
 * fails {@link #matrix_coversEveryRouteOfTheAccessPolicy()}; every other method on every route is tried by
 * {@link #unlistedMethod_asCaller_needsAdmin}.
 */
class RbacMatrixIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String OWN = "bucket=travel-sample&scope=inventory";
    private static final String SIBLING = "bucket=travel-sample&scope=tenants";
    private static final String OTHER = "bucket=beer-sample&scope=brewery";

    /** The users, by column name, with the roles each holds. */
    private static final Map<String, String> USERS = new LinkedHashMap<>();

    static {
        USERS.put("ro", "ro_admin");
        USERS.put("gmgr", "query_manage_global_external_functions");
        USERS.put("smgr", "query_manage_external_functions[travel-sample:inventory]");
        USERS.put("bmgr", "query_manage_external_functions[travel-sample:*]");
        USERS.put("gexec", "query_execute_global_external_functions");
        USERS.put("sexec", "query_execute_external_functions[travel-sample:inventory]");
        USERS.put("none", "");
        // Couchbase's inline-function roles: accepted, and granting nothing here.
        USERS.put("inline", "query_manage_global_functions,query_execute_functions[travel-sample:inventory]");
    }

    /**
     * Expected status per operation and caller. Columns: the bootstrap admin, the users above, no credentials,
     * and the admin's name with a wrong password.
     */
    private static final String MATRIX = """
            operation             | admin | ro  | gmgr | smgr | bmgr | gexec | sexec | none | inline | anon | wrong
            list all              | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            head list             | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            list own scope        | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            list sibling scope    | 200   | 200 | 403  | 403  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            list other bucket     | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            get global            | 200   | 200 | 200  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            head global           | 200   | 200 | 200  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            get own               | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            get sibling           | 200   | 200 | 403  | 403  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            get other bucket      | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            post global           | 200   | 403 | 200  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            post own              | 200   | 403 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            post sibling          | 200   | 403 | 403  | 403  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            post other bucket     | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            delete global         | 200   | 403 | 200  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            delete own            | 200   | 403 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            delete sibling        | 200   | 403 | 403  | 403  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            delete other bucket   | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            versions global       | 200   | 200 | 200  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            head versions own     | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            version own           | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            head version global   | 200   | 200 | 200  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            diff other bucket     | 204   | 204 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head diff own         | 204   | 204 | 403  | 204  | 204  | 403   | 403   | 403  | 403    | 401  | 401
            rollback own          | 200   | 403 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            rollback global       | 200   | 403 | 200  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            deleted histories     | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head histories        | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            audit                 | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head audit            | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            export all            | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            export own scope      | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            head export           | 405   | 405 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            import empty          | 400   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            list users            | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head users            | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            get user              | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head user             | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head missing user     | 404   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            put user              | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            delete user           | 200   | 403 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            functions global      | 200   | 200 | 200  | 200  | 200  | 200   | 403   | 403  | 403    | 401  | 401
            head functions own    | 200   | 200 | 403  | 200  | 200  | 403   | 200   | 403  | 403    | 401  | 401
            functions other       | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            invoke global         | 200   | 403 | 403  | 403  | 403  | 200   | 403   | 403  | 403    | 401  | 401
            invoke own            | 200   | 403 | 403  | 403  | 403  | 403   | 200   | 403  | 403    | 401  | 401
            query post            | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            query alias post      | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            query alias get       | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            query get             | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            head query            | 405   | 405 | 405  | 405  | 405  | 405   | 405   | 405  | 405    | 401  | 401
            head query alias      | 405   | 405 | 405  | 405  | 405  | 405   | 405   | 405  | 405    | 401  | 401
            whoami                | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            head whoami           | 405   | 405 | 405  | 405  | 405  | 405   | 405   | 405  | 405    | 401  | 401
            openapi               | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            head openapi          | 404   | 404 | 404  | 404  | 404  | 404   | 404   | 404  | 404    | 401  | 401
            list calls            | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            head calls            | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            stop unknown call     | 404   | 404 | 404  | 404  | 404  | 404   | 404   | 404  | 404    | 401  | 401
            stats all             | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 401  | 401
            stats own scope       | 200   | 200 | 403  | 200  | 200  | 403   | 403   | 403  | 403    | 401  | 401
            head stats            | 405   | 405 | 405  | 405  | 405  | 405   | 405   | 405  | 405    | 401  | 401
            head stats own scope  | 405   | 405 | 403  | 405  | 405  | 403   | 403   | 403  | 403    | 401  | 401
            metrics               | 200   | 200 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            head metrics          | 405   | 405 | 403  | 403  | 403  | 403   | 403   | 403  | 403    | 401  | 401
            health live           | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 200  | 200
            head health live      | 204   | 204 | 204  | 204  | 204  | 204   | 204   | 204  | 204    | 204  | 204
            health ready          | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 200  | 200
            head health ready     | 204   | 204 | 204  | 204  | 204  | 204   | 204   | 204  | 204    | 204  | 204
            console page          | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 200  | 200
            head console file     | 200   | 200 | 200  | 200  | 200  | 200   | 200   | 200  | 200    | 200  | 200
            """;

    /**
     * An operation: the access-policy route it exercises, how to prepare for it (as admin), and the request.
     */
    private record Operation(String method, String route, Runnable setup, String path, String body) {
    }

    private static final Map<String, Operation> OPERATIONS = new LinkedHashMap<>();

    /**
     * Every method a client may send: the registered ones, WebDAV's, and a made-up token, which the web server
     * routes all the same.
     */
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
            "TRACE", "CONNECT", "PROPFIND", "MKCOL", "X-ANY-TOKEN");
    /** Who tries the methods a route does not list: the administrator, non-admins of each kind, no one. */
    private static final List<String> UNLISTED_CALLERS = List.of("admin", "ro", "gmgr", "smgr", "sexec", "none", "anon");

    static {
        String lib = LIBS + "/{library}";
        String user = UserService.PATH + "/local/{name}";
        OPERATIONS.put("list all", new Operation("GET", LIBS, () -> { }, LIBS, null));
        OPERATIONS.put("head list", new Operation("HEAD", LIBS, () -> { }, LIBS, null));
        OPERATIONS.put("list own scope", new Operation("GET", LIBS, () -> { }, LIBS + "?" + OWN, null));
        OPERATIONS.put("list sibling scope", new Operation("GET", LIBS, () -> { }, LIBS + "?" + SIBLING, null));
        OPERATIONS.put("list other bucket", new Operation("GET", LIBS, () -> { }, LIBS + "?" + OTHER, null));
        OPERATIONS.put("get global", new Operation("GET", lib, () -> { }, LIBS + "/g", null));
        OPERATIONS.put("head global", new Operation("HEAD", lib, () -> { }, LIBS + "/g", null));
        OPERATIONS.put("get own", new Operation("GET", lib, () -> { }, LIBS + "/own?" + OWN, null));
        OPERATIONS.put("get sibling", new Operation("GET", lib, () -> { }, LIBS + "/sibling?" + SIBLING, null));
        OPERATIONS.put("get other bucket", new Operation("GET", lib, () -> { }, LIBS + "/far?" + OTHER, null));
        OPERATIONS.put("post global", new Operation("POST", lib, () -> { }, LIBS + "/g", "function g() {}"));
        OPERATIONS.put("post own", new Operation("POST", lib, () -> { }, LIBS + "/own?" + OWN, "function o() {}"));
        OPERATIONS.put("post sibling",
                new Operation("POST", lib, () -> { }, LIBS + "/sibling?" + SIBLING, "function s() {}"));
        OPERATIONS.put("post other bucket",
                new Operation("POST", lib, () -> { }, LIBS + "/far?" + OTHER, "function f() {}"));
        OPERATIONS.put("delete global", new Operation("DELETE", lib, () -> library("/doomed", ""),
                LIBS + "/doomed", null));
        OPERATIONS.put("delete own", new Operation("DELETE", lib, () -> library("/doomed", OWN),
                LIBS + "/doomed?" + OWN, null));
        OPERATIONS.put("delete sibling", new Operation("DELETE", lib, () -> library("/doomed", SIBLING),
                LIBS + "/doomed?" + SIBLING, null));
        OPERATIONS.put("delete other bucket", new Operation("DELETE", lib, () -> library("/doomed", OTHER),
                LIBS + "/doomed?" + OTHER, null));
        String versions = LIBS + "/{library}/versions";
        OPERATIONS.put("versions global", new Operation("GET", versions, () -> { }, LIBS + "/g/versions", null));
        OPERATIONS.put("head versions own",
                new Operation("HEAD", versions, () -> { }, LIBS + "/own/versions?" + OWN, null));
        String version = LIBS + "/{library}/versions/{version}";
        OPERATIONS.put("version own", new Operation("GET", version, () -> { }, LIBS + "/own/versions/1?" + OWN, null));
        OPERATIONS.put("head version global",
                new Operation("HEAD", version, () -> { }, LIBS + "/g/versions/1", null));
        String diff = LIBS + "/{library}/versions/{from}/diff/{to}";
        OPERATIONS.put("diff other bucket",
                new Operation("GET", diff, () -> { }, LIBS + "/far/versions/1/diff/1?" + OTHER, null));
        OPERATIONS.put("head diff own",
                new Operation("HEAD", diff, () -> { }, LIBS + "/own/versions/1/diff/1?" + OWN, null));
        String rollback = LIBS + "/{library}/rollback";
        OPERATIONS.put("rollback own", new Operation("POST", rollback, () -> { }, LIBS + "/own/rollback?" + OWN,
                "{\"version\": 1}"));
        OPERATIONS.put("rollback global", new Operation("POST", rollback, () -> { }, LIBS + "/g/rollback",
                "{\"version\": 1}"));
        OPERATIONS.put("deleted histories", new Operation("GET", HistoryService.HISTORY_PATH, () -> { },
                HistoryService.HISTORY_PATH + "?deleted=true", null));
        OPERATIONS.put("head histories", new Operation("HEAD", HistoryService.HISTORY_PATH, () -> { },
                HistoryService.HISTORY_PATH, null));
        OPERATIONS.put("audit", new Operation("GET", AuditService.PATH, () -> { }, AuditService.PATH, null));
        OPERATIONS.put("head audit", new Operation("HEAD", AuditService.PATH, () -> { }, AuditService.PATH, null));
        String export = ArchiveService.EXPORT_PATH;
        OPERATIONS.put("export all", new Operation("GET", export, () -> { }, export, null));
        OPERATIONS.put("export own scope", new Operation("GET", export, () -> { }, export + "?" + OWN, null));
        OPERATIONS.put("head export", new Operation("HEAD", export, () -> { }, export, null));
        OPERATIONS.put("import empty", new Operation("POST", ArchiveService.IMPORT_PATH, () -> { },
                ArchiveService.IMPORT_PATH + "?mode=append", null));
        OPERATIONS.put("list users", new Operation("GET", UserService.PATH, () -> { }, UserService.PATH, null));
        OPERATIONS.put("head users", new Operation("HEAD", UserService.PATH, () -> { }, UserService.PATH, null));
        OPERATIONS.put("get user", new Operation("GET", user, () -> { }, UserService.PATH + "/local/ro", null));
        OPERATIONS.put("head user", new Operation("HEAD", user, () -> { }, UserService.PATH + "/local/ro", null));
        // Only an administrator may learn which names exist.
        OPERATIONS.put("head missing user",
                new Operation("HEAD", user, () -> { }, UserService.PATH + "/local/nobody-of-that-name", null));
        OPERATIONS.put("put user", new Operation("PUT", user, () -> { }, UserService.PATH + "/local/victim",
                "password=victim-password&roles=ro_admin"));
        OPERATIONS.put("delete user", new Operation("DELETE", user, RbacMatrixIT::createVictim,
                UserService.PATH + "/local/victim", null));
        String functions = LIBS + "/{library}/functions";
        OPERATIONS.put("functions global", new Operation("GET", functions, () -> { }, LIBS + "/g/functions", null));
        OPERATIONS.put("head functions own",
                new Operation("HEAD", functions, () -> { }, LIBS + "/own/functions?" + OWN, null));
        OPERATIONS.put("functions other",
                new Operation("GET", functions, () -> { }, LIBS + "/far/functions?" + OTHER, null));
        String invoke = LIBS + "/{library}/functions/{function}/invoke";
        OPERATIONS.put("invoke global", new Operation("POST", invoke, () -> library("/g", ""),
                LIBS + "/g/functions/f/invoke", "{}"));
        OPERATIONS.put("invoke own", new Operation("POST", invoke, () -> library("/own", OWN),
                LIBS + "/own/functions/f/invoke?" + OWN, "{}"));
        OPERATIONS.put("query post", new Operation("POST", QueryService.PATH, () -> { }, QueryService.PATH,
                "statement=SELECT%20RAW%20identity.name%20FROM%20system:functions"));
        OPERATIONS.put("query alias post", new Operation("POST", QueryService.ALIAS_PATH, () -> { },
                QueryService.ALIAS_PATH, "statement=SELECT%20RAW%201"));
        OPERATIONS.put("query alias get", new Operation("GET", QueryService.ALIAS_PATH, () -> { },
                QueryService.ALIAS_PATH + "?statement=SELECT%20RAW%201", null));
        OPERATIONS.put("query get", new Operation("GET", QueryService.PATH, () -> { },
                QueryService.PATH + "?statement=SELECT%20RAW%201", null));
        OPERATIONS.put("head query", new Operation("HEAD", QueryService.PATH, () -> { },
                QueryService.PATH + "?statement=SELECT%20RAW%201", null));
        OPERATIONS.put("head query alias", new Operation("HEAD", QueryService.ALIAS_PATH, () -> { },
                QueryService.ALIAS_PATH + "?statement=SELECT%20RAW%201", null));
        OPERATIONS.put("whoami", new Operation("GET", WhoAmIService.PATH, () -> { }, WhoAmIService.PATH, null));
        OPERATIONS.put("head whoami",
                new Operation("HEAD", WhoAmIService.PATH, () -> { }, WhoAmIService.PATH, null));
        OPERATIONS.put("openapi", new Operation("GET", "/openapi", () -> { }, "/openapi", null));
        OPERATIONS.put("head openapi", new Operation("HEAD", "/openapi", () -> { }, "/openapi", null));
        OPERATIONS.put("list calls", new Operation("GET", CallsService.PATH, () -> { }, CallsService.PATH, null));
        OPERATIONS.put("head calls", new Operation("HEAD", CallsService.PATH, () -> { }, CallsService.PATH, null));
        OPERATIONS.put("stop unknown call", new Operation("DELETE", CallsService.PATH + "/{id}", () -> { },
                CallsService.PATH + "/987654321", null));
        OPERATIONS.put("stats all", new Operation("GET", StatsService.PATH, () -> { }, StatsService.PATH, null));
        OPERATIONS.put("stats own scope", new Operation("GET", StatsService.PATH, () -> { },
                StatsService.PATH + "?" + OWN, null));
        OPERATIONS.put("head stats", new Operation("HEAD", StatsService.PATH, () -> { }, StatsService.PATH, null));
        OPERATIONS.put("head stats own scope", new Operation("HEAD", StatsService.PATH, () -> { },
                StatsService.PATH + "?" + OWN, null));
        OPERATIONS.put("metrics", new Operation("GET", MetricsService.PATH, () -> { }, MetricsService.PATH, null));
        OPERATIONS.put("head metrics",
                new Operation("HEAD", MetricsService.PATH, () -> { }, MetricsService.PATH, null));
        String live = HealthChecks.LIVE_PATH;
        String ready = HealthChecks.READY_PATH;
        OPERATIONS.put("health live", new Operation("GET", live, () -> { }, live, null));
        OPERATIONS.put("head health live", new Operation("HEAD", live, () -> { }, live, null));
        OPERATIONS.put("health ready", new Operation("GET", ready, () -> { }, ready, null));
        OPERATIONS.put("head health ready", new Operation("HEAD", ready, () -> { }, ready, null));
        // The console's files are public (its sign-in page must load); wrong credentials are not even looked at.
        String console = ConsoleService.PATH + "/*";
        OPERATIONS.put("console page", new Operation("GET", console, () -> { }, ConsoleService.PATH + "/", null));
        OPERATIONS.put("head console file",
                new Operation("HEAD", console, () -> { }, ConsoleService.PATH + "/app.js", null));
    }

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void start() {
        USERS.forEach((name, roles) -> server.admin()
                .contentType("application/x-www-form-urlencoded")
                .body("password=" + password(name) + "&roles=" + roles)
                .put(UserService.PATH + "/local/" + name).then().statusCode(200));
        library("/g", "");
        library("/own", OWN);
        library("/sibling", SIBLING);
        library("/far", OTHER);
    }

    static Stream<Arguments> cases() {
        List<String> lines = MATRIX.lines().filter(l -> !l.isBlank()).toList();
        List<String> callers = cells(lines.getFirst()).subList(1, cells(lines.getFirst()).size());
        return lines.stream().skip(1).flatMap(line -> {
            List<String> cells = cells(line);
            String operation = cells.getFirst();
            return java.util.stream.IntStream.range(0, callers.size()).mapToObj(i -> argumentSet(
                    operation + " as " + callers.get(i), operation, callers.get(i),
                    Integer.parseInt(cells.get(i + 1))));
        });
    }

    @ParameterizedTest
    @MethodSource("cases")
    void operation_asCaller_expectedStatus(String operation, String caller, int expected) {
        Operation op = OPERATIONS.get(operation);
        op.setup().run();
        // Paths are written already encoded.
        RequestSpecification request = as(caller).urlEncodingEnabled(false);
        if (op.body() != null) {
            boolean form = op.method().equals("PUT") || op.path().startsWith(QueryService.PATH);
            boolean json = op.path().endsWith("/invoke") || op.path().contains("/invoke?")
                    || op.path().contains("/rollback");
            request = request.contentType(form ? "application/x-www-form-urlencoded"
                    : json ? "application/json" : "application/javascript").body(op.body());
        }
        Response response = request.request(op.method(), op.path());
        response.then().statusCode(expected);
        if (expected == 401) {
            response.then().header("WWW-Authenticate", "Basic realm=\"evaluator\"");
        }
        if (expected == 403 && !op.method().equals("HEAD") && !op.path().startsWith(QueryService.PATH)) {
            response.then().body("code", equalTo("forbidden")).body("message", containsString("requires "));
        }
    }

    @Test
    void matrix_coversEveryRouteOfTheAccessPolicy() {
        Set<String> policy = AccessPolicy.RULES.stream()
                .flatMap(rule -> matrixMethods(rule).stream().map(m -> m + " " + rule.path()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> exercised = OPERATIONS.values().stream().map(op -> op.method() + " " + op.route())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(policy, exercised, "every route and method of the access policy (HEAD beside each GET) has a"
                + " row in the matrix");
        Set<String> rows = MATRIX.lines().skip(1).filter(l -> !l.isBlank()).map(l -> cells(l).getFirst())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(OPERATIONS.keySet()), rows);
        assertTrue(METHODS.containsAll(exercised.stream().map(e -> e.substring(0, e.indexOf(' '))).toList()),
                "every method of the matrix is among those tried on every route");
    }

    /**
     * Methods a route does not list need admin, whatever they are: the other registered methods, WebDAV's, and any
     * token the web server takes as a method. Each is sent on a raw socket (HTTP clients refuse some of them), on
     * every route, by callers of every kind: non-admins get 403 naming {@code admin}, never the route's 405 or 404
     * (which would tell that the path exists) nor a 200; the administrator gets past the policy.
     */
    @ParameterizedTest
    @MethodSource("unlistedMethods")
    void unlistedMethod_asCaller_needsAdmin(String method, String path, String caller) throws IOException {
        String response = raw(method, path, caller);
        int status = Integer.parseInt(response.substring(9, 12));
        switch (caller) {
            case "anon" -> assertEquals(401, status, response);
            case "admin" -> assertTrue(status != 401 && status != 403 && status < 500, response);
            default -> {
                assertEquals(403, status, response);
                if (!method.equals("HEAD")) {
                    // The REST shape names the role in "required"; the query shape only in its message.
                    assertTrue(response.contains("Forbidden: this requires admin\""), response);
                }
            }
        }
    }

    static Stream<Arguments> unlistedMethods() {
        return AccessPolicy.RULES.stream().flatMap(rule -> {
            String path = OPERATIONS.values().stream().filter(op -> op.route().equals(rule.path()))
                    .map(Operation::path).findFirst().orElseThrow(() -> new AssertionError("no row for " + rule.path()));
            Set<String> listed = matrixMethods(rule);
            return METHODS.stream().filter(method -> !listed.contains(method))
                    .flatMap(method -> UNLISTED_CALLERS.stream().map(caller -> argumentSet(
                            method + " " + rule.path() + " as " + caller, method, path, caller)));
        });
    }

    /** The methods of a route that have rows in the matrix: those the policy lists, and HEAD beside GET. */
    private static Set<String> matrixMethods(AccessPolicy.Rule rule) {
        Set<String> methods = rule.methods().keySet().stream().map(Method::text)
                .collect(Collectors.toCollection(TreeSet::new));
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return methods;
    }

    /** A request on a raw socket: the response's status line, headers and body (none for HEAD), as text. */
    private static String raw(String method, String path, String caller) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (!caller.equals("anon")) {
            String login = caller.equals("admin") ? TestServer.ADMIN + ":" + TestServer.PASSWORD
                    : caller + ":" + password(caller);
            request.append("Authorization: Basic ")
                    .append(Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8))).append("\r\n");
        }
        request.append("Content-Length: 0\r\n\r\n");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = head(in);
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            int bodyLength = method.equals("HEAD") || !length.find() ? 0 : Integer.parseInt(length.group(1));
            return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
        }
    }

    /** The status line and headers, up to the blank line. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void listAll_showsOnlyReadableLibraries() {
        Map<String, List<String>> visible = Map.of(
                "admin", List.of("far", "g", "own", "sibling"),
                "ro", List.of("far", "g", "own", "sibling"),
                "gmgr", List.of("g"),
                "smgr", List.of("g", "own"),
                "bmgr", List.of("g", "own", "sibling"),
                "gexec", List.of(),
                "none", List.of());
        visible.forEach((caller, names) -> assertEquals(names,
                as(caller).get(LIBS).jsonPath().getList("name").stream().distinct().sorted().toList(), caller));
    }

    @Test
    void forbidden_namesTheGrantingRole_andDoesNotRevealExistence() {
        Response existing = as("smgr").get(LIBS + "/far?" + OTHER);
        Response missing = as("smgr").get(LIBS + "/nosuchlibrary?" + OTHER);
        existing.then().statusCode(403)
                .body("message", containsString("query_manage_external_functions[beer-sample:brewery]"));
        assertEquals(existing.asString(), missing.asString());
        as("gexec").body("function x() {}").post(LIBS + "/g").then().statusCode(403)
                .body("required", equalTo("query_manage_global_external_functions"));
        as("smgr").get(UserService.PATH).then().statusCode(403).body("required", equalTo("admin"));
    }

    @Test
    void whoami_namesCallerAndRoles() {
        as("smgr").get(WhoAmIService.PATH).then().statusCode(200)
                .body("id", equalTo("smgr"))
                .body("domain", equalTo("local"))
                .body("roles[0].role", equalTo("query_manage_external_functions"))
                .body("roles[0].bucket_name", equalTo("travel-sample"))
                .body("roles[0].scope_name", equalTo("inventory"));
        as("admin").get(WhoAmIService.PATH).then().body("roles[0].role", equalTo("admin"));
    }

    private static RequestSpecification as(String caller) {
        return switch (caller) {
            case "admin" -> server.admin();
            case "anon" -> server.anonymous();
            case "wrong" -> server.anonymous().auth().preemptive().basic(TestServer.ADMIN, "not-the-password");
            default -> server.anonymous().auth().preemptive().basic(caller, password(caller));
        };
    }

    private static String password(String user) {
        return "pw-of-" + user;
    }

    private static void library(String path, String query) {
        server.admin().body("function f() {}").post(LIBS + path + (query.isEmpty() ? "" : "?" + query))
                .then().statusCode(200);
    }

    private static void createVictim() {
        server.admin().contentType("application/x-www-form-urlencoded").body("password=victim-password&roles=")
                .put(UserService.PATH + "/local/victim").then().statusCode(200);
    }

    private static List<String> cells(String line) {
        return Arrays.stream(line.split("\\|")).map(String::strip).toList();
    }
}
