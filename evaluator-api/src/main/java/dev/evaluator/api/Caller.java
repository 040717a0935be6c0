package dev.evaluator.api;

import java.util.Set;

/**
 * The authenticated user of a request, registered in the request's context by {@link AuthenticationFilter}.
 *
 * @param name  the login name
 * @param roles the user's role names
 */
record Caller(String name, Set<String> roles) {
    static final String ADMIN = "admin";

    Caller {
        roles = Set.copyOf(roles);
    }
}
