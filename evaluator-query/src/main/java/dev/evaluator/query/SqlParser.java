package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.evaluator.query.Expression.Comparison.Operator;
import dev.evaluator.query.Token.Kind;

/**
 * Parses the SQL++ statements this service runs: {@code CREATE FUNCTION ... LANGUAGE JAVASCRIPT},
 * {@code DROP FUNCTION}, {@code EXECUTE FUNCTION} and a simple {@code SELECT} (with {@code WHERE},
 * {@code ORDER BY}, {@code LIMIT} and {@code OFFSET}). Other statements Couchbase runs are
 * recognised by their leading keywords and returned as {@link Statement.Unsupported}.
 * <p>
 * Keywords are case-insensitive; Couchbase's reserved words are names only when back-quoted. A statement may end
 * with one {@code ;}. Comments are {@code -- to the end of the line} and <code>/* ... *&#47;</code>.
 */
public final class SqlParser {
    // Statements this service does not run whose kind takes an object word: CREATE INDEX, DROP SCOPE, ...
    private static final Map<String, Set<String>> OBJECT_STATEMENTS = Map.of(
            "CREATE", Set.of("INDEX", "PRIMARY", "VECTOR", "SCOPE", "COLLECTION", "EXTERNAL", "SEQUENCE", "USER",
                    "GROUP", "BUCKET", "DATABASE", "CATALOG", "CREDENTIALSTORE"),
            "DROP", Set.of("INDEX", "PRIMARY", "VECTOR", "SCOPE", "COLLECTION", "SEQUENCE", "USER", "GROUP",
                    "BUCKET", "DATABASE", "CATALOG", "CREDENTIALSTORE"),
            "ALTER", Set.of("INDEX", "VECTOR", "COLLECTION", "SEQUENCE", "USER", "GROUP", "BUCKET", "DATABASE",
                    "CATALOG", "CREDENTIALSTORE"),
            "BUILD", Set.of("INDEX"));
    // Object words that need a second one: CREATE PRIMARY INDEX, CREATE EXTERNAL COLLECTION
    private static final Map<String, String> COMPOUND_OBJECTS = Map.of(
            "PRIMARY", "INDEX", "VECTOR", "INDEX", "EXTERNAL", "COLLECTION");
    // Statements this service does not run that one keyword names, some with an optional second one
    private static final Set<String> KEYWORD_STATEMENTS = Set.of("INSERT", "UPSERT", "UPDATE", "DELETE", "MERGE",
            "EXPLAIN", "PREPARE", "EXECUTE", "INFER", "GRANT", "REVOKE", "BEGIN", "START", "COMMIT", "ROLLBACK",
            "SAVEPOINT", "SET", "ADVISE", "WITH", "ANALYZE");
    private static final Map<String, String> SECOND_KEYWORDS = Map.of("UPDATE", "STATISTICS", "EXPLAIN", "FUNCTION");
    // Nesting is counted once per NOT and once per unary level (a parenthesis, array, object or call adds one of
    // each), so a hostile statement gets a syntax error rather than exhausting the thread's stack.
    private static final int MAX_NESTING = 1000;

    private final String source;
    private final List<Token> tokens;
    private int index;
    private int nesting;

    private SqlParser(String source) {
        this.source = source;
        this.tokens = Lexer.tokenize(source);
    }

    /**
     * Parse one statement.
     *
     * @param statement the statement's text
     * @return the statement
     * @throws QuerySyntaxException if the text is empty, is not one statement, or a statement this service runs is
     *                              not well formed
     * @throws NullPointerException if the text is null
     */
    public static Statement parse(String statement) {
        Objects.requireNonNull(statement, "statement");
        return new SqlParser(statement).statement();
    }

    private Statement statement() {
        Token first = peek();
        String keyword = first.kind() == Kind.WORD ? first.text().toUpperCase(Locale.ROOT) : "";
        Statement statement = switch (keyword) {
            case "SELECT" -> select();
            case "CREATE" -> isWord(peek(1), "FUNCTION") || isWord(peek(1), "OR")
                    ? createFunction() : unsupported(keyword);
            case "DROP" -> isWord(peek(1), "FUNCTION") ? dropFunction() : unsupported(keyword);
            case "EXECUTE" -> isWord(peek(1), "FUNCTION") ? executeFunction() : unsupported(keyword);
            default -> unsupported(keyword);
        };
        if (statement instanceof Statement.Unsupported) {
            return statement;
        }
        accept(Kind.SEMICOLON);
        expect(Kind.END);
        return statement;
    }

    private Statement.Unsupported unsupported(String keyword) {
        Set<String> objects = OBJECT_STATEMENTS.get(keyword);
        if (objects != null) {
            advance();
            Token object = peek();
            String word = object.text().toUpperCase(Locale.ROOT);
            if (object.kind() != Kind.WORD || !objects.contains(word)) {
                throw error(object);
            }
            advance();
            String second = COMPOUND_OBJECTS.get(word);
            if (second != null) {
                expectWord(second);
                return new Statement.Unsupported(keyword + " " + word + " " + second);
            }
            return new Statement.Unsupported(keyword + " " + word);
        }
        if (KEYWORD_STATEMENTS.contains(keyword)) {
            advance();
            String second = SECOND_KEYWORDS.get(keyword);
            if (second != null && isWord(peek(), second)) {
                return new Statement.Unsupported(keyword + " " + second);
            }
            return new Statement.Unsupported(keyword);
        }
        throw error(peek());
    }

    private Statement createFunction() {
        expectWord("CREATE");
        boolean orReplace = false;
        if (acceptWord("OR")) {
            expectWord("REPLACE");
            orReplace = true;
        }
        expectWord("FUNCTION");
        boolean ifNotExists = acceptIfNotExists();
        FunctionName name = functionName();
        expect(Kind.LPAREN);
        Optional<List<String>> parameters = parameters();
        expect(Kind.RPAREN);
        Token second = peek();
        if (acceptIfNotExists()) {
            if (ifNotExists) {
                throw error(second, "specify IF NOT EXISTS only once");
            }
            ifNotExists = true;
        }
        if (peek().kind() == Kind.LBRACE) {
            return new Statement.Unsupported("CREATE FUNCTION ... LANGUAGE INLINE");
        }
        expectWord("LANGUAGE");
        Token language = peek();
        if (isWord(language, "INLINE") || isWord(language, "GOLANG")) {
            return new Statement.Unsupported("CREATE FUNCTION ... LANGUAGE " + language.text().toUpperCase(Locale.ROOT));
        }
        expectWord("JAVASCRIPT");
        expectWord("AS");
        String object = string();
        expectWord("AT");
        String library = string();
        return new Statement.CreateFunction(name, orReplace, ifNotExists, parameters, object, library);
    }

    private boolean acceptIfNotExists() {
        if (!acceptWord("IF")) {
            return false;
        }
        expectWord("NOT");
        expectWord("EXISTS");
        return true;
    }

    // Empty for a variadic function: (...)
    private Optional<List<String>> parameters() {
        if (peek().kind() == Kind.RPAREN) {
            return Optional.of(List.of());
        }
        if (accept(Kind.DOT)) {
            expect(Kind.DOT);
            expect(Kind.DOT);
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        do {
            Token token = peek();
            String name = identifier();
            if (names.contains(name)) {
                throw error(token, "duplicate parameter name '" + name + "'");
            }
            names.add(name);
        } while (accept(Kind.COMMA));
        return Optional.of(names);
    }

    private Statement dropFunction() {
        expectWord("DROP");
        expectWord("FUNCTION");
        boolean ifExists = acceptIfExists();
        FunctionName name = functionName();
        if (!ifExists) {
            ifExists = acceptIfExists();
        }
        return new Statement.DropFunction(name, ifExists);
    }

    private boolean acceptIfExists() {
        if (!acceptWord("IF")) {
            return false;
        }
        expectWord("EXISTS");
        return true;
    }

    private Statement executeFunction() {
        expectWord("EXECUTE");
        expectWord("FUNCTION");
        FunctionName name = functionName();
        expect(Kind.LPAREN);
        return new Statement.ExecuteFunction(name, expressions(Kind.RPAREN));
    }

    private Statement select() {
        expectWord("SELECT");
        boolean raw = false;
        List<Projection> projections = new ArrayList<>();
        if (!accept(Kind.STAR)) {
            if (acceptWord("RAW") || acceptWord("ELEMENT") || acceptWord("VALUE")) {
                raw = true;
                projections.add(projection());
            } else {
                do {
                    projections.add(projection());
                } while (accept(Kind.COMMA));
            }
        }
        Optional<Keyspace> from = Optional.empty();
        Optional<String> fromAlias = Optional.empty();
        if (acceptWord("FROM")) {
            Optional<String> namespace = namespace();
            from = Optional.of(new Keyspace(namespace, dottedNames()));
            fromAlias = alias();
        }
        Optional<Expression> where = acceptWord("WHERE") ? Optional.of(expression()) : Optional.empty();
        List<OrderTerm> orderBy = new ArrayList<>();
        if (acceptWord("ORDER")) {
            expectWord("BY");
            do {
                orderBy.add(orderTerm());
            } while (accept(Kind.COMMA));
        }
        // LIMIT and OFFSET in either order, as on Couchbase
        Optional<Long> limit = Optional.empty();
        Optional<Long> offset = Optional.empty();
        if (acceptWord("LIMIT")) {
            limit = Optional.of(count("LIMIT"));
            offset = acceptWord("OFFSET") ? Optional.of(count("OFFSET")) : Optional.empty();
        } else if (acceptWord("OFFSET")) {
            offset = Optional.of(count("OFFSET"));
            limit = acceptWord("LIMIT") ? Optional.of(count("LIMIT")) : Optional.empty();
        }
        return new Statement.Select(raw, projections, from, fromAlias, where, orderBy, limit, offset);
    }

    private OrderTerm orderTerm() {
        Expression expression = expression();
        boolean descending = false;
        if (acceptWord("DESC")) {
            descending = true;
        } else {
            acceptWord("ASC");
        }
        Optional<OrderTerm.Nulls> nulls = Optional.empty();
        if (acceptWord("NULLS")) {
            if (acceptWord("FIRST")) {
                nulls = Optional.of(OrderTerm.Nulls.FIRST);
            } else {
                expectWord("LAST");
                nulls = Optional.of(OrderTerm.Nulls.LAST);
            }
        }
        return new OrderTerm(expression, descending, nulls);
    }

    private Projection projection() {
        Expression expression = expression();
        return new Projection(expression, alias());
    }

    private Optional<String> alias() {
        if (!acceptWord("AS") && !isAlias(peek())) {
            return Optional.empty();
        }
        Token token = peek();
        if (!isAlias(token)) {
            throw error(token);
        }
        advance();
        return Optional.of(name(token));
    }

    // The number after LIMIT or OFFSET: a non-negative integer that fits a long
    private long count(String clause) {
        Token token = peek();
        if (token.kind() != Kind.INTEGER) {
            throw error(token);
        }
        if (!(token.value() instanceof Long count)) {
            throw error(token, clause + " value out of range");
        }
        advance();
        return count;
    }

    private FunctionName functionName() {
        Optional<String> namespace = namespace();
        return new FunctionName(namespace, dottedNames());
    }

    // A name before a colon; SYSTEM is reserved but is Couchbase's namespace of catalog keyspaces
    private Optional<String> namespace() {
        Token token = peek();
        if (peek(1).kind() != Kind.COLON || !(isIdentifier(token) || isWord(token, "SYSTEM"))) {
            return Optional.empty();
        }
        advance();
        advance();
        return Optional.of(name(token));
    }

    private List<String> dottedNames() {
        List<String> names = new ArrayList<>();
        names.add(identifier());
        while (accept(Kind.DOT)) {
            names.add(identifier());
        }
        return names;
    }

    private Expression expression() {
        Expression left = and();
        while (acceptWord("OR")) {
            left = new Expression.Or(left, and());
        }
        return left;
    }

    private Expression and() {
        Expression left = not();
        while (acceptWord("AND")) {
            left = new Expression.And(left, not());
        }
        return left;
    }

    private Expression not() {
        enter();
        try {
            if (acceptWord("NOT")) {
                return new Expression.Not(not());
            }
            return equality();
        } finally {
            nesting--;
        }
    }

    // Equality binds less tightly than ordering, and neither chains without parentheses, as on Couchbase
    private Expression equality() {
        Expression left = ordering();
        Operator operator = switch (peek().kind()) {
            case EQ, DOUBLE_EQ -> Operator.EQUAL;
            case NOT_EQ, LT_GT -> Operator.NOT_EQUAL;
            default -> null;
        };
        if (operator == null) {
            return left;
        }
        advance();
        return new Expression.Comparison(operator, left, ordering());
    }

    private Expression ordering() {
        Expression left = unary();
        Operator operator = switch (peek().kind()) {
            case LT -> Operator.LESS;
            case LE -> Operator.LESS_OR_EQUAL;
            case GT -> Operator.GREATER;
            case GE -> Operator.GREATER_OR_EQUAL;
            default -> null;
        };
        if (operator == null) {
            return left;
        }
        advance();
        return new Expression.Comparison(operator, left, unary());
    }

    private Expression unary() {
        enter();
        try {
            if (accept(Kind.MINUS)) {
                return negate(unary());
            }
            return primary();
        } finally {
            nesting--;
        }
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw error(peek(), "expression nested too deeply");
        }
    }

    private static Expression negate(Expression operand) {
        if (operand instanceof Expression.Literal literal) {
            switch (literal.value()) {
                case Long n when n == Long.MIN_VALUE -> {
                    return new Expression.Literal(BigInteger.valueOf(n).negate());
                }
                case Long n -> {
                    return new Expression.Literal(-n);
                }
                case BigInteger n -> {
                    return new Expression.Literal(n.negate());
                }
                case BigDecimal n -> {
                    return new Expression.Literal(n.negate());
                }
                case null, default -> {
                }
            }
        }
        return new Expression.Negate(operand);
    }

    private Expression primary() {
        Token token = peek();
        switch (token.kind()) {
            case STRING, INTEGER, DECIMAL -> {
                advance();
                return new Expression.Literal(token.value());
            }
            case POSITIONAL_PARAMETER -> {
                advance();
                return new Expression.PositionalParameter((Integer) token.value());
            }
            case NAMED_PARAMETER -> {
                advance();
                return new Expression.NamedParameter((String) token.value());
            }
            case LPAREN -> {
                advance();
                Expression inner = expression();
                expect(Kind.RPAREN);
                return inner;
            }
            case LBRACKET -> {
                advance();
                return new Expression.ArrayConstructor(expressions(Kind.RBRACKET));
            }
            case LBRACE -> {
                advance();
                return object();
            }
            case WORD, QUOTED_IDENTIFIER -> {
                return nameOrCall(token);
            }
            default -> throw error(token);
        }
    }

    private Expression nameOrCall(Token token) {
        if (token.kind() == Kind.WORD) {
            String word = token.text().toUpperCase(Locale.ROOT);
            Expression constant = switch (word) {
                case "TRUE" -> Expression.Literal.TRUE;
                case "FALSE" -> Expression.Literal.FALSE;
                case "NULL" -> Expression.Literal.NULL;
                case "MISSING" -> new Expression.Missing();
                default -> null;
            };
            if (constant != null) {
                advance();
                return constant;
            }
            // REPLACE is reserved for CREATE OR REPLACE, yet Couchbase accepts it as the string function's name
            if (word.equals("REPLACE") && peek(1).kind() == Kind.LPAREN) {
                advance();
                advance();
                return callPath(new Expression.FunctionCall(FunctionName.of(token.text()),
                        expressions(Kind.RPAREN)));
            }
        }
        Optional<String> namespace = namespace();
        List<String> names = dottedNames();
        if (accept(Kind.LPAREN)) {
            return callPath(new Expression.FunctionCall(new FunctionName(namespace, names),
                    expressions(Kind.RPAREN)));
        }
        if (namespace.isPresent()) {
            throw error(peek());
        }
        return new Expression.Path(names);
    }

    // Fields after a call, as in meta().id
    private Expression callPath(Expression.FunctionCall call) {
        if (peek().kind() != Kind.DOT) {
            return call;
        }
        List<String> fields = new ArrayList<>();
        while (accept(Kind.DOT)) {
            fields.add(identifier());
        }
        return new Expression.CallPath(call, fields);
    }

    // Object members: "name": expr; a repeated name keeps its first place and takes the last value, as in JSON.parse
    private Expression object() {
        Map<String, Expression> fields = new LinkedHashMap<>();
        if (!accept(Kind.RBRACE)) {
            do {
                String name = string();
                expect(Kind.COLON);
                fields.put(name, expression());
            } while (accept(Kind.COMMA));
            expect(Kind.RBRACE);
        }
        return new Expression.ObjectConstructor(fields);
    }

    // Comma-separated expressions up to the closing token, which is consumed; the opening one already was
    private List<Expression> expressions(Kind closing) {
        List<Expression> list = new ArrayList<>();
        if (accept(closing)) {
            return list;
        }
        do {
            list.add(expression());
        } while (accept(Kind.COMMA));
        expect(closing);
        return list;
    }

    private String string() {
        return (String) expect(Kind.STRING).value();
    }

    private String identifier() {
        Token token = peek();
        if (!isIdentifier(token)) {
            throw error(token);
        }
        advance();
        return name(token);
    }

    // ORDER is reserved, but Couchbase accepts it as a name everywhere except as an unquoted alias
    private static boolean isIdentifier(Token token) {
        return isAlias(token) || isWord(token, "ORDER");
    }

    private static boolean isAlias(Token token) {
        return token.kind() == Kind.QUOTED_IDENTIFIER
                || (token.kind() == Kind.WORD && !ReservedWords.contains(token.text()));
    }

    private static String name(Token token) {
        return token.kind() == Kind.QUOTED_IDENTIFIER ? (String) token.value() : token.text();
    }

    private static boolean isWord(Token token, String keyword) {
        return token.kind() == Kind.WORD && token.text().equalsIgnoreCase(keyword);
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private void advance() {
        if (index < tokens.size() - 1) {
            index++;
        }
    }

    private boolean accept(Kind kind) {
        if (peek().kind() != kind) {
            return false;
        }
        advance();
        return true;
    }

    private Token expect(Kind kind) {
        Token token = peek();
        if (token.kind() != kind) {
            throw error(token);
        }
        advance();
        return token;
    }

    private boolean acceptWord(String keyword) {
        if (!isWord(peek(), keyword)) {
            return false;
        }
        advance();
        return true;
    }

    private void expectWord(String keyword) {
        if (!acceptWord(keyword)) {
            throw error(peek());
        }
    }

    private QuerySyntaxException error(Token token) {
        return error(token, token.detail());
    }

    private QuerySyntaxException error(Token token, String detail) {
        return QuerySyntaxException.at(source, token.start(), token.kind() == Kind.END ? null : token.text(), detail,
                token.kind() == Kind.WORD && ReservedWords.contains(token.text()));
    }
}
