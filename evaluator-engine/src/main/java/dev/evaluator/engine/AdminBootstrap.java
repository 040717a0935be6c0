package dev.evaluator.engine;

import dev.evaluator.store.Store;
import dev.evaluator.store.User;
import dev.evaluator.store.UserStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Makes sure the bootstrap administrator exists: with the password from the environment when one is given (set
 * again if it changed), else, on the first start only, with a generated one that is written to
 * {@code <data-dir>/initial-admin-password} (mode 0600). Of several nodes that start at once on one etcd store, only
 * one generates it (the others find it and print nothing).
 */
public final class AdminBootstrap {
    /** The file in the data directory that holds a generated password. */
    public static final String PASSWORD_FILE = "initial-admin-password";

    private AdminBootstrap() {
    }

    /**
     * Ensure the administrator.
     *
     * @param store         the store whose users get the administrator (shared by other nodes on etcd: a generated
     *                      administrator is created only if no node created one meanwhile)
     * @param name          the administrator's user name (taken in NFKC form, as every user name is)
     * @param adminPassword the password to set, if the operator gave one
     * @param dataDir       where a generated password is written
     * @param vouched       told the administrator as stored and the password its hash was checked against or made
     *                      from, when this start knows both (so the first login need not derive the hash again)
     * @return the generated password when one was generated (to be shown once), else empty
     * @throws java.io.UncheckedIOException when the generated password cannot be written
     * @throws IllegalStateException        when the file system cannot keep the file private
     */
    public static Optional<String> ensure(Store store, PasswordHasher hasher, String name,
                                          Optional<String> adminPassword, Path dataDir,
                                          BiConsumer<User, char[]> vouched) {
        UserStore users = store.users();
        String admin = UserAccounts.normalizeName(name);
        Optional<User> existing = users.find(admin);
        if (adminPassword.isPresent()) {
            char[] password = adminPassword.get().toCharArray();
            boolean current = existing.map(u -> hasher.verify(password, u.passwordHash())
                    && u.roles().contains(Role.ADMIN.text())).orElse(false);
            if (current) {
                vouched.accept(existing.get(), password);
            } else {
                User updated = new User(admin, hasher.hash(password), roles(existing));
                users.upsert(updated);
                vouched.accept(updated, password);
            }
            return Optional.empty();
        }
        if (existing.isPresent()) {
            return Optional.empty();
        }
        String generated = generatePassword();
        Path file = dataDir.resolve(PASSWORD_FILE);
        // The file first: a crash before the user is written leaves no administrator whose password nobody has.
        writePasswordFile(file, generated);
        User created = new User(admin, hasher.hash(generated.toCharArray()), List.of(Role.ADMIN.text()));
        // Create only: another node sharing the store may be starting at the same moment, and its generated
        // password (the one it printed) must not be overwritten by this one.
        boolean won = store.transact(tx -> {
            if (tx.findUser(admin).isPresent()) {
                return false;
            }
            tx.upsertUser(created);
            return true;
        });
        if (!won) {
            deleteQuietly(file);
            return Optional.empty();
        }
        vouched.accept(created, generated.toCharArray());
        return Optional.of(generated);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // It holds a password that works nowhere; the next start overwrites it if it generates one.
        }
    }

    private static List<String> roles(Optional<User> existing) {
        List<String> roles = existing.map(User::roles).orElse(List.of());
        return roles.contains(Role.ADMIN.text()) ? roles
                : java.util.stream.Stream.concat(roles.stream(), java.util.stream.Stream.of(Role.ADMIN.text())).toList();
    }

    private static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void writePasswordFile(Path file, String password) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("The data directory's file system has no POSIX permissions,"
                    + " so the generated password cannot be stored privately: set EVALUATOR_ADMIN_PASSWORD", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
