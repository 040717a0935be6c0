package dev.evaluator.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a SQL++ user-defined function: its namespace (global, or one bucket's scope) and its name.
 *
 * @param namespace where the function lives
 * @param name      1 to 200 characters, none of them a control character: Couchbase accepts any name inside
 *                  back-quotes ({@code `c%.-_`}); a name that is not a plain identifier is written back-quoted
 */
public record FunctionId(Namespace namespace, String name) {
    private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}]+");
    /** Longest function name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    /**
     * Validate the name.
     *
     * @throws InvalidNameException if the name breaks its rule
     * @throws NullPointerException if the namespace is null
     */
    public FunctionId {
        Objects.requireNonNull(namespace, "namespace");
        if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidNameException("function",
                    "a function name is 1 to 200 characters, none of them a control character");
        }
    }
}
