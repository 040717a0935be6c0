package dev.evaluator.query;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A function's name as written in a statement: an optional namespace and one or more dotted parts. Couchbase's forms
 * are {@code f}, {@code default:f}, {@code bucket.scope.f} and {@code default:bucket.scope.f}; the parser records any
 * number of parts, and the caller rejects the counts Couchbase does not accept (2, or 4 and more) with its own error.
 *
 * @param namespace the namespace before the colon ({@code default} or {@code system} on Couchbase), as written
 * @param parts     the dotted parts, at least one; the last is the function's own name
 */
public record FunctionName(Optional<String> namespace, List<String> parts) {
    /**
     * Validate and copy.
     *
     * @throws NullPointerException     if the namespace, the list or a part is null
     * @throws IllegalArgumentException if there are no parts, or a part or the namespace is empty
     */
    public FunctionName {
        Objects.requireNonNull(namespace, "namespace");
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a function name has at least one part");
        }
        if (namespace.filter(String::isEmpty).isPresent() || parts.contains("")) {
            throw new IllegalArgumentException("a function name's namespace and parts are not empty");
        }
    }

    /**
     * A name without a namespace.
     *
     * @param parts the dotted parts, e.g. {@code "f"} or {@code "bucket", "scope", "f"}
     * @return the name
     * @throws NullPointerException     if a part is null
     * @throws IllegalArgumentException if there are no parts, or a part is empty
     */
    public static FunctionName of(String... parts) {
        return new FunctionName(Optional.empty(), List.of(parts));
    }

    /**
     * The function's own name: the last part.
     *
     * @return the name
     */
    public String name() {
        return parts.getLast();
    }

    /**
     * The bucket of a scoped name ({@code bucket.scope.f}).
     *
     * @return the first of three parts, or empty for any other number of parts
     */
    public Optional<String> bucket() {
        return parts.size() == 3 ? Optional.of(parts.getFirst()) : Optional.empty();
    }

    /**
     * The scope of a scoped name ({@code bucket.scope.f}).
     *
     * @return the second of three parts, or empty for any other number of parts
     */
    public Optional<String> scope() {
        return parts.size() == 3 ? Optional.of(parts.get(1)) : Optional.empty();
    }

    /**
     * The name as SQL++ text, back-quoting the parts that need it, e.g. {@code default:`travel-sample`.inventory.f}.
     *
     * @return the written form, which parses back to an equal name
     */
    @Override
    public String toString() {
        return Keyspace.written(namespace, parts);
    }
}
