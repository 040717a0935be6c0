package dev.evaluator.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A SQL++ function bound to a JavaScript function of a library.
 *
 * @param id         the function's identity
 * @param parameters the declared parameter names; empty when the function is variadic ({@code ...})
 * @param library    the library the function is bound to
 * @param object     the name of the JavaScript function in the library
 * @param created    when the function was created or last replaced
 * @param libraryPath the library as the statement's {@code AT} wrote it ({@code "lib"}, {@code "./lib"},
 *                    {@code "bucket/scope/lib"}), which Couchbase shows in {@code system:functions}
 */
public record FunctionDefinition(FunctionId id,
                                 Optional<List<String>> parameters,
                                 LibraryId library,
                                 String object,
                                 Instant created,
                                 String libraryPath) {
    /** The order of {@link FunctionStore#list()}: global first, then by bucket and scope, then by name. */
    public static final Comparator<FunctionDefinition> ORDER = Comparator
            .comparing((FunctionDefinition f) -> f.id().namespace() instanceof Namespace.Scoped ? 1 : 0)
            .thenComparing(f -> f.id().namespace() instanceof Namespace.Scoped s ? s.bucket() : "")
            .thenComparing(f -> f.id().namespace() instanceof Namespace.Scoped s ? s.scope() : "")
            .thenComparing(f -> f.id().name());

    /**
     * Check the fields and copy the parameters.
     *
     * @throws NullPointerException     if a field is null
     * @throws IllegalArgumentException if the object name is empty
     */
    public FunctionDefinition {
        Objects.requireNonNull(id, "id");
        parameters = Objects.requireNonNull(parameters, "parameters").map(List::copyOf);
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(created, "created");
        if (libraryPath == null || libraryPath.isEmpty()) {
            throw new IllegalArgumentException("The library path must not be empty");
        }
        if (object == null || object.isEmpty()) {
            throw new IllegalArgumentException("The bound JavaScript function's name must not be empty");
        }
    }

    /**
     * A definition whose library path is the one that names its library from anywhere: {@code "lib"} for a global
     * library, {@code "bucket/scope/lib"} for a scoped one.
     *
     * @throws NullPointerException     if a field is null
     * @throws IllegalArgumentException if the object name is empty
     */
    public FunctionDefinition(FunctionId id, Optional<List<String>> parameters, LibraryId library, String object,
                              Instant created) {
        this(id, parameters, library, object, created, defaultPath(library));
    }

    /**
     * The path that names a library from any function: its name, or {@code bucket/scope/name}.
     *
     * @param library the library
     * @return the path
     */
    public static String defaultPath(LibraryId library) {
        return switch (library.namespace()) {
            case Namespace.Global g -> library.name();
            case Namespace.Scoped s -> s.bucket() + "/" + s.scope() + "/" + library.name();
        };
    }

    /**
     * Whether the function takes any number of arguments.
     *
     * @return true when declared with {@code ...}
     */
    public boolean variadic() {
        return parameters.isEmpty();
    }
}
