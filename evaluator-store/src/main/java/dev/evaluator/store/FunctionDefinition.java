package dev.evaluator.store;

import java.time.Instant;
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
 */
public record FunctionDefinition(FunctionId id,
                                 Optional<List<String>> parameters,
                                 LibraryId library,
                                 String object,
                                 Instant created) {
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
        if (object == null || object.isEmpty()) {
            throw new IllegalArgumentException("The bound JavaScript function's name must not be empty");
        }
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
