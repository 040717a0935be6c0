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
    /** Characters a user name may not contain (Couchbase's rule). */
    public static final String FORBIDDEN_NAME_CHARACTERS = "()<>@,;:\\\"/[]?={}";
    /** Longest user name, in characters. */
    public static final int MAX_NAME_LENGTH = 128;

    /**
     * Validate the name and copy the roles.
     *
     * @throws InvalidNameException if the name breaks its rule
     * @throws NullPointerException if the hash or roles are null
     */
    public User {
        validateName(name);
        Objects.requireNonNull(passwordHash, "passwordHash");
        roles = List.copyOf(roles);
    }

    /**
     * Check a user name: 1 to 128 printable characters, none of {@code ()<>@,;:\"/[]?={}} (so no leading
     * {@code @} either).
     *
     * @param name the name
     * @throws InvalidNameException if the name breaks the rule
     */
    public static void validateName(String name) {
        boolean valid = name != null && !name.isEmpty() && name.codePointCount(0, name.length()) <= MAX_NAME_LENGTH
                && name.codePoints().allMatch(User::allowedInName);
        if (!valid) {
            throw new InvalidNameException("user", "a user name is 1 to 128 printable characters, none of "
                    + FORBIDDEN_NAME_CHARACTERS + " (and so not starting with '@')");
        }
    }

    private static boolean allowedInName(int c) {
        int type = Character.getType(c);
        boolean printable = !Character.isISOControl(c) && type != Character.SURROGATE
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE && type != Character.FORMAT
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
        return printable && FORBIDDEN_NAME_CHARACTERS.indexOf(c) < 0;
    }

    @Override
    public String toString() {
        return "User[name=" + name + ", roles=" + roles + "]";
    }
}
