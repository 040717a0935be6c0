package dev.evaluator.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A call that did not return a result: the JavaScript threw, a limit stopped it, or it could not start.
 */
public final class JsExecutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind {
        /** The JavaScript code threw; {@link #thrown()} and the location say what and where. */
        THROWN,
        /** The library has no top-level function of that name. */
        FUNCTION_NOT_FOUND,
        /** The library's top-level code threw while the library was being loaded. */
        LOAD_FAILED,
        /** The call ran past its timeout and was stopped. */
        TIMEOUT,
        /** The call allocated more than its budget and was stopped. */
        MEMORY_LIMIT,
        /** The call recursed too deeply. */
        STACK_OVERFLOW,
        /** The result is larger than the limit. */
        RESULT_TOO_LARGE,
        /** The result cannot be JSON (a cycle, a function, a symbol). */
        UNSERIALIZABLE_RESULT,
        /** Every worker is busy and the queue is full; retry later. */
        BUSY
    }

    private final Kind kind;
    // Transient: Optional and the log lines are not serializable, and these exceptions never leave the process.
    private final transient Optional<String> thrown;
    private final transient Optional<String> sourceLine;
    private final transient Optional<String> location;
    private final transient Optional<String> stack;
    private final transient List<CallResult.LogLine> logs;

    /**
     * Create an exception.
     *
     * @param kind       why the call failed
     * @param message    what happened, for people; never library code beyond {@code sourceLine}
     * @param thrown     for {@code THROWN} and {@code LOAD_FAILED}: the thrown value as JSON (an Error becomes the
     *                   string {@code "name: message"}, e.g. {@code "TypeError: x is not a function"})
     * @param sourceLine the line of library code where it failed, when known
     * @param location   {@code <library>.js:<line>}, when known
     * @param stack      the JavaScript stack, when known
     * @param logs       what the call wrote to the console before it failed
     */
    public JsExecutionException(Kind kind, String message, Optional<String> thrown, Optional<String> sourceLine,
                                Optional<String> location, Optional<String> stack, List<CallResult.LogLine> logs) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
        this.thrown = Objects.requireNonNull(thrown);
        this.sourceLine = Objects.requireNonNull(sourceLine);
        this.location = Objects.requireNonNull(location);
        this.stack = Objects.requireNonNull(stack);
        this.logs = List.copyOf(logs);
    }

    /**
     * A failure without JavaScript details.
     *
     * @param kind    why
     * @param message what happened
     */
    public JsExecutionException(Kind kind, String message) {
        this(kind, message, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * The same failure without the library's source line, for callers who may run the library but not read it:
     * they keep the kind, message, thrown value, location and stack.
     *
     * @return a copy without {@link #sourceLine()}
     */
    public JsExecutionException withoutSourceLine() {
        return new JsExecutionException(kind, getMessage(), thrown, Optional.empty(), location, stack, logs);
    }

    /**
     * Why the call failed.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The thrown value as JSON text.
     *
     * @return the value, for {@code THROWN} and {@code LOAD_FAILED}
     */
    public Optional<String> thrown() {
        return thrown;
    }

    /**
     * The library line where the failure happened.
     *
     * @return the line's text
     */
    public Optional<String> sourceLine() {
        return sourceLine;
    }

    /**
     * Where the failure happened.
     *
     * @return {@code <library>.js:<line>}
     */
    public Optional<String> location() {
        return location;
    }

    /**
     * The JavaScript stack.
     *
     * @return the stack text
     */
    public Optional<String> stack() {
        return stack;
    }

    /**
     * What the call wrote to the console before it failed.
     *
     * @return the lines
     */
    public List<CallResult.LogLine> logs() {
        return logs;
    }
}
