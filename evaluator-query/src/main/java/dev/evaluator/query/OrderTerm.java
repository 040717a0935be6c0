package dev.evaluator.query;

import java.util.Objects;
import java.util.Optional;

/**
 * One term of an {@code ORDER BY} clause: {@code expr [ASC | DESC] [NULLS FIRST | NULLS LAST]}.
 *
 * @param expression the value to sort by
 * @param descending whether {@code DESC} is written ({@code ASC} and nothing both sort ascending)
 * @param nulls      where {@code NULL} and {@code MISSING} values go when written, or empty for the default
 */
public record OrderTerm(Expression expression, boolean descending, Optional<Nulls> nulls) {
    /**
     * Validate.
     *
     * @throws NullPointerException if a component is null
     */
    public OrderTerm {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(nulls, "nulls");
    }

    /**
     * Whether {@code NULL} and {@code MISSING} values come before the others: as written, else first when ascending
     * and last when descending, as on Couchbase.
     *
     * @return true if they come first
     */
    public boolean nullsFirst() {
        return nulls.map(n -> n == Nulls.FIRST).orElse(!descending);
    }

    /** {@code NULLS FIRST} or {@code NULLS LAST}. */
    public enum Nulls {
        /** {@code NULLS FIRST}. */
        FIRST,
        /** {@code NULLS LAST}. */
        LAST
    }
}
