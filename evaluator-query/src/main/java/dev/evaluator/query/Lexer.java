package dev.evaluator.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import dev.evaluator.query.Token.Kind;

/**
 * Splits a statement into tokens. Text it cannot read becomes an {@link Kind#ERROR} token rather than an exception,
 * so the error is reported only if the parser gets that far, as Couchbase's parser does.
 */
final class Lexer {
    private final String source;
    private final List<Token> tokens = new ArrayList<>();
    private int position;

    private Lexer(String source) {
        this.source = source;
    }

    /**
     * The tokens of a statement, ending with one {@link Kind#END} token placed where the last token ends.
     *
     * @param source the statement
     * @return the tokens
     */
    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return List.copyOf(lexer.tokens);
    }

    private void run() {
        while (skipBlanksAndComments()) {
            char c = source.charAt(position);
            if (isWordStart(c)) {
                word();
            } else if (c == '`') {
                quoted('`', Kind.QUOTED_IDENTIFIER, "invalid escaped identifier");
            } else if (c == '"' || c == '\'') {
                quoted(c, Kind.STRING, "invalid quoted string");
            } else if (isDigit(c)) {
                number();
            } else if (c == '$') {
                parameter();
            } else {
                punctuation(c);
            }
        }
        int end = tokens.isEmpty() ? 0 : tokens.getLast().end();
        tokens.add(new Token(Kind.END, "", end, null, null));
    }

    // Returns whether a token follows; an unterminated block comment becomes an error token and ends the input.
    private boolean skipBlanksAndComments() {
        while (position < source.length()) {
            char c = source.charAt(position);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                position++;
            } else if (source.startsWith("--", position)) {
                while (position < source.length() && source.charAt(position) != '\n'
                        && source.charAt(position) != '\r') {
                    position++;
                }
            } else if (source.startsWith("/*", position)) {
                int close = source.indexOf("*/", position + 2);
                if (close < 0) {
                    error(position, source.length(), "unterminated comment");
                    return false;
                }
                position = close + 2;
            } else {
                return true;
            }
        }
        return false;
    }

    private void word() {
        int start = position;
        while (position < source.length() && isWordPart(source.charAt(position))) {
            position++;
        }
        add(Kind.WORD, start, null);
    }

    // Strings and back-quoted identifiers share Couchbase's escapes (JSON's, plus \' and \`); a doubled quote
    // character stands for itself as in SQL.
    private void quoted(char quote, Kind kind, String what) {
        int start = position;
        StringBuilder text = new StringBuilder();
        String problem = null;
        position++;
        while (true) {
            if (position >= source.length()) {
                error(start, source.length(), what + " - missing closing quote");
                return;
            }
            char c = source.charAt(position);
            if (c == quote) {
                if (position + 1 < source.length() && source.charAt(position + 1) == quote) {
                    text.append(quote);
                    position += 2;
                    continue;
                }
                position++;
                break;
            }
            if (c != '\\') {
                text.append(c);
                position++;
                continue;
            }
            if (position + 1 >= source.length()) {
                error(start, source.length(), what + " - missing closing quote");
                return;
            }
            char escaped = source.charAt(position + 1);
            position += 2;
            switch (escaped) {
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case '/', '\\', '"', '\'', '`' -> text.append(escaped);
                case 'u' -> {
                    int unit = hex4(position);
                    if (unit < 0) {
                        problem = problem == null ? "invalid escape sequence" : problem;
                    } else {
                        position += 4;
                        text.appendCodePoint(utf16(unit));
                    }
                }
                default -> problem = problem == null ? "invalid escape sequence" : problem;
            }
        }
        if (problem != null) {
            error(start, position, what + " - " + problem);
        } else if (kind == Kind.QUOTED_IDENTIFIER && text.isEmpty()) {
            error(start, position, what + " - empty identifier");
        } else {
            add(kind, start, text.toString());
        }
    }

    // A surrogate is combined with a following \\u low surrogate; a lone one becomes U+FFFD, as Couchbase does.
    private int utf16(int unit) {
        if (!Character.isSurrogate((char) unit)) {
            return unit;
        }
        if (Character.isHighSurrogate((char) unit) && source.startsWith("\\u", position)) {
            int low = hex4(position + 2);
            if (low >= 0 && Character.isLowSurrogate((char) low)) {
                position += 6;
                return Character.toCodePoint((char) unit, (char) low);
            }
        }
        return 0xFFFD;
    }

    private int hex4(int at) {
        if (at + 4 > source.length()) {
            return -1;
        }
        int value = 0;
        for (int i = at; i < at + 4; i++) {
            char c = source.charAt(i);
            int digit = isDigit(c) ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : -1;
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private void number() {
        int start = position;
        boolean leadingZero = source.charAt(position) == '0';
        skipDigits();
        boolean exact = true;
        if (position + 1 < source.length() && source.charAt(position) == '.' && isDigit(source.charAt(position + 1))) {
            position++;
            skipDigits();
            exact = false;
        }
        if (position < source.length() && (source.charAt(position) == 'e' || source.charAt(position) == 'E')) {
            int mark = position;
            position++;
            if (position < source.length() && (source.charAt(position) == '+' || source.charAt(position) == '-')) {
                position++;
            }
            if (position < source.length() && isDigit(source.charAt(position))) {
                skipDigits();
                exact = false;
            } else {
                position = mark;
            }
        }
        boolean glued = position < source.length() && isWordPart(source.charAt(position));
        while (position < source.length() && isWordPart(source.charAt(position))) {
            position++;
        }
        String text = source.substring(start, position);
        if (glued || (leadingZero && text.length() > 1 && isDigit(text.charAt(1)))) {
            error(start, position, "invalid number");
        } else if (!exact) {
            add(Kind.DECIMAL, start, new BigDecimal(text));
        } else {
            BigInteger value = new BigInteger(text);
            add(Kind.INTEGER, start, value.bitLength() < Long.SIZE ? (Object) value.longValue() : value);
        }
    }

    private void skipDigits() {
        while (position < source.length() && isDigit(source.charAt(position))) {
            position++;
        }
    }

    private void parameter() {
        int start = position;
        position++;
        if (position < source.length() && source.charAt(position) >= '1' && source.charAt(position) <= '9') {
            skipDigits();
            String digits = source.substring(start + 1, position);
            if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
                error(start, position, "invalid positional parameter");
            } else {
                add(Kind.POSITIONAL_PARAMETER, start, Integer.valueOf(digits));
            }
        } else if (position < source.length() && isWordStart(source.charAt(position))) {
            while (position < source.length() && isParameterNamePart(source.charAt(position))) {
                position++;
            }
            add(Kind.NAMED_PARAMETER, start, source.substring(start + 1, position));
        } else {
            add(Kind.OTHER, start, null);
        }
    }

    private void punctuation(char c) {
        int start = position;
        char next = position + 1 < source.length() ? source.charAt(position + 1) : '\0';
        Kind kind = switch (c) {
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case '[' -> Kind.LBRACKET;
            case ']' -> Kind.RBRACKET;
            case '{' -> Kind.LBRACE;
            case '}' -> Kind.RBRACE;
            case ',' -> Kind.COMMA;
            case ':' -> Kind.COLON;
            case '.' -> Kind.DOT;
            case ';' -> Kind.SEMICOLON;
            case '*' -> Kind.STAR;
            case '-' -> Kind.MINUS;
            case '=' -> next == '=' ? Kind.DOUBLE_EQ : Kind.EQ;
            case '!' -> next == '=' ? Kind.NOT_EQ : Kind.OTHER;
            case '<' -> next == '>' ? Kind.LT_GT : next == '=' ? Kind.LE : Kind.LT;
            case '>' -> next == '=' ? Kind.GE : Kind.GT;
            default -> Kind.OTHER;
        };
        position += switch (kind) {
            case DOUBLE_EQ, NOT_EQ, LT_GT, LE, GE -> 2;
            case OTHER -> Character.charCount(source.codePointAt(position));
            default -> 1;
        };
        add(kind, start, null);
    }

    private void add(Kind kind, int start, Object value) {
        tokens.add(new Token(kind, source.substring(start, position), start, value, null));
    }

    private void error(int start, int end, String detail) {
        position = end;
        tokens.add(new Token(Kind.ERROR, source.substring(start, end), start, null, detail));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isWordStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    static boolean isWordPart(char c) {
        return isWordStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isParameterNamePart(char c) {
        return isWordStart(c) || isDigit(c);
    }
}
