package dev.evaluator.api;

import java.util.List;
import java.util.Objects;

/**
 * A change to libraries or functions that the catalog refuses, with the functions concerned.
 */
final class CatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the change was refused. */
    enum Kind {
        /** A library cannot be deleted while functions are bound to it. */
        LIBRARY_IN_USE,
        /** A replaced library would no longer define functions that bindings point to. */
        BINDING_BROKEN,
        /** CREATE FUNCTION without OR REPLACE on an existing name. */
        FUNCTION_EXISTS,
        /** CREATE FUNCTION pointing at a missing library. */
        LIBRARY_NOT_FOUND,
        /** CREATE FUNCTION pointing at a JavaScript function the library does not define. */
        OBJECT_NOT_FOUND,
        /** CREATE FUNCTION declaring another number of parameters than the JavaScript function has. */
        PARAMETER_MISMATCH
    }

    private final Kind kind;
    private final List<String> functions;

    CatalogException(Kind kind, String message, List<String> functions) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
        this.functions = List.copyOf(functions);
    }

    CatalogException(Kind kind, String message) {
        this(kind, message, List.of());
    }

    Kind kind() {
        return kind;
    }

    /** The qualified names of the functions concerned (for the guard's conflicts). */
    List<String> functions() {
        return functions;
    }
}
