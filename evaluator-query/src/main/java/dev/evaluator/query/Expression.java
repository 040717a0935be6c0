package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parsed SQL++ expression. Every implementation is an immutable record.
 */
public sealed interface Expression
        permits Expression.Literal, Expression.Missing, Expression.ArrayConstructor, Expression.ObjectConstructor,
        Expression.PositionalParameter, Expression.NamedParameter, Expression.FunctionCall, Expression.CallPath, Expression.Path,
        Expression.Comparison, Expression.And, Expression.Or, Expression.Not, Expression.Negate {

    /**
     * A JSON value written literally: {@code NULL}, {@code TRUE}, {@code FALSE}, a string or a number. A minus sign
     * before a number is part of its literal.
     * <p>
     * Numbers keep the exactness of what is written: an integer is a {@link Long} when it fits and a
     * {@link BigInteger} otherwise; a number with a fraction or an exponent is a {@link BigDecimal}.
     *
     * @param value null, a {@link Boolean}, {@link String}, {@link Long}, {@link BigInteger} or {@link BigDecimal}; a
     *              BigInteger that fits a long is stored as a Long
     */
    record Literal(Object value) implements Expression {
        /** {@code NULL}. */
        public static final Literal NULL = new Literal(null);
        /** {@code TRUE}. */
        public static final Literal TRUE = new Literal(Boolean.TRUE);
        /** {@code FALSE}. */
        public static final Literal FALSE = new Literal(Boolean.FALSE);

        /**
         * Validate and normalise.
         *
         * @throws IllegalArgumentException if the value is of another type
         */
        public Literal {
            if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
                value = big.longValue();
            }
            if (!(value == null || value instanceof Boolean || value instanceof String || value instanceof Long
                    || value instanceof BigInteger || value instanceof BigDecimal)) {
                throw new IllegalArgumentException("not a literal value: " + value.getClass().getName());
            }
        }
    }

    /**
     * {@code MISSING}: the absence of a value.
     */
    record Missing() implements Expression {
    }

    /**
     * {@code [e1, e2, ...]}.
     *
     * @param elements the element expressions in order
     */
    record ArrayConstructor(List<Expression> elements) implements Expression {
        /**
         * Copy.
         *
         * @throws NullPointerException if the list or an element is null
         */
        public ArrayConstructor {
            elements = List.copyOf(elements);
        }
    }

    /**
     * <code>{"name": e1, ...}</code>, with string-literal names.
     *
     * @param fields the fields in written order; unmodifiable, iterating in that order
     */
    record ObjectConstructor(Map<String, Expression> fields) implements Expression {
        /**
         * Copy, keeping the order.
         *
         * @throws NullPointerException if the map, a name or a value is null
         */
        public ObjectConstructor {
            LinkedHashMap<String, Expression> copy = new LinkedHashMap<>();
            fields.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "name"),
                    Objects.requireNonNull(value, "value")));
            fields = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * {@code $1}, {@code $2}, ...: a positional parameter.
     *
     * @param position the 1-based position
     */
    record PositionalParameter(int position) implements Expression {
        /**
         * Validate.
         *
         * @throws IllegalArgumentException if the position is below 1
         */
        public PositionalParameter {
            if (position < 1) {
                throw new IllegalArgumentException("positions are 1-based: " + position);
            }
        }
    }

    /**
     * {@code $name}: a named parameter.
     *
     * @param name the name without the {@code $}
     */
    record NamedParameter(String name) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException     if the name is null
         * @throws IllegalArgumentException if the name is empty
         */
        public NamedParameter {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a parameter name is not empty");
            }
        }
    }

    /**
     * {@code name(args...)}: a call of a built-in or user-defined function.
     *
     * @param name      the function's name as written
     * @param arguments the argument expressions in order
     */
    record FunctionCall(FunctionName name, List<Expression> arguments) implements Expression {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException if the name, the list or an argument is null
         */
        public FunctionCall {
            Objects.requireNonNull(name, "name");
            arguments = List.copyOf(arguments);
        }
    }

    /**
     * Fields of a function call's result, e.g. {@code meta().id} or {@code meta(f).id}.
     *
     * @param call   the call
     * @param fields the field names after it, in order, at least one
     */
    record CallPath(FunctionCall call, List<String> fields) implements Expression {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException     if the call, the list or a field name is null
         * @throws IllegalArgumentException if there are no fields
         */
        public CallPath {
            Objects.requireNonNull(call, "call");
            fields = List.copyOf(fields);
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("a call path has at least one field");
            }
        }
    }

    /**
     * An identifier or a dotted path of identifiers, e.g. {@code identity.name} or {@code `t`.`x`}.
     *
     * @param parts the identifiers in order, at least one
     */
    record Path(List<String> parts) implements Expression {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException     if the list or a part is null
         * @throws IllegalArgumentException if there are no parts
         */
        public Path {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a path has at least one part");
            }
        }

        /**
         * A path of the given parts.
         *
         * @param parts the identifiers
         * @return the path
         * @throws NullPointerException     if a part is null
         * @throws IllegalArgumentException if there are no parts
         */
        public static Path of(String... parts) {
            return new Path(List.of(parts));
        }
    }

    /**
     * {@code left op right}.
     *
     * @param operator  the comparison
     * @param left      the left operand
     * @param right     the right operand
     */
    record Comparison(Operator operator, Expression left, Expression right) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException if a component is null
         */
        public Comparison {
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }

        /**
         * A comparison operator. {@code ==} is read as {@code =}, and {@code <>} as {@code !=}.
         */
        public enum Operator {
            /** {@code =} or {@code ==}. */
            EQUAL("="),
            /** {@code !=} or {@code <>}. */
            NOT_EQUAL("!="),
            /** {@code <}. */
            LESS("<"),
            /** {@code <=}. */
            LESS_OR_EQUAL("<="),
            /** {@code >}. */
            GREATER(">"),
            /** {@code >=}. */
            GREATER_OR_EQUAL(">=");

            private final String symbol;

            Operator(String symbol) {
                this.symbol = symbol;
            }

            /**
             * The operator as written in SQL++.
             *
             * @return e.g. {@code <=}
             */
            public String symbol() {
                return symbol;
            }
        }
    }

    /**
     * {@code left AND right}.
     *
     * @param left  the left operand
     * @param right the right operand
     */
    record And(Expression left, Expression right) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException if an operand is null
         */
        public And {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    /**
     * {@code left OR right}.
     *
     * @param left  the left operand
     * @param right the right operand
     */
    record Or(Expression left, Expression right) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException if an operand is null
         */
        public Or {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    /**
     * {@code NOT operand}.
     *
     * @param operand the operand
     */
    record Not(Expression operand) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException if the operand is null
         */
        public Not {
            Objects.requireNonNull(operand, "operand");
        }
    }

    /**
     * {@code -operand} for an operand that is not a number literal (a minus before a number literal is folded into
     * the {@link Literal}).
     *
     * @param operand the operand
     */
    record Negate(Expression operand) implements Expression {
        /**
         * Validate.
         *
         * @throws NullPointerException if the operand is null
         */
        public Negate {
            Objects.requireNonNull(operand, "operand");
        }
    }
}
