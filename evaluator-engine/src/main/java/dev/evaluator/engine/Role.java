package dev.evaluator.engine;

import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.Namespace;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A role, as Couchbase spells it: {@code admin}, {@code ro_admin}, the global function roles, and the scope function
 * roles with their {@code [bucket:scope]} where either may be {@code *} ({@code [b]} means {@code [b:*]},
 * {@code [*]} means {@code [*:*]}).
 *
 * @param kind   what the role grants
 * @param bucket the bucket it is limited to, {@code *} for any; empty for roles without a scope
 * @param scope  the scope it is limited to, {@code *} for any; empty for roles without a scope
 */
public record Role(Kind kind, Optional<String> bucket, Optional<String> scope) {
    /** Any bucket or scope. */
    public static final String ANY = "*";
    private static final Pattern SYNTAX = Pattern.compile("([a-z_]+)(?:\\[([^\\[\\]:]*)(?::([^\\[\\]:]*))?])?");

    /** What a role grants. */
    public enum Kind {
        ADMIN("admin", false),
        RO_ADMIN("ro_admin", false),
        MANAGE_GLOBAL_FUNCTIONS("query_manage_global_external_functions", false),
        MANAGE_SCOPE_FUNCTIONS("query_manage_external_functions", true),
        EXECUTE_GLOBAL_FUNCTIONS("query_execute_global_external_functions", false),
        EXECUTE_SCOPE_FUNCTIONS("query_execute_external_functions", true),
        // Couchbase's roles for inline (SQL++-bodied) functions, which this service does not run: accepted so that
        // scripts creating users with them work, and granting nothing here.
        MANAGE_GLOBAL_INLINE_FUNCTIONS("query_manage_global_functions", false),
        EXECUTE_GLOBAL_INLINE_FUNCTIONS("query_execute_global_functions", false),
        MANAGE_SCOPE_INLINE_FUNCTIONS("query_manage_functions", true),
        EXECUTE_SCOPE_INLINE_FUNCTIONS("query_execute_functions", true);

        private final String text;
        private final boolean scoped;

        Kind(String text, boolean scoped) {
            this.text = text;
            this.scoped = scoped;
        }

        /**
         * The role's name as Couchbase writes it.
         *
         * @return e.g. {@code query_manage_external_functions}
         */
        public String text() {
            return text;
        }

        /**
         * Whether the role is limited to {@code [bucket:scope]}.
         *
         * @return true for the scope function roles
         */
        public boolean scoped() {
            return scoped;
        }

        static Optional<Kind> named(String text) {
            return Arrays.stream(values()).filter(k -> k.text.equals(text)).findFirst();
        }
    }

    /** The administrator role. */
    public static final Role ADMIN = new Role(Kind.ADMIN, Optional.empty(), Optional.empty());

    /**
     * Parse a role.
     *
     * @param text e.g. {@code admin} or {@code query_manage_external_functions[travel-sample:inventory]}
     * @return the role
     * @throws EngineException {@code INVALID_ROLE}, naming the role and what is wrong with it
     */
    public static Role parse(String text) {
        String trimmed = text.strip();
        Matcher m = SYNTAX.matcher(trimmed);
        if (!m.matches()) {
            throw invalid(trimmed, "expected a role name, optionally followed by [bucket:scope]");
        }
        Kind kind = Kind.named(m.group(1).toLowerCase(Locale.ROOT))
                .orElseThrow(() -> invalid(trimmed, "unknown role; known roles: " + knownRoles()));
        boolean bracketed = trimmed.contains("[");
        if (!kind.scoped()) {
            if (bracketed) {
                throw invalid(trimmed, kind.text + " takes no [bucket:scope]");
            }
            return new Role(kind, Optional.empty(), Optional.empty());
        }
        if (!bracketed) {
            throw invalid(trimmed, kind.text + " needs [bucket:scope] (either may be *)");
        }
        String bucket = m.group(2);
        String scope = m.group(3) == null ? ANY : m.group(3);
        if (bucket.equals(ANY) && !scope.equals(ANY)) {
            throw invalid(trimmed, "a scope needs a bucket: use [*] or [bucket:scope]");
        }
        try {
            if (!bucket.equals(ANY)) {
                Namespace.Scoped.validateBucket(bucket);
            }
            if (!scope.equals(ANY)) {
                Namespace.Scoped.validateScope(scope);
            }
        } catch (InvalidNameException e) {
            throw invalid(trimmed, e.rule());
        }
        return new Role(kind, Optional.of(bucket), Optional.of(scope));
    }

    /**
     * The role as Couchbase writes it.
     *
     * @return e.g. {@code admin} or {@code query_manage_external_functions[travel-sample:inventory]}
     */
    public String text() {
        return bucket.map(b -> kind.text + "[" + b + ":" + scope.orElseThrow() + "]").orElse(kind.text);
    }

    /**
     * Whether this scope-limited role covers a scope.
     *
     * @return false for roles without a scope and for the global namespace
     */
    public boolean covers(Namespace namespace) {
        return namespace instanceof Namespace.Scoped s
                && bucket.map(b -> b.equals(ANY) || b.equals(s.bucket())).orElse(false)
                && scope.map(c -> c.equals(ANY) || c.equals(s.scope())).orElse(false);
    }

    /**
     * Whether this role grants a permission. This is the one place where roles meet permissions.
     *
     * @return true when granted
     */
    public boolean allows(Permission permission) {
        if (inline()) {
            return permission instanceof Permission.Public || permission instanceof Permission.Authenticated;
        }
        return switch (permission) {
            case Permission.Public p -> true;
            case Permission.Authenticated a -> true;
            case Permission.Admin a -> kind == Kind.ADMIN;
            case Permission.Monitor m -> kind == Kind.ADMIN || kind == Kind.RO_ADMIN;
            case Permission.ReadLibrary r -> switch (kind) {
                case ADMIN, RO_ADMIN -> true;
                case MANAGE_GLOBAL_FUNCTIONS -> r.namespace() instanceof Namespace.Global;
                case MANAGE_SCOPE_FUNCTIONS -> r.namespace() instanceof Namespace.Global || covers(r.namespace());
                case EXECUTE_GLOBAL_FUNCTIONS, EXECUTE_SCOPE_FUNCTIONS, MANAGE_GLOBAL_INLINE_FUNCTIONS,
                     EXECUTE_GLOBAL_INLINE_FUNCTIONS, MANAGE_SCOPE_INLINE_FUNCTIONS, EXECUTE_SCOPE_INLINE_FUNCTIONS ->
                        false;
            };
            case Permission.DescribeFunctions d -> allows(new Permission.ReadLibrary(d.namespace()))
                    || allows(new Permission.ExecuteFunction(d.namespace()));
            case Permission.ManageFunction m -> manages(m.namespace());
            // As on Couchbase, managing functions does not grant calling them: only the execute roles (and admin) do.
            case Permission.ExecuteFunction e -> switch (kind) {
                case ADMIN -> true;
                case EXECUTE_GLOBAL_FUNCTIONS -> e.namespace() instanceof Namespace.Global;
                case EXECUTE_SCOPE_FUNCTIONS -> covers(e.namespace());
                case RO_ADMIN, MANAGE_GLOBAL_FUNCTIONS, MANAGE_SCOPE_FUNCTIONS, MANAGE_GLOBAL_INLINE_FUNCTIONS,
                     EXECUTE_GLOBAL_INLINE_FUNCTIONS, MANAGE_SCOPE_INLINE_FUNCTIONS, EXECUTE_SCOPE_INLINE_FUNCTIONS ->
                        false;
            };
            case Permission.ReadFunction r -> switch (kind) {
                case ADMIN, RO_ADMIN -> true;
                case MANAGE_GLOBAL_FUNCTIONS, EXECUTE_GLOBAL_FUNCTIONS -> r.namespace() instanceof Namespace.Global;
                case MANAGE_SCOPE_FUNCTIONS, EXECUTE_SCOPE_FUNCTIONS -> covers(r.namespace());
                case MANAGE_GLOBAL_INLINE_FUNCTIONS, EXECUTE_GLOBAL_INLINE_FUNCTIONS, MANAGE_SCOPE_INLINE_FUNCTIONS,
                     EXECUTE_SCOPE_INLINE_FUNCTIONS -> false;
            };
            case Permission.ManageLibrary m -> manages(m.namespace());
        };
    }

    /** Whether this is one of Couchbase's inline-function roles, which grant nothing here. */
    boolean inline() {
        return switch (kind) {
            case MANAGE_GLOBAL_INLINE_FUNCTIONS, EXECUTE_GLOBAL_INLINE_FUNCTIONS, MANAGE_SCOPE_INLINE_FUNCTIONS,
                 EXECUTE_SCOPE_INLINE_FUNCTIONS -> true;
            case ADMIN, RO_ADMIN, MANAGE_GLOBAL_FUNCTIONS, MANAGE_SCOPE_FUNCTIONS, EXECUTE_GLOBAL_FUNCTIONS,
                 EXECUTE_SCOPE_FUNCTIONS -> false;
        };
    }

    private boolean manages(Namespace namespace) {
        return switch (kind) {
            case ADMIN -> true;
            case MANAGE_GLOBAL_FUNCTIONS -> namespace instanceof Namespace.Global;
            case MANAGE_SCOPE_FUNCTIONS -> covers(namespace);
            case RO_ADMIN, EXECUTE_GLOBAL_FUNCTIONS, EXECUTE_SCOPE_FUNCTIONS, MANAGE_GLOBAL_INLINE_FUNCTIONS,
                 EXECUTE_GLOBAL_INLINE_FUNCTIONS, MANAGE_SCOPE_INLINE_FUNCTIONS, EXECUTE_SCOPE_INLINE_FUNCTIONS -> false;
        };
    }

    @Override
    public String toString() {
        return text();
    }

    private static String knownRoles() {
        return String.join(", ", Arrays.stream(Kind.values())
                .map(k -> k.scoped ? k.text + "[bucket:scope]" : k.text).toList());
    }

    private static EngineException invalid(String role, String why) {
        return new EngineException(EngineException.Kind.INVALID_ROLE, "Invalid role '" + role + "': " + why,
                java.util.List.of(), role);
    }
}
