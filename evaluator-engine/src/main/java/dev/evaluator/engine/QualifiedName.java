package dev.evaluator.engine;

import dev.evaluator.query.FunctionName;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Namespace;

import java.util.List;
import java.util.Optional;

/**
 * How the server writes a SQL++ function's full name, in every message and list: {@code default:name} or
 * {@code default:bucket.scope.name}, with the query module's one quoting rule (reserved words and names that are
 * not plain identifiers back-quoted, back-quotes doubled), so every name the server prints parses back to the same
 * function.
 */
public final class QualifiedName {
    private static final String DEFAULT_NAMESPACE = "default";

    private QualifiedName() {
    }

    /**
     * The full name.
     *
     * @param id the function
     * @return SQL++ text naming exactly that function, e.g. {@code default:`travel-sample`.inventory.`select`}
     */
    public static String of(FunctionId id) {
        List<String> parts = switch (id.namespace()) {
            case Namespace.Global g -> List.of(id.name());
            case Namespace.Scoped s -> List.of(s.bucket(), s.scope(), id.name());
        };
        return new FunctionName(Optional.of(DEFAULT_NAMESPACE), parts).toString();
    }
}
