package dev.evaluator.store;

/**
 * Thrown when a library, bucket, scope or user name breaks its naming rule.
 * <p>
 * Names are validated where their value types are constructed, so an invalid name never gets past the edge.
 */
public final class InvalidNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String rule;

    /**
     * Create an exception for a name of the given kind that breaks the given rule.
     *
     * @param kind what the name names: {@code library}, {@code bucket}, {@code scope} or {@code user}
     * @param rule the rule it breaks, in words a user can act on
     */
    public InvalidNameException(String kind, String rule) {
        this(kind, rule, "Invalid " + kind + " name: " + rule);
    }

    /**
     * Create an exception whose message is given whole (a text clients compare, such as Couchbase's).
     *
     * @param kind    what the name names
     * @param rule    the rule it breaks, in words a user can act on
     * @param message the message
     */
    public InvalidNameException(String kind, String rule, String message) {
        super(message);
        this.kind = kind;
        this.rule = rule;
    }

    /**
     * What the invalid name names.
     *
     * @return {@code library}, {@code bucket}, {@code scope} or {@code user}
     */
    public String kind() {
        return kind;
    }

    /**
     * The naming rule that was broken.
     *
     * @return the rule, in words
     */
    public String rule() {
        return rule;
    }
}
