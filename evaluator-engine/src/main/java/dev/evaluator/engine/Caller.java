package dev.evaluator.engine;

import java.util.List;

/**
 * The authenticated user of a request, as the HTTP adapter authenticated it.
 *
 * @param name  the login name
 * @param roles the user's roles
 */
public record Caller(String name, List<Role> roles) {
    public Caller {
        roles = List.copyOf(roles);
    }

    /**
     * Whether any of the caller's roles grants the permission.
     *
     * @return true when granted
     */
    public boolean may(Permission permission) {
        return permission instanceof Permission.Authenticated || permission instanceof Permission.Public
                || roles.stream().anyMatch(r -> r.allows(permission));
    }
}
