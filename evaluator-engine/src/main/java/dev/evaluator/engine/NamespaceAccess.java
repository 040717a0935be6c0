package dev.evaluator.engine;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The engine's namespace checks: what a caller may see of lists that span namespaces (libraries, per-function
 * statistics, {@code system:functions}, {@code system:functions_cache}), and the permission each SQL++ statement
 * needs for the namespace it names. Together with the HTTP adapter's route table, this is where authorization is
 * decided; both ask {@link Role#allows}.
 */
public final class NamespaceAccess {
    private static final String GLOBAL_KEY = "global";

    private NamespaceAccess() {
    }

    /**
     * Whether a caller may read a library.
     *
     * @param caller  the caller
     * @param library the library
     * @return whether the caller's roles let it read the library's namespace
     */
    public static boolean mayRead(Caller caller, Library library) {
        return mayRead(caller, library.id().namespace());
    }

    /**
     * Whether a caller may read the libraries of a namespace.
     *
     * @param caller    the caller
     * @param namespace the namespace
     * @return whether the caller's roles let it read them
     */
    public static boolean mayRead(Caller caller, Namespace namespace) {
        return caller.may(new Permission.ReadLibrary(namespace));
    }

    /**
     * The namespaces whose per-function statistics a caller sees: the one named (whose permission the route
     * table checked), or every namespace whose libraries the caller may read.
     *
     * @param only the namespace the request names, if any
     * @return the test
     */
    public static Predicate<Namespace> visibleStatistics(Caller caller, Optional<Namespace> only) {
        return only.<Predicate<Namespace>>map(named -> named::equals)
                .orElse(namespace -> caller.may(new Permission.ReadLibrary(namespace)));
    }

    /**
     * Whether a caller sees a SQL++ function in {@code system:functions}.
     *
     * @return true when the caller may read the functions of its namespace
     */
    public static boolean visibleFunction(Caller caller, FunctionDefinition function) {
        return caller.may(new Permission.ReadFunction(function.id().namespace()));
    }

    /**
     * Whether a caller may see a library's code, the failing line in a call's error included: executors may run a
     * library's functions without reading its code (which may hold secrets).
     *
     * @return true when the caller may read the library
     */
    public static boolean mayReadCode(Caller caller, LibraryId library) {
        return caller.may(new Permission.ReadLibrary(library.namespace()));
    }

    /**
     * A namespace as the runtime keys calls by it: {@code global}, or {@code bucket/scope} for a scope (no name
     * holds a {@code /}, so the two never meet), so it reads back with {@link #namespaceOf}.
     *
     * @return the key
     */
    public static String key(Namespace namespace) {
        return switch (namespace) {
            case Namespace.Global g -> GLOBAL_KEY;
            case Namespace.Scoped s -> s.bucket() + "/" + s.scope();
        };
    }

    /**
     * The namespace of a runtime key written by {@link #key}.
     *
     * @return the namespace
     * @throws IllegalArgumentException when the key was not written by {@link #key}
     */
    public static Namespace namespaceOf(String key) {
        if (key.equals(GLOBAL_KEY)) {
            return Namespace.GLOBAL;
        }
        int slash = key.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a namespace key: " + key);
        }
        return Namespace.scoped(key.substring(0, slash), key.substring(slash + 1));
    }

    /**
     * Refuse a statement the caller may not run.
     *
     * @param permission what the statement needs
     * @throws EngineException {@code FORBIDDEN}, naming a role that would grant it
     */
    public static void require(Caller caller, Permission permission) {
        if (!caller.may(permission)) {
            throw new EngineException(EngineException.Kind.FORBIDDEN,
                    "User does not have credentials to run this statement: it requires "
                            + permission.grantingRole() + " (or admin)");
        }
    }
}
