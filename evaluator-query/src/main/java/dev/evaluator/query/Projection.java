package dev.evaluator.query;

import java.util.Objects;
import java.util.Optional;

/**
 * One result expression of a {@code SELECT}, with its alias when one is written ({@code expr AS alias} or
 * {@code expr alias}).
 *
 * @param expression the expression
 * @param alias      the alias, or empty
 */
public record Projection(Expression expression, Optional<String> alias) {
    /**
     * Validate.
     *
     * @throws NullPointerException if a component is null
     */
    public Projection {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(alias, "alias");
    }
}
