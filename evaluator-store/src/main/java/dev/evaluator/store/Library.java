package dev.evaluator.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A stored library: its identity, its whole JavaScript source, when it was last written and, when it was written
 * with it, how many top-level functions its code defines (counted once, at write time, so that a list of many
 * libraries with their counts parses none of them).
 *
 * @param id            the library's identity
 * @param code          the JavaScript source of the whole library
 * @param modified      when the library was last created or replaced
 * @param functionCount how many top-level functions the code defines; empty when it was written without the count
 */
public record Library(LibraryId id, String code, Instant modified, OptionalInt functionCount) {
    /** The order of {@link LibraryStore#list()}: by name, then bucket, then scope, global libraries first on a tie. */
    public static final Comparator<Library> ORDER = Comparator.comparing(Library::id, LibraryId.ORDER);

    /**
     * Check that no field is null.
     *
     * @throws NullPointerException if a field is null
     */
    public Library {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(modified, "modified");
        Objects.requireNonNull(functionCount, "functionCount");
        if (functionCount.isPresent() && functionCount.getAsInt() < 0) {
            throw new IllegalArgumentException("a function count is 0 or more, was " + functionCount.getAsInt());
        }
    }

    /**
     * A library written without its function count.
     *
     * @throws NullPointerException if a field is null
     */
    public Library(LibraryId id, String code, Instant modified) {
        this(id, code, modified, OptionalInt.empty());
    }
}
