package dev.evaluator.query;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The keyspace of a {@code FROM} clause as written: an optional namespace and a dotted path, e.g.
 * {@code system:functions} (namespace {@code system}, path {@code [functions]}) or {@code default:bucket.scope.coll}.
 *
 * @param namespace the namespace before the colon, as written
 * @param path      the dotted parts, at least one
 */
public record Keyspace(Optional<String> namespace, List<String> path) {
    /**
     * Validate and copy.
     *
     * @throws NullPointerException     if the namespace, the list or a part is null
     * @throws IllegalArgumentException if the path is empty, or a part or the namespace is empty
     */
    public Keyspace {
        Objects.requireNonNull(namespace, "namespace");
        path = List.copyOf(path);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a keyspace path has at least one part");
        }
        if (namespace.filter(String::isEmpty).isPresent() || path.contains("")) {
            throw new IllegalArgumentException("a keyspace's namespace and path parts are not empty");
        }
    }

    /**
     * The keyspace as SQL++ text, back-quoting the parts that need it.
     *
     * @return the written form, which parses back to an equal keyspace
     */
    @Override
    public String toString() {
        return written(namespace, path);
    }

    static String written(Optional<String> namespace, List<String> parts) {
        // SYSTEM is reserved, but a word before a colon is always read as a namespace
        String prefix = namespace
                .map(n -> (n.equalsIgnoreCase("system") ? n : ReservedWords.identifier(n)) + ":")
                .orElse("");
        return parts.stream().map(ReservedWords::identifier).collect(Collectors.joining(".", prefix, ""));
    }
}
