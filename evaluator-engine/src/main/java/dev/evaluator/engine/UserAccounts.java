package dev.evaluator.engine;

import dev.evaluator.store.User;
import dev.evaluator.store.UserStore;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import com.ibm.icu.text.SpoofChecker;

/**
 * User management over the store: validation, password hashing and the rule that the last administrator can be
 * neither deleted nor demoted. Changes are serialised, so two concurrent changes cannot both remove "the other"
 * administrator.
 * <p>
 * User names are taken in Unicode normalization form NFKC ({@link #normalizeName}) everywhere, logins included, so
 * compatibility variants ({@code ｆｏｏ}, {@code ﬁ}) are the same name as their plain forms. A new name that looks
 * like an existing one (the same UTS #39 confusable skeleton, e.g. a Cyrillic {@code А} for a Latin {@code A}, or
 * {@code rn} for {@code m}) is refused, naming the existing user.
 */
public final class UserAccounts {
    /** Shortest password accepted, in characters. */
    public static final int MIN_PASSWORD_LENGTH = 6;
    /** Longest password accepted, in characters. */
    public static final int MAX_PASSWORD_LENGTH = 1024;

    /** Unicode's confusables data (UTS #39), as ICU ships it; a checker is safe to share once built. */
    private static final SpoofChecker CONFUSABLES = new SpoofChecker.Builder()
            .setChecks(SpoofChecker.CONFUSABLE).build();

    private final UserStore users;
    private final PasswordHasher hasher;
    private final ReentrantLock changes = new ReentrantLock();

    /**
     * @param hasher hashes new passwords
     */
    public UserAccounts(UserStore users, PasswordHasher hasher) {
        this.users = users;
        this.hasher = hasher;
    }

    /**
     * Every user.
     *
     * @return the users, by name
     */
    public List<User> list() {
        return users.list();
    }

    /**
     * A user.
     *
     * @return the user
     * @throws dev.evaluator.store.InvalidNameException when the name breaks its rule
     * @throws EngineException {@code USER_NOT_FOUND}
     */
    public User find(String name) {
        String normalized = normalizeName(name);
        User.validateName(normalized);
        return users.find(normalized).orElseThrow(() -> notFound(normalized));
    }

    /**
     * Create or replace a user.
     *
     * @param given    the user's name as the client wrote it; taken in NFKC form
     * @param password the new password; empty keeps the current one (required for a new user)
     * @param roles    the new roles; empty keeps the current ones (none for a new user)
     * @return whether the user was created
     * @throws dev.evaluator.store.InvalidNameException when the name breaks its rule
     * @throws EngineException {@code INVALID_PASSWORD}, {@code PASSWORD_REQUIRED}, {@code LAST_ADMIN},
     *                         {@code CONFUSABLE_NAME} for a new name that looks like an existing user's
     */
    public boolean upsert(String given, Optional<String> password, Optional<List<Role>> roles) {
        String name = normalizeName(given);
        User.validateName(name);
        password.ifPresent(UserAccounts::validatePassword);
        // Hash outside the lock: it is slow on purpose.
        Optional<String> hash = password.map(p -> hasher.hash(p.toCharArray()));
        changes.lock();
        try {
            Optional<User> existing = users.find(name);
            if (existing.isEmpty()) {
                refuseLookAlike(name);
            }
            if (existing.isEmpty() && hash.isEmpty()) {
                throw new EngineException(EngineException.Kind.PASSWORD_REQUIRED, "A new user needs a password");
            }
            List<String> newRoles = roles.map(UserAccounts::texts)
                    .orElseGet(() -> existing.map(User::roles).orElse(List.of()));
            if (existing.isPresent() && isAdmin(existing.get().roles()) && !isAdmin(newRoles)) {
                requireAnotherAdmin(name);
            }
            users.upsert(new User(name, hash.orElseGet(() -> existing.orElseThrow().passwordHash()), newRoles));
            return existing.isEmpty();
        } finally {
            changes.unlock();
        }
    }

    /**
     * Delete a user.
     *
     * @throws dev.evaluator.store.InvalidNameException when the name breaks its rule
     * @throws EngineException {@code USER_NOT_FOUND}, {@code LAST_ADMIN}
     */
    public void delete(String given) {
        String name = normalizeName(given);
        User.validateName(name);
        changes.lock();
        try {
            User existing = users.find(name).orElseThrow(() -> notFound(name));
            if (isAdmin(existing.roles())) {
                requireAnotherAdmin(name);
            }
            users.delete(name);
        } finally {
            changes.unlock();
        }
    }

    /**
     * A user name as it is stored and compared: its Unicode NFKC form.
     *
     * @param name a name as a client wrote it (in a path or a login)
     * @return the NFKC form
     */
    public static String normalizeName(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFKC);
    }

    /** A new name must not look like an existing user's (the same confusable skeleton). */
    private void refuseLookAlike(String name) {
        String skeleton = CONFUSABLES.getSkeleton(name);
        for (User user : users.list()) {
            if (CONFUSABLES.getSkeleton(user.name()).equals(skeleton)) {
                throw new EngineException(EngineException.Kind.CONFUSABLE_NAME, "User name [" + name
                        + "] looks like the existing user [" + user.name() + "] (Unicode confusables); choose a"
                        + " name that cannot be mistaken for it", List.of(), user.name());
            }
        }
    }

    /**
     * Check a password's length.
     *
     * @throws EngineException {@code INVALID_PASSWORD}
     */
    public static void validatePassword(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
            throw new EngineException(EngineException.Kind.INVALID_PASSWORD, "A password is " + MIN_PASSWORD_LENGTH + " to "
                    + MAX_PASSWORD_LENGTH + " characters long");
        }
    }

    private void requireAnotherAdmin(String name) {
        boolean another = users.list().stream().anyMatch(u -> !u.name().equals(name) && isAdmin(u.roles()));
        if (!another) {
            throw new EngineException(EngineException.Kind.LAST_ADMIN,
                    "User " + name + " is the last administrator: give another user the admin role first");
        }
    }

    private static boolean isAdmin(List<String> roles) {
        return roles.contains(Role.ADMIN.text());
    }

    /** Canonical texts, duplicates removed, order kept. */
    private static List<String> texts(List<Role> roles) {
        LinkedHashMap<String, Role> unique = new LinkedHashMap<>();
        roles.forEach(r -> unique.putIfAbsent(r.text(), r));
        return List.copyOf(unique.keySet());
    }

    private static EngineException notFound(String name) {
        return new EngineException(EngineException.Kind.USER_NOT_FOUND, "User [" + name + "] not found");
    }
}
