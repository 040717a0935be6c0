package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import dev.evaluator.query.Expression.Comparison.Operator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property-style: random syntax trees, written back as text by {@link SqlText} (fewest parentheses, random keyword
 * case, blanks and comments), parse to equal trees. Seeds are fixed, so a failure reproduces.
 */
class RoundTripTest {
    private static final int CASES = 2000;
    private static final List<String> NAMES = List.of("a", "f", "identity", "name", "x_1", "a$b", "user", "type",
            "default", "order", "select", "bucket", "true", "missing", "travel-sample", "a b", "c`d", "e\\f",
            "\u00fcn\u00efc\u00f6de", "\uD83D\uDE00", "$x", "1st", "`", "from\nto");
    private static final List<String> STRINGS = List.of("", "abc", "it's", "say \"hi\"", "back\\slash",
            "line\nbreak\ttab\r", "\u0001", "\u00e9\u2603\uD83D\uDE00", "-- not a comment", "/* nor this */", "`");

    private final Random random = new Random(20260821L);
    private final SqlText text = new SqlText(random);

    @Test
    void parse_writtenExpression_returnsEqualTree() {
        for (int i = 0; i < CASES; i++) {
            Expression expected = expression(4);
            String select = "SELECT RAW " + text.expression(expected);
            Statement.Select parsed = (Statement.Select) SqlParser.parse(select);
            assertEquals(expected, parsed.projections().getFirst().expression(), select);
        }
    }

    @Test
    void parse_writtenStatement_returnsEqualStatement() {
        for (int i = 0; i < CASES; i++) {
            Statement expected = statement();
            String written = text.statement(expected);
            assertEquals(expected, SqlParser.parse(written), written);
        }
    }

    @Test
    void toString_functionName_parsesBackToEqualName() {
        for (int i = 0; i < CASES; i++) {
            FunctionName expected = functionName();
            assertEquals(new Statement.DropFunction(expected, false), SqlParser.parse("DROP FUNCTION " + expected),
                    expected.toString());
        }
    }

    private Statement statement() {
        return switch (random.nextInt(4)) {
            case 0 -> new Statement.CreateFunction(functionName(), random.nextBoolean(), random.nextBoolean(),
                    random.nextInt(4) == 0 ? Optional.empty() : Optional.of(distinctNames(random.nextInt(4))),
                    pick(STRINGS), pick(STRINGS));
            case 1 -> new Statement.DropFunction(functionName(), random.nextBoolean());
            case 2 -> new Statement.ExecuteFunction(functionName(), expressions(random.nextInt(4), 2));
            default -> select();
        };
    }

    private Statement.Select select() {
        boolean raw = random.nextInt(3) == 0;
        int count = raw ? 1 : random.nextInt(4);
        List<Projection> projections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            projections.add(new Projection(expression(2), maybe(() -> pick(NAMES))));
        }
        Optional<Keyspace> from = maybe(() -> new Keyspace(maybe(this::namespace), names(1 + random.nextInt(3))));
        List<OrderTerm> orderBy = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            orderBy.add(new OrderTerm(expression(2), random.nextBoolean(),
                    maybe(() -> pick(List.of(OrderTerm.Nulls.values())))));
        }
        return new Statement.Select(raw, projections, from, from.isPresent() ? maybe(() -> pick(NAMES))
                : Optional.empty(), maybe(() -> expression(3)), orderBy, maybe(() -> random.nextLong(Long.MAX_VALUE)),
                maybe(() -> random.nextLong(Long.MAX_VALUE)));
    }

    private FunctionName functionName() {
        return new FunctionName(maybe(this::namespace), names(1 + random.nextInt(4)));
    }

    private String namespace() {
        return random.nextBoolean() ? "default" : "system";
    }

    private Expression expression(int depth) {
        int kinds = depth == 0 ? 5 : 15;
        return switch (random.nextInt(kinds)) {
            case 0 -> literal();
            case 1 -> new Expression.Missing();
            case 2 -> new Expression.PositionalParameter(1 + random.nextInt(1000));
            case 3 -> new Expression.NamedParameter(random.nextBoolean() ? "p" : "_My_param2");
            case 4 -> new Expression.Path(names(1 + random.nextInt(3)));
            case 5 -> new Expression.ArrayConstructor(expressions(random.nextInt(4), depth - 1));
            case 6 -> {
                Map<String, Expression> fields = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    fields.put(pick(STRINGS), expression(depth - 1));
                }
                yield new Expression.ObjectConstructor(fields);
            }
            case 7 -> new Expression.FunctionCall(functionName(), expressions(random.nextInt(4), depth - 1));
            case 8 -> new Expression.Comparison(pick(List.of(Operator.values())), expression(depth - 1),
                    expression(depth - 1));
            case 9 -> new Expression.And(expression(depth - 1), expression(depth - 1));
            case 10 -> new Expression.Or(expression(depth - 1), expression(depth - 1));
            case 11 -> new Expression.Not(expression(depth - 1));
            case 13 -> new Expression.CallPath(new Expression.FunctionCall(functionName(),
                    expressions(random.nextInt(3), depth - 1)), names(1 + random.nextInt(2)));
            case 12 -> {
                Expression operand = expression(depth - 1);
                // a minus before a number literal is part of the literal
                yield operand instanceof Expression.Literal l && l.value() instanceof Number
                        ? operand : new Expression.Negate(operand);
            }
            default -> literal();
        };
    }

    private List<Expression> expressions(int count, int depth) {
        List<Expression> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(expression(Math.max(depth, 0)));
        }
        return list;
    }

    private Expression.Literal literal() {
        return new Expression.Literal(switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> pick(STRINGS);
            case 3 -> random.nextLong();
            case 4 -> (long) random.nextInt(100) - 50;
            case 5 -> pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L));
            case 6 -> new BigInteger(80, random).add(BigInteger.valueOf(Long.MAX_VALUE))
                    .multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
            // scale 0 would be written as an integer; every other scale keeps a fraction or an exponent
            case 7 -> new BigDecimal(BigInteger.valueOf(random.nextLong() % 1_000_000), 1 + random.nextInt(6));
            default -> new BigDecimal(BigInteger.valueOf(random.nextInt(1000) - 500), -1 - random.nextInt(4));
        });
    }

    private List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(pick(NAMES));
        }
        return names;
    }

    private List<String> distinctNames(int count) {
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < count) {
            names.add(pick(NAMES));
        }
        return List.copyOf(names);
    }

    private <T> Optional<T> maybe(java.util.function.Supplier<T> value) {
        return random.nextBoolean() ? Optional.of(value.get()) : Optional.empty();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
