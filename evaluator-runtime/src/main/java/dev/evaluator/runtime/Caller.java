package dev.evaluator.runtime;

import java.util.Objects;

/**
 * Who a call runs for and where it came from.
 * <p>
 * The namespace is the unit of fair scheduling (the queue serves namespaces in turn, and one namespace holds at most
 * {@link RuntimeSettings#maxNamespaceShare()} of the execution slots while others wait) and, with the user, of state
 * isolation: a library's top-level state lives in one context per namespace and user, so a call never sees what a
 * call of another user or namespace left in top-level variables. The runtime treats both as opaque keys.
 *
 * @param namespace  the caller's namespace key, e.g. {@code travel-sample/inventory} or {@code *} for global
 * @param user       the calling user's name
 * @param entryPoint a short label of how the call arrived, shown in {@link JsRuntime#calls()}, e.g.
 *                   {@code invoke} or {@code query}
 */
public record Caller(String namespace, String user, String entryPoint) {
    /** The caller of {@link JsRuntime#call(LibrarySource, String, String, CallLimits)}: one shared identity. */
    public static final Caller EMBEDDED = new Caller("embedded", "embedded", "embedded");

    /**
     * Check the fields.
     *
     * @throws NullPointerException     if a field is null
     * @throws IllegalArgumentException if the namespace or the user is empty
     */
    public Caller {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(entryPoint, "entryPoint");
        if (namespace.isEmpty() || user.isEmpty()) {
            throw new IllegalArgumentException("a caller's namespace and user must not be empty");
        }
    }
}
