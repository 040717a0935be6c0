package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.graalvm.polyglot.Context;

/**
 * Every context open on any thread (library contexts, introspection contexts), so that closing the runtime closes
 * them all, whichever thread opened them and also while they run.
 */
final class OpenContexts {
    /** Guarded by {@code this}. */
    private final Set<Context> open = new LinkedHashSet<>();
    /** Guarded by {@code this}. */
    private boolean closed;

    /**
     * Track a context just opened.
     *
     * @param context the context
     * @throws IllegalStateException if the runtime is closed; the context is closed too
     */
    void add(Context context) {
        synchronized (this) {
            if (!closed) {
                open.add(context);
                return;
            }
        }
        context.close(true);
        throw new IllegalStateException("the runtime is closed");
    }

    /**
     * Close a context and stop tracking it.
     *
     * @param context the context, possibly already closed
     */
    void close(Context context) {
        synchronized (this) {
            open.remove(context);
        }
        context.close(true);
    }

    /** Contexts open now. */
    synchronized int size() {
        return open.size();
    }

    /** Close every context, newest first, and refuse new ones. */
    void closeAll() {
        List<Context> contexts;
        synchronized (this) {
            closed = true;
            contexts = new ArrayList<>(open);
            open.clear();
        }
        for (Context context : contexts.reversed()) {
            context.close(true);
        }
    }
}
