package dev.evaluator.query;

/**
 * One token of a statement.
 *
 * @param kind   what the token is
 * @param text   the token as written
 * @param start  offset of its first character in the statement
 * @param value  a string's or back-quoted identifier's unescaped text, a number's value (Long, BigInteger or
 *               BigDecimal), a positional parameter's Integer, a named parameter's name; otherwise null
 * @param detail for an {@link Kind#ERROR} token, what is wrong with it; otherwise null
 */
record Token(Kind kind, String text, int start, Object value, String detail) {
    enum Kind {
        /** An unquoted word: a keyword or an identifier. */
        WORD,
        QUOTED_IDENTIFIER,
        STRING,
        INTEGER,
        DECIMAL,
        POSITIONAL_PARAMETER,
        NAMED_PARAMETER,
        LPAREN,
        RPAREN,
        LBRACKET,
        RBRACKET,
        LBRACE,
        RBRACE,
        COMMA,
        COLON,
        DOT,
        SEMICOLON,
        STAR,
        MINUS,
        EQ,
        DOUBLE_EQ,
        NOT_EQ,
        LT_GT,
        LT,
        LE,
        GT,
        GE,
        /** A character no rule accepts; the parser reports it as unexpected. */
        OTHER,
        /** Text the lexer could not read, with the reason in {@link Token#detail()}. */
        ERROR,
        END
    }

    int end() {
        return start + text.length();
    }
}
