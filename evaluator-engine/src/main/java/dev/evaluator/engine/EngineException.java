package dev.evaluator.engine;

import dev.evaluator.query.QuerySyntaxException;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The one exception of the domain: a request the engine refuses, of a closed {@link Kind}, with a message for people
 * and, where it helps the caller, the functions concerned and the field at fault. The HTTP adapter alone decides
 * its status and wire shape, from the kind.
 */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused; each kind carries Couchbase's query error code where one exists. */
    public enum Kind {
        /** A library cannot be deleted while SQL++ functions are bound to it. */
        LIBRARY_IN_USE(OptionalInt.empty()),
        /** A replaced library would no longer define functions that SQL++ functions are bound to. */
        BINDING_BROKEN(OptionalInt.empty()),
        /** The library does not exist (Couchbase binds late and has no code for it at CREATE). */
        LIBRARY_NOT_FOUND(OptionalInt.of(10120)),
        /** The bound library does not define the JavaScript function. */
        OBJECT_NOT_FOUND(OptionalInt.of(10121)),
        /** The declared parameters do not match the JavaScript function's. */
        PARAMETER_MISMATCH(OptionalInt.of(10122)),
        /** CREATE FUNCTION without OR REPLACE on an existing name. */
        FUNCTION_EXISTS(OptionalInt.of(10102)),
        /** The SQL++ function, or the library's JavaScript function, does not exist. */
        FUNCTION_NOT_FOUND(OptionalInt.of(10101)),
        /** A non-variadic function called with another number of arguments than it declares. */
        WRONG_ARGUMENT_COUNT(OptionalInt.of(10104)),
        /** A function name breaks Couchbase's rules (namespace, number of parts, characters). */
        INVALID_FUNCTION_NAME(OptionalInt.of(10105)),
        /** The library path of a CREATE FUNCTION ... AT is not one Couchbase accepts. */
        INVALID_LIBRARY_PATH(OptionalInt.of(10114)),
        /** A statement that parses but whose parts do not go together. */
        SYNTAX(OptionalInt.of(QuerySyntaxException.CODE)),
        /** A statement this service does not run. */
        UNSUPPORTED_STATEMENT(OptionalInt.of(4000)),
        /** A keyspace this service does not have. */
        UNSUPPORTED_KEYSPACE(OptionalInt.of(4010)),
        /** A named argument that is not one of the function's parameters (Couchbase's unrecognized parameter). */
        UNKNOWN_PARAMETER(OptionalInt.of(1065)),
        /** A value the statement needs is missing: a positional or named parameter (Couchbase's missing value). */
        MISSING_ARGUMENT(OptionalInt.of(1050)),
        /** A value is malformed: a duration (Couchbase's bad value). */
        INVALID_ARGUMENT(OptionalInt.of(1040)),
        /** No running or queued function call has that id. */
        CALL_NOT_FOUND(OptionalInt.empty()),
        /** A running or queued function call was stopped on request: by an operator, or because its client left. */
        CALL_CANCELLED(OptionalInt.empty()),
        /** The request's own timeout ran out (Couchbase's E_SERVICE_TIMEOUT). */
        QUERY_TIMEOUT(OptionalInt.of(1080)),
        /** The caller is known but not allowed to do this. */
        FORBIDDEN(OptionalInt.of(13014)),
        /** A role is unknown or its {@code [bucket:scope]} is malformed. */
        INVALID_ROLE(OptionalInt.empty()),
        /** A new user name looks like an existing user's (Unicode confusables, UTS #39). */
        CONFUSABLE_NAME(OptionalInt.empty()),
        /** A password is too short or too long. */
        INVALID_PASSWORD(OptionalInt.empty()),
        /** A new user was given no password. */
        PASSWORD_REQUIRED(OptionalInt.empty()),
        /** The user does not exist. */
        USER_NOT_FOUND(OptionalInt.empty()),
        /** The change would leave no administrator. */
        LAST_ADMIN(OptionalInt.empty()),
        /** The library has no version of that number (never made, pruned or purged). */
        VERSION_NOT_FOUND(OptionalInt.empty()),
        /**
         * A condition of the request ({@code If-Match}, {@code If-None-Match: *}) does not hold for the library as
         * it is; the field carries its current ETag, empty when it does not exist.
         */
        PRECONDITION_FAILED(OptionalInt.empty()),
        /**
         * An import document is damaged, truncated, of another format, or holds a library or binding that would be
         * refused; the field says where.
         */
        IMPORT_INVALID(OptionalInt.empty()),
        /** An import in {@code append} mode names libraries or functions that exist; the functions list them. */
        IMPORT_COLLISION(OptionalInt.empty());

        private final OptionalInt queryCode;

        Kind(OptionalInt queryCode) {
            this.queryCode = queryCode;
        }

        /**
         * Couchbase's query error code for this kind.
         *
         * @return the code, or empty where Couchbase has none
         */
        public OptionalInt queryCode() {
            return queryCode;
        }
    }

    private final Kind kind;
    private final transient List<String> functions;
    private final String field;

    /**
     * @param kind    why
     * @param message what happened and what to do, for people
     */
    public EngineException(Kind kind, String message) {
        this(kind, message, List.of(), "");
    }

    /**
     * @param kind      why
     * @param message   what happened and what to do, for people
     * @param functions the qualified names of the SQL++ functions concerned (the guard's conflicts)
     * @param field     the value at fault (a role's text, the existing user name a new one looks like, a
     *                  library's current ETag), or empty
     */
    public EngineException(Kind kind, String message, List<String> functions, String field) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.functions = List.copyOf(functions);
        this.field = Objects.requireNonNull(field, "field");
    }

    /**
     * Why the request was refused.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The SQL++ functions concerned, as SQL++ text that parses back to each function.
     *
     * @return the qualified names; empty when none are concerned
     */
    public List<String> functions() {
        return functions;
    }

    /**
     * The value at fault, for a client that points at it (a role's text, the existing user name a new one looks
     * like).
     *
     * @return the value, or empty
     */
    public String field() {
        return field;
    }
}
