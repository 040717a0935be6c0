package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

import dev.evaluator.query.Expression.Comparison.Operator;

/**
 * Writes syntax trees back as SQL++ text for round-trip tests, with the fewest parentheses the precedence rules
 * allow, keywords in random letter case and random blanks and comments between tokens.
 */
final class SqlText {
    private static final int OR = 1;
    private static final int AND = 2;
    private static final int NOT = 3;
    private static final int EQUALITY = 4;
    private static final int ORDERING = 5;
    private static final int UNARY = 6;

    private final Random random;

    SqlText(Random random) {
        this.random = random;
    }

    String statement(Statement statement) {
        String text = switch (statement) {
            case Statement.CreateFunction c -> {
                boolean before = c.ifNotExists() && random.nextBoolean();
                yield keyword("CREATE") + gap() + (c.orReplace() ? keyword("OR") + gap() + keyword("REPLACE") + gap()
                        : "") + keyword("FUNCTION") + gap() + (before ? ifNotExists() + gap() : "") + c.name()
                        + "(" + c.parameters().map(p -> p.stream().map(ReservedWords::identifier)
                        .collect(Collectors.joining("," + gap()))).orElse("...") + ")"
                        + (c.ifNotExists() && !before ? gap() + ifNotExists() : "")
                        + gap() + keyword("LANGUAGE") + gap() + keyword("JAVASCRIPT") + gap() + keyword("AS") + gap()
                        + string(c.object()) + gap() + keyword("AT") + gap() + string(c.library());
            }
            case Statement.DropFunction d -> {
                boolean before = d.ifExists() && random.nextBoolean();
                String ifExists = keyword("IF") + gap() + keyword("EXISTS");
                yield keyword("DROP") + gap() + keyword("FUNCTION") + gap() + (before ? ifExists + gap() : "")
                        + d.name() + (d.ifExists() && !before ? gap() + ifExists : "");
            }
            case Statement.ExecuteFunction e -> keyword("EXECUTE") + gap() + keyword("FUNCTION") + gap() + e.name()
                    + "(" + list(e.arguments()) + ")";
            case Statement.Select s -> select(s);
            case Statement.Unsupported u -> u.statementKind();
        };
        return random.nextBoolean() ? text + gap() + ";" : text;
    }

    private String select(Statement.Select s) {
        StringBuilder text = new StringBuilder(keyword("SELECT")).append(gap());
        if (s.star()) {
            text.append('*');
        } else if (s.raw()) {
            text.append(keyword(List.of("RAW", "ELEMENT", "VALUE").get(random.nextInt(3)))).append(gap())
                    .append(projection(s.projections().getFirst()));
        } else {
            text.append(s.projections().stream().map(this::projection).collect(Collectors.joining("," + gap())));
        }
        s.from().ifPresent(from -> text.append(gap()).append(keyword("FROM")).append(gap()).append(from)
                .append(s.fromAlias().map(this::alias).orElse("")));
        s.where().ifPresent(where -> text.append(gap()).append(keyword("WHERE")).append(gap())
                .append(expression(where)));
        if (!s.orderBy().isEmpty()) {
            text.append(gap()).append(keyword("ORDER")).append(gap()).append(keyword("BY")).append(gap())
                    .append(s.orderBy().stream().map(this::orderTerm).collect(Collectors.joining("," + gap())));
        }
        String limit = s.limit().map(n -> gap() + keyword("LIMIT") + gap() + n).orElse("");
        String offset = s.offset().map(n -> gap() + keyword("OFFSET") + gap() + n).orElse("");
        text.append(random.nextBoolean() ? limit + offset : offset + limit);
        return text.toString();
    }

    private String orderTerm(OrderTerm term) {
        String direction = term.descending() ? gap() + keyword("DESC")
                : random.nextBoolean() ? gap() + keyword("ASC") : "";
        return expression(term.expression()) + direction + term.nulls()
                .map(n -> gap() + keyword("NULLS") + gap() + keyword(n.name())).orElse("");
    }

    private String projection(Projection projection) {
        return expression(projection.expression()) + projection.alias().map(this::alias).orElse("");
    }

    private String alias(String alias) {
        return gap() + (random.nextBoolean() ? keyword("AS") + gap() : "") + ReservedWords.identifier(alias);
    }

    private String ifNotExists() {
        return keyword("IF") + gap() + keyword("NOT") + gap() + keyword("EXISTS");
    }

    String expression(Expression expression) {
        return expression(expression, 0);
    }

    private String expression(Expression expression, int context) {
        return switch (expression) {
            case Expression.Or or -> wrap(context > OR,
                    expression(or.left(), OR) + gap() + keyword("OR") + gap() + expression(or.right(), AND));
            case Expression.And and -> wrap(context > AND,
                    expression(and.left(), AND) + gap() + keyword("AND") + gap() + expression(and.right(), NOT));
            case Expression.Not not -> wrap(context > NOT, keyword("NOT") + gap() + expression(not.operand(), NOT));
            case Expression.Comparison c when c.operator() == Operator.EQUAL || c.operator() == Operator.NOT_EQUAL ->
                    wrap(context > EQUALITY, expression(c.left(), ORDERING) + gap() + symbol(c.operator()) + gap()
                            + expression(c.right(), ORDERING));
            case Expression.Comparison c -> wrap(context > ORDERING,
                    expression(c.left(), UNARY) + gap() + symbol(c.operator()) + gap()
                            + expression(c.right(), UNARY));
            case Expression.Negate negate -> wrap(context > UNARY, "-" + gap() + expression(negate.operand(), UNARY));
            case Expression.Literal literal -> literal(literal.value());
            case Expression.Missing ignored -> keyword("MISSING");
            case Expression.ArrayConstructor array -> "[" + list(array.elements()) + "]";
            case Expression.ObjectConstructor object -> object.fields().entrySet().stream()
                    .map(field -> string(field.getKey()) + gap() + ":" + gap() + expression(field.getValue()))
                    .collect(Collectors.joining("," + gap(), "{", "}"));
            case Expression.PositionalParameter p -> "$" + p.position();
            case Expression.NamedParameter p -> "$" + p.name();
            case Expression.FunctionCall call -> call.name() + "(" + list(call.arguments()) + ")";
            case Expression.CallPath path -> expression(path.call()) + path.fields().stream()
                    .map(field -> "." + ReservedWords.identifier(field)).collect(Collectors.joining());
            case Expression.Path path -> path.parts().stream().map(ReservedWords::identifier)
                    .collect(Collectors.joining("."));
        };
    }

    private String list(List<Expression> expressions) {
        return expressions.stream().map(this::expression).collect(Collectors.joining("," + gap()));
    }

    private String symbol(Operator operator) {
        return switch (operator) {
            case EQUAL -> random.nextBoolean() ? "=" : "==";
            case NOT_EQUAL -> random.nextBoolean() ? "!=" : "<>";
            default -> operator.symbol();
        };
    }

    private String literal(Object value) {
        return switch (value) {
            case null -> keyword("NULL");
            case Boolean b -> keyword(b.toString());
            case String s -> string(s);
            case Long n -> n.toString();
            case BigInteger n -> n.toString();
            case BigDecimal n -> n.toString();
            default -> throw new IllegalArgumentException(value.toString());
        };
    }

    // Either quote, escaping the quote character by doubling or with a backslash
    private String string(String value) {
        char quote = random.nextBoolean() ? '"' : '\'';
        boolean doubling = random.nextBoolean();
        StringBuilder text = new StringBuilder().append(quote);
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append(random.nextBoolean() ? "\\t" : "\t");
                default -> {
                    if (c == quote) {
                        text.append(doubling ? "" + quote + quote : "\\" + quote);
                    } else if (c < 0x20) {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.append(quote).toString();
    }

    private String keyword(String keyword) {
        return switch (random.nextInt(3)) {
            case 0 -> keyword.toUpperCase(Locale.ROOT);
            case 1 -> keyword.toLowerCase(Locale.ROOT);
            default -> {
                StringBuilder mixed = new StringBuilder();
                for (char c : keyword.toCharArray()) {
                    mixed.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
                }
                yield mixed.toString();
            }
        };
    }

    private String gap() {
        return switch (random.nextInt(8)) {
            case 0 -> "\n";
            case 1 -> "\t";
            case 2 -> " /* c */ ";
            case 3 -> " -- c\n";
            default -> " ";
        };
    }

    private static String wrap(boolean parenthesize, String text) {
        return parenthesize ? "(" + text + ")" : text;
    }
}
