package dev.evaluator.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A stored library: its identity, its whole JavaScript source and when it was last written.
 *
 * @param id       the library's identity
 * @param code     the JavaScript source of the whole library
 * @param modified when the library was last created or replaced
 */
public record Library(LibraryId id, String code, Instant modified) {
    /** The order of {@link LibraryStore#list()}: by name, then bucket, then scope, global libraries first on a tie. */
    public static final Comparator<Library> ORDER = Comparator
            .comparing((Library l) -> l.id().name())
            .thenComparing(l -> l.id().namespace() instanceof Namespace.Scoped s ? s.bucket() : "")
            .thenComparing(l -> l.id().namespace() instanceof Namespace.Scoped s ? s.scope() : "");

    /**
     * Check that no field is null.
     *
     * @throws NullPointerException if a field is null
     */
    public Library {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(modified, "modified");
    }
}
