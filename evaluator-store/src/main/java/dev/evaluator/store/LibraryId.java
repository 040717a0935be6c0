package dev.evaluator.store;

import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a library: its namespace and its name. A global and a scoped library may share a name.
 *
 * @param namespace where the library lives
 * @param name      1 to 100 characters of {@code [A-Za-z0-9_-]}, starting with a letter or digit
 */
public record LibraryId(Namespace namespace, String name) {
    /** The order of {@link LibraryStore#list()}: by name, then bucket, then scope, global libraries first on a tie. */
    public static final Comparator<LibraryId> ORDER = Comparator
            .comparing(LibraryId::name)
            .thenComparing(id -> id.namespace() instanceof Namespace.Scoped s ? s.bucket() : "")
            .thenComparing(id -> id.namespace() instanceof Namespace.Scoped s ? s.scope() : "");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    /** Longest library name accepted. */
    public static final int MAX_NAME_LENGTH = 100;
    /** Couchbase's message for a bad library name, to the letter (its trailing space included): clients match it. */
    public static final String COUCHBASE_NAME_MESSAGE = "Library name can start with characters only in range"
            + " A-Z, a-z, 0-9 and can contain characters only in range A-Z, a-z, 0-9, underscore and hyphen ";

    /**
     * Validate the name.
     *
     * @throws InvalidNameException if the name breaks its rule
     * @throws NullPointerException if the namespace is null
     */
    public LibraryId {
        Objects.requireNonNull(namespace, "namespace");
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidNameException("library",
                    "a library name is 1 to 100 characters of letters, digits, '_' and '-',"
                            + " starting with a letter or digit", COUCHBASE_NAME_MESSAGE);
        }
    }

    /**
     * A global library.
     *
     * @param name the library name
     * @return the identity
     * @throws InvalidNameException if the name breaks its rule
     */
    public static LibraryId global(String name) {
        return new LibraryId(Namespace.GLOBAL, name);
    }

    @Override
    public String toString() {
        return namespace instanceof Namespace.Scoped s ? s.bucket() + "/" + s.scope() + "/" + name : name;
    }
}
