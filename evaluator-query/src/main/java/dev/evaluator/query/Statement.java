package dev.evaluator.query;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed SQL++ statement. Every implementation is an immutable record.
 */
public sealed interface Statement
        permits Statement.CreateFunction, Statement.DropFunction, Statement.ExecuteFunction, Statement.Select,
        Statement.Unsupported {

    /**
     * {@code CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS] name(params) [IF NOT EXISTS]
     * LANGUAGE JAVASCRIPT AS "object" AT "library"}.
     * <p>
     * Both {@code orReplace} and {@code ifNotExists} may be set: Couchbase rejects that combination, and the caller
     * does ({@code syntax error - OR REPLACE and IF NOT EXISTS are mutually exclusive} on Couchbase).
     *
     * @param name        the function's name as written
     * @param orReplace   whether {@code OR REPLACE} is written
     * @param ifNotExists whether {@code IF NOT EXISTS} is written (before the name or after the parameters)
     * @param parameters  the parameter names in order, or empty for a variadic function ({@code (...)})
     * @param object      the JavaScript function's name in the library ({@code AS})
     * @param library     the library's name ({@code AT}), possibly with a {@code bucket/scope/} prefix
     */
    record CreateFunction(FunctionName name, boolean orReplace, boolean ifNotExists,
            Optional<List<String>> parameters, String object, String library) implements Statement {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException     if a component or a parameter name is null
         * @throws IllegalArgumentException if a parameter name is repeated
         */
        public CreateFunction {
            Objects.requireNonNull(name, "name");
            parameters = parameters.map(List::copyOf);
            parameters.ifPresent(names -> {
                if (new HashSet<>(names).size() != names.size()) {
                    throw new IllegalArgumentException("parameter names are unique: " + names);
                }
            });
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(library, "library");
        }

        /**
         * Whether the function takes any number of arguments ({@code (...)}).
         *
         * @return true if variadic
         */
        public boolean variadic() {
            return parameters.isEmpty();
        }
    }

    /**
     * {@code DROP FUNCTION [IF EXISTS] name} or {@code DROP FUNCTION name [IF EXISTS]}.
     *
     * @param name     the function's name as written
     * @param ifExists whether {@code IF EXISTS} is written
     */
    record DropFunction(FunctionName name, boolean ifExists) implements Statement {
        /**
         * Validate.
         *
         * @throws NullPointerException if the name is null
         */
        public DropFunction {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * {@code EXECUTE FUNCTION name(args...)}.
     *
     * @param name      the function's name as written
     * @param arguments the argument expressions in order
     */
    record ExecuteFunction(FunctionName name, List<Expression> arguments) implements Statement {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException if the name, the list or an argument is null
         */
        public ExecuteFunction {
            Objects.requireNonNull(name, "name");
            arguments = List.copyOf(arguments);
        }
    }

    /**
     * {@code SELECT * | RAW expr [[AS] alias] | expr [[AS] alias], ... [FROM keyspace [[AS] alias]] [WHERE expr]
     * [ORDER BY term, ...] [LIMIT n] [OFFSET n]}, with {@code LIMIT} and {@code OFFSET} in either order. {@code ELEMENT}
     * and {@code VALUE} are Couchbase's synonyms of {@code RAW}. Rows are filtered, then sorted, then the first
     * {@code offset} skipped, then at most {@code limit} kept.
     *
     * @param raw         whether the result is the one projection's bare value ({@code RAW})
     * @param projections the result expressions; empty for {@code SELECT *}, exactly one when raw
     * @param from        the keyspace, or empty when there is no {@code FROM}
     * @param fromAlias   the keyspace's alias when one is written, or empty
     * @param where       the filter, or empty
     * @param orderBy     the sort terms in order, most significant first; empty without {@code ORDER BY}
     * @param limit       the most rows to return, or empty
     * @param offset      how many rows to skip, or empty
     */
    record Select(boolean raw, List<Projection> projections, Optional<Keyspace> from, Optional<String> fromAlias,
            Optional<Expression> where, List<OrderTerm> orderBy, Optional<Long> limit, Optional<Long> offset)
            implements Statement {
        /**
         * Validate and copy.
         *
         * @throws NullPointerException     if a component, a projection or a sort term is null
         * @throws IllegalArgumentException if raw without exactly one projection, an alias without a keyspace, or
         *                                  a negative limit or offset
         */
        public Select {
            projections = List.copyOf(projections);
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(fromAlias, "fromAlias");
            Objects.requireNonNull(where, "where");
            orderBy = List.copyOf(orderBy);
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(offset, "offset");
            if (raw && projections.size() != 1) {
                throw new IllegalArgumentException("SELECT RAW has exactly one projection");
            }
            if (fromAlias.isPresent() && from.isEmpty()) {
                throw new IllegalArgumentException("a FROM alias needs a keyspace");
            }
            if (limit.filter(n -> n < 0).isPresent()) {
                throw new IllegalArgumentException("LIMIT is not negative: " + limit.get());
            }
            if (offset.filter(n -> n < 0).isPresent()) {
                throw new IllegalArgumentException("OFFSET is not negative: " + offset.get());
            }
        }

        /**
         * Whether this is {@code SELECT *}.
         *
         * @return true when there are no projections
         */
        public boolean star() {
            return projections.isEmpty();
        }
    }

    /**
     * A statement Couchbase runs and this service does not, recognised by its leading keywords; the rest of it is
     * not parsed.
     *
     * @param statementKind the leading keywords in capitals, e.g. {@code INSERT}, {@code CREATE INDEX},
     *                      {@code CREATE PRIMARY INDEX}, {@code UPDATE STATISTICS} or
     *                      {@code CREATE FUNCTION ... LANGUAGE INLINE}
     */
    record Unsupported(String statementKind) implements Statement {
        /**
         * Validate.
         *
         * @throws NullPointerException     if the kind is null
         * @throws IllegalArgumentException if the kind is blank
         */
        public Unsupported {
            if (statementKind.isBlank()) {
                throw new IllegalArgumentException("a statement kind is not blank");
            }
        }
    }
}
