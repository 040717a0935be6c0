package dev.evaluator.api;

import java.util.List;

/**
 * The authenticated user of a request, registered in the request's context by {@link SecurityFilter}.
 *
 * @param name  the login name
 * @param roles the user's roles
 */
record Caller(String name, List<Role> roles) {
    Caller {
        roles = List.copyOf(roles);
    }

    /**
     * Whether any of the caller's roles grants the permission.
     */
    boolean may(Permission permission) {
        return permission instanceof Permission.Public || permission instanceof Permission.Authenticated || roles.stream().anyMatch(r -> r.allows(permission));
    }
}
