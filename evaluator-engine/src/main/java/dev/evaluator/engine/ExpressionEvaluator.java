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
 * constructors, parameters, field paths, comparisons and boolean logic. {@code MISSING} is an empty Optional.
 * Function calls are left to the caller, which knows how to run them.
 */
final class ExpressionEvaluator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Runs a SQL++ function call; an empty result is MISSING. */
    @FunctionalInterface
    interface Invoker {
        Optional<JsonNode> call(dev.evaluator.query.FunctionName name, List<JsonNode> arguments);
    }

    /** What an expression is evaluated against. */
    record Scope(Optional<String> alias, JsonNode document, List<JsonNode> positional, Map<String, JsonNode> named,
                 Invoker invoker) {
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
        JsonNode node = scope.document();
        for (String field : fields) {
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            node = node.get(field);
        }
        return Optional.ofNullable(node);
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
