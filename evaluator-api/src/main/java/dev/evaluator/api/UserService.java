package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Role;
import dev.evaluator.engine.UserAccounts;
import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.User;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Local users, shaped like Couchbase's {@code /settings/rbac/users} API. Administrators only (see AccessPolicy).
 */
final class UserService implements HttpService {
    static final String PATH = "/settings/rbac/users";
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, String> OK = Map.of("status", "OK");

    private final UserAccounts accounts;
    private final AuditLog audit;

    /**
     * @param audit where user changes are recorded: who, which user, how it ended, and whether the password or the
     *              roles changed (never the password)
     */
    UserService(UserAccounts accounts, AuditLog audit) {
        this.accounts = accounts;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/"), this::list)
                .any("/", MethodNotAllowed.allowing("GET", "HEAD"))
                .route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/local/{name}"), this::read)
                .put("/local/{name}", this::upsert)
                .delete("/local/{name}", this::delete)
                .any("/local/{name}", MethodNotAllowed.allowing("GET", "HEAD", "PUT", "DELETE"));
    }

    /** A user as the API shows it: never a password or hash. */
    record UserView(String id, String domain, List<Map<String, String>> roles) {
        static UserView of(String name, List<Role> roles) {
            return new UserView(name, "local", roles.stream().map(UserView::role).toList());
        }

        static UserView of(User user) {
            return of(user.name(), user.roles().stream().map(Role::parse).toList());
        }

        private static Map<String, String> role(Role role) {
            Map<String, String> view = new LinkedHashMap<>();
            view.put("role", role.kind().text());
            role.bucket().ifPresent(b -> view.put("bucket_name", b));
            role.scope().ifPresent(s -> view.put("scope_name", s));
            return view;
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        Json.ok(res, accounts.list().stream().map(UserView::of).toList());
    }

    private void read(ServerRequest req, ServerResponse res) {
        Json.ok(res, UserView.of(accounts.find(name(req))));
    }

    private void upsert(ServerRequest req, ServerResponse res) {
        String name = name(req);
        boolean created;
        try {
            Changes changes = parse(req);
            created = accounts.upsert(name, changes.password(), changes.roles());
            List<String> changed = new ArrayList<>();
            changes.password().ifPresent(p -> changed.add("password"));
            changes.roles().ifPresent(r -> changed.add("roles: " + r.stream().map(Role::text)
                    .collect(java.util.stream.Collectors.joining(","))));
            audit.record(LibraryEdits.user(req), LibraryEdits.client(req), created ? "user.create" : "user.change",
                    UserAccounts.normalizeName(name), AuditEntry.SUCCESS, OptionalLong.empty(),
                    String.join("; ", changed));
        } catch (RuntimeException e) {
            audit.record(LibraryEdits.user(req), LibraryEdits.client(req), "user.write", name,
                    ErrorMapper.outcome(e), OptionalLong.empty(), "");
            throw e;
        }
        Json.ok(res, OK);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        LibraryEdits.audited(audit, req, "user.delete", name, () -> {
            accounts.delete(name);
            return null;
        });
        audit.record(LibraryEdits.user(req), LibraryEdits.client(req), "user.delete", UserAccounts.normalizeName(name),
                AuditEntry.SUCCESS, OptionalLong.empty(), "");
        Json.ok(res, OK);
    }

    private static String name(ServerRequest req) {
        return PathSegments.after(req, PATH + "/local", 0);
    }

    /** What a PUT asks to change: the password and the roles, each optional. */
    private record Changes(Optional<String> password, Optional<List<Role>> roles) {
    }

    /** Form fields ({@code password=...&roles=r1,r2[b:s]}) or JSON ({@code {"password":..,"roles":[..]}}). */
    private static Changes parse(ServerRequest req) {
        String body = RequestBody.text(req, MAX_BODY_BYTES);
        boolean json = req.headers().first(HeaderNames.CONTENT_TYPE)
                .map(type -> type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json"))
                .orElse(false);
        return json ? parseJson(body) : parseForm(body);
    }

    private static Changes parseForm(String body) {
        Map<String, String> fields;
        try {
            fields = FormBody.parse(body);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The form body is not correctly URL-encoded");
        }
        return new Changes(Optional.ofNullable(fields.get("password")),
                Optional.ofNullable(fields.get("roles")).map(UserService::roles));
    }

    private static Changes parseJson(String body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body must be a JSON object with password and roles");
        }
        JsonNode password = node.get("password");
        if (password != null && !password.isTextual()) {
            throw new ApiException(ErrorCode.INVALID_BODY, "password must be a string");
        }
        JsonNode roles = node.get("roles");
        Optional<List<Role>> parsed;
        if (roles == null || roles.isNull()) {
            parsed = Optional.empty();
        } else if (roles.isTextual()) {
            parsed = Optional.of(roles(roles.asText()));
        } else if (roles.isArray()) {
            List<Role> list = new ArrayList<>();
            for (JsonNode role : roles) {
                if (!role.isTextual()) {
                    throw new ApiException(ErrorCode.INVALID_BODY, "roles must be strings");
                }
                list.add(Role.parse(role.asText()));
            }
            parsed = Optional.of(list);
        } else {
            throw new ApiException(ErrorCode.INVALID_BODY, "roles must be an array of strings or a comma-separated string");
        }
        return new Changes(password == null ? Optional.empty() : Optional.of(password.asText()), parsed);
    }

    /** Comma-separated roles; no role contains a comma (bucket and scope names cannot). */
    private static List<Role> roles(String text) {
        return Arrays.stream(text.split(",")).filter(r -> !r.isBlank()).map(Role::parse).toList();
    }
}
