package dev.evaluator.query;

import java.util.Objects;
import java.util.Optional;

/**
 * A statement is not valid SQL++ as this service reads it. Carries where the parser stopped and what it found there,
 * and formats its message the way Couchbase's query service does:
 * {@code syntax error - line 1, column 17, near 'CREATE FUNCTION f', at: (}.
 * <p>
 * Couchbase reports every syntax error with error code {@value #CODE}.
 */
public final class QuerySyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Couchbase's error code for a syntax error. */
    public static final int CODE = 3000;
    /** What {@link #at()} says when the statement ended too early. */
    public static final String END_OF_INPUT = "end of input";
    /** The most characters of context {@link #near()} shows, as Couchbase does. */
    static final int MAX_NEAR_LENGTH = 20;

    private final int line;
    private final int column;
    private final String near;
    private final String at;
    private final String detail;
    private final boolean reservedWord;

    /**
     * Create an exception.
     *
     * @param line         1-based line of the offending token
     * @param column       1-based column (in characters) of the offending token
     * @param near         up to {@value #MAX_NEAR_LENGTH} characters of the line before the offending token; empty
     *                     when there are none
     * @param at           the offending token as written, or {@link #END_OF_INPUT}
     * @param detail       what is wrong when the parser knows more than "unexpected token", or empty
     * @param reservedWord whether the offending token is a reserved word (the message then says so, as Couchbase's
     *                     does)
     * @throws IllegalArgumentException if line or column is below 1
     * @throws NullPointerException     if near, at or detail is null
     */
    public QuerySyntaxException(int line, int column, String near, String at, Optional<String> detail,
            boolean reservedWord) {
        super(message(line, column, near, at, detail, reservedWord));
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ", " + column);
        }
        this.line = line;
        this.column = column;
        this.near = near;
        this.at = at;
        this.detail = detail.orElse(null);
        this.reservedWord = reservedWord;
    }

    /**
     * An exception for the token starting at an offset of a statement.
     *
     * @param source    the whole statement
     * @param offset    where the offending token starts (for the end of input: where the last token ends)
     * @param tokenText the offending token as written, or null for the end of input
     * @param detail    what is wrong, or null
     * @param reserved  whether the token is a reserved word
     * @return the exception
     */
    static QuerySyntaxException at(String source, int offset, String tokenText, String detail, boolean reserved) {
        int lineStart = source.lastIndexOf('\n', offset - 1) + 1;
        int line = 1;
        for (int i = 0; i < lineStart; i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        int column = source.codePointCount(lineStart, offset) + 1;
        return new QuerySyntaxException(line, column, near(source, lineStart, offset),
                tokenText == null ? END_OF_INPUT : tokenText, Optional.ofNullable(detail), reserved);
    }

    // Couchbase shows the last 20 characters of the line before the error, from the first non-blank one, and
    // marks with "..." that the line started earlier.
    private static String near(String source, int lineStart, int offset) {
        int start = offset;
        for (int n = 0; n < MAX_NEAR_LENGTH && start > lineStart; n++) {
            start = source.offsetByCodePoints(start, -1);
        }
        while (start < offset && isBlank(source.charAt(start))) {
            start++;
        }
        if (start == offset) {
            return "";
        }
        for (int i = lineStart; i < start; i++) {
            if (!isBlank(source.charAt(i))) {
                return "..." + source.substring(start, offset);
            }
        }
        return source.substring(start, offset);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f';
    }

    private static String message(int line, int column, String near, String at, Optional<String> detail,
            boolean reservedWord) {
        Objects.requireNonNull(near, "near");
        Objects.requireNonNull(at, "at");
        StringBuilder message = new StringBuilder("syntax error");
        detail.ifPresent(d -> message.append(": ").append(d));
        message.append(" - line ").append(line).append(", column ").append(column);
        if (!near.isEmpty()) {
            message.append(", near '").append(near).append('\'');
        }
        message.append(", at: ").append(at);
        if (reservedWord) {
            message.append(" (reserved word)");
        }
        return message.toString();
    }

    /**
     * The line of the offending token.
     *
     * @return the 1-based line
     */
    public int line() {
        return line;
    }

    /**
     * The column of the offending token, counted in characters (Unicode code points) from the start of its line.
     *
     * @return the 1-based column
     */
    public int column() {
        return column;
    }

    /**
     * The text of the line just before the offending token, as the message shows it.
     *
     * @return up to {@value #MAX_NEAR_LENGTH} characters (after a leading {@code ...} when the line is longer), or
     *         an empty string when the token starts its line
     */
    public String near() {
        return near;
    }

    /**
     * The offending token as written.
     *
     * @return the token's text, or {@link #END_OF_INPUT}
     */
    public String at() {
        return at;
    }

    /**
     * What is wrong, when the parser knows more than that the token was not expected: an unterminated string, an
     * invalid escape sequence, a duplicate parameter name and the like.
     *
     * @return the detail, or empty
     */
    public Optional<String> detail() {
        return Optional.ofNullable(detail);
    }

    /**
     * Whether the offending token is a reserved word, which a name must back-quote.
     *
     * @return true for a reserved word
     */
    public boolean reservedWord() {
        return reservedWord;
    }

    /**
     * Couchbase's error code for this error.
     *
     * @return {@value #CODE}
     */
    public int code() {
        return CODE;
    }
}
