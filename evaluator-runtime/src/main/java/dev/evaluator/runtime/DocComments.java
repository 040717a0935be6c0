package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A top-level function's documentation: the comments right before it, as the admin console shows them. The rule
 * (the same as {@code introspect.js}'s for acorn): the run of comments with only whitespace, blank lines too,
 * between each and the next and the last and the statement, each on a line of its own (a comment with code before
 * it on its line is that code's trailing comment and ends the run). A line comment loses one leading space; a block
 * comment its JSDoc star and each line's leading {@code *}; the run is joined with line breaks and trimmed, and an
 * empty one is none.
 * <p>
 * Only the text between the end of the previous top-level statement and the function is read: it holds nothing
 * but whitespace, semicolons and comments, so no string or regular expression can be taken for a comment there.
 */
final class DocComments {
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n?|[\n\u2028\u2029]");
    private static final Pattern LEADING_STAR = Pattern.compile("^\\s*\\* ?");
    private static final Pattern TRAILING_SPACE = Pattern.compile("\\s+$");

    private DocComments() {
    }

    /** A comment: where it starts and ends in the code, and its text between the delimiters. */
    private record Comment(int start, int end, boolean line, String value) {
    }

    /**
     * The documentation of the statement at {@code start}.
     *
     * @param code      the whole code
     * @param gapStart  where the previous top-level statement ends (or the code starts)
     * @param start     where the statement starts
     * @return the documentation, if any
     */
    static Optional<String> before(String code, int gapStart, int start) {
        List<Comment> comments = comments(code, gapStart, start);
        List<Comment> run = new ArrayList<>();
        int end = start;
        for (int i = comments.size() - 1; i >= 0; i--) {
            Comment comment = comments.get(i);
            if (!blank(code, comment.end(), end) || !blank(code, lineStart(code, comment.start()), comment.start())) {
                break;
            }
            run.addFirst(comment);
            end = comment.start();
        }
        if (run.isEmpty()) {
            return Optional.empty();
        }
        List<String> cleaned = new ArrayList<>(run.size());
        for (Comment comment : run) {
            cleaned.add(clean(comment));
        }
        String text = trim(String.join("\n", cleaned));
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** The comments in {@code [from, to)}, which holds no code but semicolons. */
    private static List<Comment> comments(String code, int from, int to) {
        List<Comment> found = new ArrayList<>();
        int i = from;
        while (i < to - 1) {
            if (code.charAt(i) == '/' && code.charAt(i + 1) == '/') {
                int end = i + 2;
                while (end < to && !isLineBreak(code.charAt(end))) {
                    end++;
                }
                found.add(new Comment(i, end, true, code.substring(i + 2, end)));
                i = end;
            } else if (code.charAt(i) == '/' && code.charAt(i + 1) == '*') {
                int close = code.indexOf("*/", i + 2);
                int end = close < 0 || close + 2 > to ? to : close + 2;
                found.add(new Comment(i, end, false, code.substring(i + 2, Math.max(i + 2, end - 2))));
                i = end;
            } else {
                i++;
            }
        }
        return found;
    }

    private static String clean(Comment comment) {
        if (comment.line()) {
            String value = comment.value().startsWith(" ") ? comment.value().substring(1) : comment.value();
            return TRAILING_SPACE.matcher(value).replaceFirst("");
        }
        String value = comment.value().startsWith("*") ? comment.value().substring(1) : comment.value();
        List<String> lines = new ArrayList<>();
        for (String line : LINE_BREAK.split(value, -1)) {
            lines.add(TRAILING_SPACE.matcher(LEADING_STAR.matcher(line).replaceFirst("")).replaceFirst(""));
        }
        return trim(String.join("\n", lines));
    }

    private static int lineStart(String code, int position) {
        int i = position;
        while (i > 0 && !isLineBreak(code.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static boolean blank(String code, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (!isWhitespace(code.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
    }

    /** JavaScript's white space and line terminators ({@code \s}). */
    private static boolean isWhitespace(char c) {
        return c == '\t' || c == '\u000b' || c == '\f' || c == ' ' || c == '\u00a0' || c == '\ufeff'
                || isLineBreak(c) || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /** JavaScript's {@code String.prototype.trim}. */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isWhitespace(s.charAt(from))) {
            from++;
        }
        while (to > from && isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }
}
