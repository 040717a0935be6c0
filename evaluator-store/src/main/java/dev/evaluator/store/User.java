package dev.evaluator.store;

import java.util.List;
import java.util.Objects;

/**
 * A stored user: a name, an opaque password hash and role names. The store never sees a clear password.
 *
 * @param name         the login name
 * @param passwordHash the encoded salted hash of the password, as produced by the service's hasher
 * @param roles        role names, in the order given
 */
public record User(String name, String passwordHash, List<String> roles) {
    /**
     * Validate the name and copy the roles.
     *
     * @throws InvalidNameException if the name is empty or longer than 128 characters
     * @throws NullPointerException if the hash or roles are null
     */
    public User {
        if (name == null || name.isEmpty() || name.length() > 128) {
            throw new InvalidNameException("user", "a user name is 1 to 128 characters");
        }
        Objects.requireNonNull(passwordHash, "passwordHash");
        roles = List.copyOf(roles);
    }

    @Override
    public String toString() {
        return "User[name=" + name + ", roles=" + roles + "]";
    }
}
