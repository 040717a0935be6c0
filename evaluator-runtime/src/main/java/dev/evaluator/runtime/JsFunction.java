package dev.evaluator.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A top-level function of a library, as its source declares it (found without running the library).
 *
 * @param name       the name the function is bound to: a declaration's name, or the variable's for
 *                   {@code const f = function g() {}} ({@code "f"})
 * @param parameters the parameters in order: an identifier's name (also for {@code a = 1} and {@code ...rest}),
 *                   or a destructuring pattern's source text such as {@code "{x, y}"}
 * @param variadic   whether the last parameter is a rest parameter ({@code ...rest})
 * @param line       1-based line where the declaration starts
 * @param doc        the comments right before the declaration, cleaned of their delimiters; empty when none
 */
public record JsFunction(String name, List<String> parameters, boolean variadic, int line, Optional<String> doc) {
    /**
     * Create a function description.
     *
     * @throws NullPointerException     if an argument or a parameter is null
     * @throws IllegalArgumentException if the name is blank, the line is not positive, or a variadic function has
     *                                  no parameters
     */
    public JsFunction {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(doc, "doc");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a function's name must not be blank");
        }
        if (line < 1) {
            throw new IllegalArgumentException("line must be 1 or more, was " + line);
        }
        if (variadic && parameters.isEmpty()) {
            throw new IllegalArgumentException("a variadic function has a rest parameter");
        }
    }
}
