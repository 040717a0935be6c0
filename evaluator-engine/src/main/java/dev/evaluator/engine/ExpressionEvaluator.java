package dev.evaluator.engine;

import dev.evaluator.query.Expression;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Evaluates SQL++ expressions over JSON documents, as far as this service needs: literals, array and object
 * constructors, parameters, field paths, comparisons, boolean logic and the built-in {@code meta()}.
 * {@code MISSING} is an empty Optional. Other function calls are left to the caller, which knows how to run them.
 * {@link #collate} is Couchbase's order of JSON values, for {@code ORDER BY}.
 */
final class ExpressionEvaluator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Runs a SQL++ function call; an empty result is MISSING. */
    @FunctionalInterface
    interface Invoker {
        Optional<JsonNode> call(dev.evaluator.query.FunctionName name, List<JsonNode> arguments);
    }

    /**
     * What an expression is evaluated against.
     *
     * @param alias    the keyspace's alias, empty without {@code FROM}
     * @param document the document
     * @param meta     what {@code meta()} returns for the document (its {@code id}), empty without {@code FROM}
     */
    record Scope(Optional<String> alias, JsonNode document, Optional<JsonNode> meta, List<JsonNode> positional,
                 Map<String, JsonNode> named, Invoker invoker) {
    }

    private ExpressionEvaluator() {
    }

    static Optional<JsonNode> evaluate(Expression expression, Scope scope) {
        return switch (expression) {
            case Expression.Literal l -> Optional.of(literal(l.value()));
            case Expression.Missing m -> Optional.empty();
            case Expression.ArrayConstructor a -> {
                ArrayNode array = JSON.arrayNode();
                a.elements().forEach(e -> array.add(evaluate(e, scope).orElse(JSON.nullNode())));
                yield Optional.of(array);
            }
            case Expression.ObjectConstructor o -> {
                ObjectNode object = JSON.objectNode();
                o.fields().forEach((name, e) -> evaluate(e, scope).ifPresent(v -> object.set(name, v)));
                yield Optional.of(object);
            }
            case Expression.PositionalParameter p -> {
                if (p.position() < 1 || p.position() > scope.positional().size()) {
                    throw new EngineException(EngineException.Kind.MISSING_ARGUMENT, "No value for positional parameter $"
                            + p.position() + ": args has " + scope.positional().size() + " value(s)");
                }
                yield Optional.of(scope.positional().get(p.position() - 1));
            }
            case Expression.NamedParameter n -> Optional.ofNullable(scope.named().get(n.name()))
                    .or(() -> {
                        throw new EngineException(EngineException.Kind.MISSING_ARGUMENT, "No value for named parameter $"
                                + n.name() + ": send it as $" + n.name() + " in the request");
                    });
            case Expression.Path p -> path(p.parts(), scope);
            case Expression.Comparison c -> compare(c, scope);
            case Expression.And a -> logic(truth(a.left(), scope), () -> truth(a.right(), scope), true);
            case Expression.Or o -> logic(truth(o.left(), scope), () -> truth(o.right(), scope), false);
            case Expression.Not n -> truth(n.operand(), scope).map(b -> JSON.booleanNode(!b.asBoolean()));
            case Expression.Negate n -> evaluate(n.operand(), scope).map(v -> {
                if (!v.isNumber()) {
                    return JSON.nullNode();
                }
                return v.isIntegralNumber() ? (JsonNode) JSON.numberNode(v.bigIntegerValue().negate())
                        : JSON.numberNode(v.decimalValue().negate());
            });
            case Expression.FunctionCall f when isMeta(f) -> meta(f, scope);
            case Expression.CallPath c -> fields(evaluate(c.call(), scope), c.fields());
            case Expression.FunctionCall f -> {
                List<JsonNode> arguments = new ArrayList<>();
                f.arguments().forEach(a -> arguments.add(evaluate(a, scope).orElse(JSON.nullNode())));
                yield scope.invoker().call(f.name(), arguments);
            }
        };
    }

    /** Whether a WHERE clause keeps the document: only a TRUE result does. */
    static boolean keeps(Expression condition, Scope scope) {
        return evaluate(condition, scope).filter(JsonNode::isBoolean).map(JsonNode::asBoolean).orElse(false);
    }

    private static Optional<JsonNode> path(List<String> parts, Scope scope) {
        List<String> fields = scope.alias().filter(a -> a.equals(parts.getFirst())).isPresent()
                ? parts.subList(1, parts.size()) : parts;
        return fields(Optional.of(scope.document()), fields);
    }

    /** The value at a path of fields into a value; MISSING where a step is not an object or has no such field. */
    static Optional<JsonNode> fields(Optional<JsonNode> value, List<String> fields) {
        JsonNode node = value.orElse(null);
        for (String field : fields) {
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            node = node.get(field);
        }
        return Optional.ofNullable(node);
    }

    // The built-in meta() is any unqualified call of that name; Couchbase's built-ins come before SQL++ functions.
    private static boolean isMeta(Expression.FunctionCall call) {
        return call.name().namespace().isEmpty() && call.name().parts().size() == 1
                && call.name().name().equalsIgnoreCase("meta");
    }

    /** {@code meta()} or {@code meta(alias)}: the document's metadata; MISSING for anything but the keyspace. */
    private static Optional<JsonNode> meta(Expression.FunctionCall call, Scope scope) {
        return switch (call.arguments().size()) {
            case 0 -> scope.meta();
            case 1 -> call.arguments().getFirst() instanceof Expression.Path p && p.parts().size() == 1
                    && scope.alias().filter(a -> a.equals(p.parts().getFirst())).isPresent()
                    ? scope.meta() : Optional.empty();
            default -> throw new EngineException(EngineException.Kind.SYNTAX, "syntax error - Number of arguments"
                    + " to function meta must be between 0 and 1, got " + call.arguments().size());
        };
    }

    /**
     * Couchbase's order of JSON values: MISSING, NULL, false, true, numbers (by value), strings (by code point, as
     * UTF-8 bytes order), arrays (element by element, then the shorter first), objects (the one with fewer fields
     * first, then by their sorted field names, then by the values in that order).
     *
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
     */
    static int collate(Optional<JsonNode> a, Optional<JsonNode> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isPresent(), b.isPresent());
        }
        return collate(a.get(), b.get());
    }

    private static int collate(JsonNode a, JsonNode b) {
        int rank = Integer.compare(rank(a), rank(b));
        if (rank != 0) {
            return rank;
        }
        if (a.isBoolean()) {
            return Boolean.compare(a.asBoolean(), b.asBoolean());
        }
        if (a.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual()) {
            return compareCodePoints(a.asText(), b.asText());
        }
        if (a.isArray()) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int element = collate(a.get(i), b.get(i));
                if (element != 0) {
                    return element;
                }
            }
            return Integer.compare(a.size(), b.size());
        }
        if (a.isObject()) {
            int size = Integer.compare(a.size(), b.size());
            if (size != 0) {
                return size;
            }
            List<String> aNames = new ArrayList<>();
            List<String> bNames = new ArrayList<>();
            a.fieldNames().forEachRemaining(aNames::add);
            b.fieldNames().forEachRemaining(bNames::add);
            aNames.sort(ExpressionEvaluator::compareCodePoints);
            bNames.sort(ExpressionEvaluator::compareCodePoints);
            for (int i = 0; i < aNames.size(); i++) {
                int name = compareCodePoints(aNames.get(i), bNames.get(i));
                if (name != 0) {
                    return name;
                }
            }
            for (String name : aNames) {
                int field = collate(a.get(name), b.get(name));
                if (field != 0) {
                    return field;
                }
            }
        }
        return 0;
    }

    private static int rank(JsonNode value) {
        if (value.isNull()) {
            return 0;
        }
        if (value.isBoolean()) {
            return 1;
        }
        if (value.isNumber()) {
            return 2;
        }
        if (value.isTextual()) {
            return 3;
        }
        return value.isArray() ? 4 : 5;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static Optional<JsonNode> compare(Expression.Comparison c, Scope scope) {
        Optional<JsonNode> left = evaluate(c.left(), scope);
        Optional<JsonNode> right = evaluate(c.right(), scope);
        if (left.isEmpty() || right.isEmpty()) {
            return Optional.empty();
        }
        JsonNode a = left.get();
        JsonNode b = right.get();
        if (a.isNull() || b.isNull()) {
            return Optional.of(JSON.nullNode());
        }
        int order;
        if (a.isNumber() && b.isNumber()) {
            order = a.decimalValue().compareTo(b.decimalValue());
        } else if (a.isTextual() && b.isTextual()) {
            order = a.asText().compareTo(b.asText());
        } else if (a.isBoolean() && b.isBoolean()) {
            order = Boolean.compare(a.asBoolean(), b.asBoolean());
        } else {
            boolean equal = a.equals(b);
            return switch (c.operator()) {
                case EQUAL -> Optional.of(JSON.booleanNode(equal));
                case NOT_EQUAL -> Optional.of(JSON.booleanNode(!equal));
                case LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL -> Optional.of(JSON.nullNode());
            };
        }
        boolean result = switch (c.operator()) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case LESS -> order < 0;
            case LESS_OR_EQUAL -> order <= 0;
            case GREATER -> order > 0;
            case GREATER_OR_EQUAL -> order >= 0;
        };
        return Optional.of(JSON.booleanNode(result));
    }

    private static Optional<JsonNode> truth(Expression expression, Scope scope) {
        return evaluate(expression, scope).map(v -> v.isBoolean() ? v : JSON.nullNode());
    }

    /** Three-valued AND ({@code and = true}) or OR: a decisive operand wins over NULL and MISSING. */
    private static Optional<JsonNode> logic(Optional<JsonNode> left, Supplier<Optional<JsonNode>> right,
                                            boolean and) {
        if (left.filter(JsonNode::isBoolean).map(v -> v.asBoolean() != and).orElse(false)) {
            return left;
        }
        Optional<JsonNode> r = right.get();
        if (r.filter(JsonNode::isBoolean).map(v -> v.asBoolean() != and).orElse(false)) {
            return r;
        }
        if (left.filter(JsonNode::isBoolean).isPresent() && r.filter(JsonNode::isBoolean).isPresent()) {
            return Optional.of(JSON.booleanNode(and));
        }
        return left.isEmpty() || r.isEmpty() ? Optional.empty() : Optional.of(JSON.nullNode());
    }

    private static JsonNode literal(Object value) {
        return switch (value) {
            case null -> JSON.nullNode();
            case Boolean b -> JSON.booleanNode(b);
            case String s -> JSON.textNode(s);
            case Long l -> JSON.numberNode(l);
            case BigInteger i -> JSON.numberNode(i);
            case BigDecimal d -> JSON.numberNode(d);
            default -> throw new IllegalStateException("Unexpected literal " + value.getClass());
        };
    }
}
