package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreChange;
import dev.evaluator.store.StoreException;

import java.util.Optional;

/**
 * The key layout under the store's prefix (see {@code package-info.java}). A namespace is written {@code global} or
 * {@code scoped/<bucket>/<scope>}; no library, function, bucket, scope or user name may contain {@code /}, so every
 * key splits back into its parts, and the records of one namespace are the one range under
 * {@code <prefix>lib/<namespace>/}.
 */
final class EtcdKeys {
    static final String LIBRARIES = "lib/";
    static final String FUNCTIONS = "fn/";
    static final String BINDINGS = "bound/";
    static final String USERS = "user/";
    static final String META = "meta/";
    static final String HISTORY = "history/";
    static final String CODE = "code/";
    static final String COUNTERS = "counter/";
    static final String AUDIT = "audit/";
    /** Version numbers and audit positions are written in decimal, zero-padded to this many digits (any long). */
    static final int NUMBER_DIGITS = 20;

    private final String prefix;

    EtcdKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String schemaVersion() {
        return prefix + META + "schema-version";
    }

    String writeProbe() {
        return prefix + META + "write-probe";
    }

    /** Every library, or those of one namespace. */
    String libraries() {
        return prefix + LIBRARIES;
    }

    String libraries(Namespace namespace) {
        return prefix + LIBRARIES + path(namespace) + "/";
    }

    String library(LibraryId id) {
        return libraries(id.namespace()) + id.name();
    }

    String functions() {
        return prefix + FUNCTIONS;
    }

    String function(FunctionId id) {
        return prefix + FUNCTIONS + path(id.namespace()) + "/" + id.name();
    }

    /** The index of the functions bound to a library. */
    String bindings(LibraryId library) {
        return prefix + BINDINGS + path(library.namespace()) + "/" + library.name();
    }

    /** The metadata of a library's versions: one range, in number order. */
    String versions(LibraryId library) {
        return prefix + HISTORY + path(library.namespace()) + "/" + library.name() + "/";
    }

    String version(LibraryId library, long number) {
        return versions(library) + number(number);
    }

    /** The code of a library's versions, apart from their metadata so that listing versions never reads code. */
    String codes(LibraryId library) {
        return prefix + CODE + path(library.namespace()) + "/" + library.name() + "/";
    }

    String code(LibraryId library, long number) {
        return codes(library) + number(number);
    }

    String counters() {
        return prefix + COUNTERS;
    }

    /** A library's version counter: the numbers of its kept versions, and the highest it ever had. */
    String counter(LibraryId library) {
        return prefix + COUNTERS + path(library.namespace()) + "/" + library.name();
    }

    LibraryId counterOf(String key) {
        Named named = parsePath(after(key, counters()));
        return new LibraryId(named.namespace(), named.name());
    }

    String audit() {
        return prefix + AUDIT;
    }

    String audit(long id) {
        return prefix + AUDIT + number(id);
    }

    long auditOf(String key) {
        return numberOf(key, audit());
    }

    /** The number at the end of a key of a version ({@link #version}, {@link #code}) or of the audit log. */
    static long numberOf(String key, String start) {
        String digits = after(key, start);
        try {
            if (digits.length() == NUMBER_DIGITS) {
                return Long.parseLong(digits);
            }
        } catch (NumberFormatException e) {
            throw damaged(key, e);
        }
        throw damaged(key, null);
    }

    /** The first key after every key that starts with a prefix: the end of the prefix's range. */
    static String rangeEnd(String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
    }

    private static String number(long number) {
        if (number < 0) {
            throw new IllegalArgumentException("a stored number is never negative: " + number);
        }
        String digits = Long.toString(number);
        return "0".repeat(NUMBER_DIGITS - digits.length()) + digits;
    }

    String users() {
        return prefix + USERS;
    }

    String user(String name) {
        return prefix + USERS + name;
    }

    /** A namespace's path and a name, as stored in values that name a library or function: {@code global/math}. */
    static String path(Namespace namespace, String name) {
        return path(namespace) + "/" + name;
    }

    private static String path(Namespace namespace) {
        return switch (namespace) {
            case Namespace.Global g -> "global";
            case Namespace.Scoped s -> "scoped/" + s.bucket() + "/" + s.scope();
        };
    }

    /** A namespace and a name, parsed from {@link #path(Namespace, String)}'s form. */
    record Named(Namespace namespace, String name) {
    }

    static Named parsePath(String path) {
        String[] parts = path.split("/", -1);
        try {
            if (parts.length == 2 && parts[0].equals("global")) {
                return new Named(Namespace.GLOBAL, parts[1]);
            }
            if (parts.length == 4 && parts[0].equals("scoped")) {
                return new Named(Namespace.scoped(parts[1], parts[2]), parts[3]);
            }
        } catch (IllegalArgumentException e) {
            throw damaged(path, e);
        }
        throw damaged(path, null);
    }

    LibraryId libraryOf(String key) {
        Named named = parsePath(after(key, libraries()));
        return new LibraryId(named.namespace(), named.name());
    }

    FunctionId functionOf(String key) {
        Named named = parsePath(after(key, functions()));
        return new FunctionId(named.namespace(), named.name());
    }

    String userOf(String key) {
        return after(key, users());
    }

    /** What a changed key means to a listener; the indexes, histories, audit log and meta records mean nothing to it. */
    Optional<StoreChange> change(String key, boolean deleted, long revision) {
        if (key.startsWith(libraries())) {
            return Optional.of(new StoreChange.LibraryChanged(libraryOf(key), deleted, revision));
        }
        if (key.startsWith(functions())) {
            return Optional.of(new StoreChange.FunctionChanged(functionOf(key), deleted, revision));
        }
        if (key.startsWith(users())) {
            return Optional.of(new StoreChange.UserChanged(userOf(key), deleted, revision));
        }
        return Optional.empty();
    }

    private static String after(String key, String start) {
        if (!key.startsWith(start)) {
            throw damaged(key, null);
        }
        return key.substring(start.length());
    }

    private static StoreException damaged(String key, Throwable cause) {
        return new StoreException(StoreException.Reason.CORRUPTED, "Damaged key in the store: " + key, cause);
    }
}
