package dev.evaluator.engine;

import dev.evaluator.runtime.CallInfo;
import dev.evaluator.runtime.CancelCause;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Namespace;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The function calls running and waiting now, as callers may see and stop them (Couchbase's
 * {@code system:active_requests}, Redis's {@code FUNCTION KILL}): an administrator or read-only administrator sees
 * every call; any other user sees their own calls and the calls of the namespaces whose libraries they may read.
 * Stopping a call needs {@code admin} or the manage role of its namespace.
 */
public final class RunningCalls {
    private final JsRuntime runtime;

    /**
     * @param runtime the runtime whose calls these are
     */
    public RunningCalls(JsRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * A call as a caller sees it.
     *
     * @param id         the call's id, for stopping it
     * @param library    the library's name
     * @param function   the JavaScript function's name
     * @param namespace  the library's namespace
     * @param user       who called
     * @param entryPoint {@code invoke} or {@code query}
     * @param state      {@code running} or {@code queued}
     * @param started    when it started running, or was queued
     * @param elapsed    how long since
     */
    public record View(long id, String library, String function, Namespace namespace, String user,
                       String entryPoint, String state, Instant started, Duration elapsed) {
    }

    /**
     * The calls a caller may see, running first.
     *
     * @return the calls
     */
    public List<View> visibleTo(Caller caller) {
        return runtime.calls().stream()
                .map(RunningCalls::view)
                .filter(call -> call.user().equals(caller.name())
                        || caller.may(new Permission.ReadLibrary(call.namespace())))
                .toList();
    }

    /**
     * Stop a call: a queued call never starts, a running one is stopped within about a second and its caller gets
     * {@code CALL_CANCELLED}.
     *
     * @throws EngineException {@code CALL_NOT_FOUND} when no call the caller may see has that id (also one that
     *                         just ended), {@code FORBIDDEN} when the caller may see it but not stop it
     */
    public void stop(Caller caller, long id) {
        View call = visibleTo(caller).stream().filter(c -> c.id() == id).findFirst()
                .orElseThrow(() -> notFound(id));
        NamespaceAccess.require(caller, new Permission.ManageFunction(call.namespace()));
        if (!runtime.cancel(id, CancelCause.KILLED)) {
            throw notFound(id);
        }
    }

    private static EngineException notFound(long id) {
        return new EngineException(EngineException.Kind.CALL_NOT_FOUND,
                "No running or queued call " + id + " (it may just have ended)");
    }

    private static View view(CallInfo call) {
        String key = call.library();
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        return new View(call.id(), name, call.function(), NamespaceAccess.namespaceOf(call.namespace()), call.user(),
                call.entryPoint(), call.state().name().toLowerCase(java.util.Locale.ROOT), call.started(),
                call.elapsed());
    }
}
