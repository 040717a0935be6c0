package dev.evaluator.runtime;

import java.util.List;

/**
 * The JavaScript runtime: one shared GraalJS engine that parses and introspects library code and calls its
 * functions in a sandbox. Safe for concurrent use.
 */
public interface JsRuntime extends AutoCloseable {
    /**
     * Create the runtime with its shared engine and {@link RuntimeSettings#defaults() default settings}.
     *
     * @return a new runtime; close it to release the engine
     */
    static JsRuntime create() {
        return create(RuntimeSettings.defaults());
    }

    /**
     * Create the runtime with its shared engine.
     *
     * @param settings how many workers run calls, how many calls may wait, how many libraries stay loaded
     * @return a new runtime; close it to release the engine
     */
    static JsRuntime create(RuntimeSettings settings) {
        return new GraalJsRuntime(settings);
    }

    /**
     * Parse a library's code as a JavaScript script without running any of it.
     *
     * @param libraryName the library's name, used as the source name ({@code <name>.js}) in messages
     * @param code        the whole library's code
     * @throws JsSyntaxException if the code is not a valid script; nothing about it is kept
     * @throws IllegalStateException if the runtime is closed or the calling thread is interrupted
     */
    void checkSyntax(String libraryName, String code);

    /**
     * List a library's top-level functions without running any of its code (it is only parsed).
     * <p>
     * Found: {@code function f(a, b) {}} declarations, also {@code async} and generator ones, and a
     * {@code const}, {@code let} or {@code var} statement declaring a single variable initialized with a function or
     * arrow function expression ({@code const f = (a, b) => a + b}), named after the variable. Not found: classes,
     * methods, nested functions, functions assigned any other way ({@code f = function () {}},
     * {@code const a = 1, f = () => 1}). A function's line is where its statement starts (the {@code const} of
     * {@code const f = ...}).
     * <p>
     * A function's doc is the run of comments right before it with only whitespace between, blank lines included,
     * so a comment separated from the function by a blank line is still its doc; a comment after code on its line
     * belongs to that code and ends the run. A JSDoc comment loses its delimiters and each line's leading
     * {@code *}; {@code //} comments are joined with newlines.
     * <p>
     * JavaScript lets a name be declared more than once: only the declaration that wins at run time is listed,
     * the last one, except that a {@code var f = function ...} assignment beats a {@code function f} declaration
     * even when it comes first, because declarations are hoisted.
     *
     * @param libraryName the library's name, used as the source name ({@code <name>.js}) in messages
     * @param code        the whole library's code
     * @return the functions in source order; empty when there are none
     * @throws JsSyntaxException if the code is not a valid script, with the same message, line and column as
     *                           {@link #checkSyntax(String, String)} reports, or if it is nested too deeply to
     *                           introspect; nothing about it is kept
     * @throws IllegalStateException if the runtime is closed, also while the call runs, or if the calling thread is
     *                               interrupted
     */
    List<JsFunction> functions(String libraryName, String code);

    /**
     * Call a top-level function of a library with JSON arguments, in the sandbox, within limits.
     * <p>
     * The library's top-level code runs once per compiled instance (per execution slot and library version), not
     * per call. Arguments and the result cross as JSON: integers stay integers, {@code NaN} and infinities become
     * {@code null}, a Date becomes its ISO-8601 string, a BigInt beyond 2^53 becomes a string; {@code undefined}
     * is an empty result, {@code undefined} inside an array is {@code null}; a function, a symbol or a cycle in
     * the result is {@code UNSERIALIZABLE_RESULT} (where {@code JSON.stringify} would silently drop it).
     * <p>
     * The function is a top-level binding of the library ({@code function}, {@code var}, {@code let},
     * {@code const}, or a property of {@code globalThis}) whose value is a function other than a built-in one;
     * other functions of the library may call each other. The sandbox has no {@code eval} or {@code Function}
     * constructor (they throw {@code EvalError}), no host access ({@code Java}, {@code Polyglot}), no {@code load},
     * {@code print} or {@code require}, and no I/O, threads, processes or environment. {@code console.log},
     * {@code info}, {@code warn}, {@code error} and {@code debug} are captured into the result (and the exception),
     * within the limits, and written to the server log ({@code System.Logger} {@code dev.evaluator.udf}).
     * <p>
     * The library's top-level code runs under the call's limits too (time, memory, stack): a top level that loops
     * forever fails the call that loads it with {@code TIMEOUT} and frees its worker at the limit. Code that uses
     * dynamic {@code import()} or {@code import.meta} (which could load code from a string, a file or a URL) is
     * refused with {@code LOAD_FAILED} before any of it runs.
     * <p>
     * A call from a platform thread runs on that thread when an execution slot is free and no call waits;
     * otherwise, and always from a virtual thread, it waits in the fair queue (see {@link #submit}). The timeout and
     * the memory budget count from when it starts running. The budget stops what a call <em>holds</em>, not the
     * garbage it made. A call stopped by a limit, or whose library failed to load, leaves no instance behind: the next
     * call loads the library afresh. Recursion is bounded by the workers' 2 MiB stacks
     * ({@link RuntimeSettings#workerStackBytes()}): a runaway recursion fails with {@code STACK_OVERFLOW} within
     * about a second on a worker (an in-process platform caller's own stack may be larger and slower to unwind).
     * <p>
     * Built-ins that the engine runs without interruption are bounded so that a call inside one still ends within its
     * limit plus about a second: a string is at most 8 Mi UTF-16 units long (longer ones throw {@code RangeError:
     * Invalid string length}; a longer result is {@code RESULT_TOO_LARGE}), and {@code sort()}/{@code toSorted()} without a
     * comparator compare through an interruptible comparator of the same (specification) order.
     * <p>
     * This form runs as {@link Caller#EMBEDDED}: all its calls share one namespace and one set of contexts.
     *
     * @param library  the library
     * @param function the top-level function's name
     * @param argsJson the arguments, a JSON array
     * @param limits   what the call may use
     * @return the result and the console output
     * @throws JsExecutionException     when the call throws, exceeds a limit, cannot find the function, or no
     *                                  worker is free ({@code BUSY})
     * @throws JsSyntaxException        when the library's code does not parse
     * @throws IllegalArgumentException when {@code argsJson} is not a JSON array
     * @throws IllegalStateException    when the runtime is closed, also while the call runs, or the calling thread
     *                                  is interrupted while the call waits or runs (the call itself is not stopped)
     * @throws NullPointerException     when an argument is null
     */
    default CallResult call(LibrarySource library, String function, String argsJson, CallLimits limits) {
        return call(library, function, argsJson, limits, Caller.EMBEDDED);
    }

    /**
     * Call a function for a caller and wait for the outcome: as {@link #call(LibrarySource, String, String,
     * CallLimits)}, in the caller's own context of the library, scheduled fairly by the caller's namespace.
     *
     * @param library  the library
     * @param function the top-level function's name
     * @param argsJson the arguments, a JSON array
     * @param limits   what the call may use
     * @param caller   who calls: the namespace it is scheduled and isolated by, the user, the entry point
     * @return the result and the console output
     * @throws JsExecutionException      when the call throws, exceeds a limit, cannot find the function, or the queue
     *                                   is full ({@code BUSY})
     * @throws JsCallCancelledException  when {@link #cancel} stopped it
     * @throws JsSyntaxException         when the library's code does not parse
     * @throws IllegalArgumentException  when {@code argsJson} is not a JSON array
     * @throws IllegalStateException     when the runtime is closed, also while the call runs, or the calling thread
     *                                   is interrupted while the call waits or runs (the call itself is not stopped)
     * @throws NullPointerException      when an argument is null
     */
    CallResult call(LibrarySource library, String function, String argsJson, CallLimits limits, Caller caller);

    /**
     * Queue a call and return at once with its handle, for a caller that must be able to stop it (an HTTP handler
     * whose client may disconnect: {@code handle.cancel(CancelCause.CLIENT_GONE)}) before it waits with
     * {@link CallHandle#await()}.
     * <p>
     * The queue serves namespaces in turn, not in arrival order, and a namespace holding
     * {@link RuntimeSettings#maxNamespaceShare()} of the slots is passed over while another namespace waits; so
     * calls of one namespace that are all runaways slow down only that namespace. While every slot is held by a call
     * running longer than {@link RuntimeSettings#growAfter()}, the pool grows, up to
     * {@link RuntimeSettings#maxWorkers()}.
     *
     * @param library  the library
     * @param function the top-level function's name
     * @param argsJson the arguments, a JSON array
     * @param limits   what the call may use
     * @param caller   who calls
     * @return the call's handle; it is listed by {@link #calls()} until it is over
     * @throws JsExecutionException  {@code BUSY} when the queue is full
     * @throws IllegalStateException when the runtime is closed
     * @throws NullPointerException  when an argument is null
     */
    CallHandle submit(LibrarySource library, String function, String argsJson, CallLimits limits, Caller caller);

    /**
     * The calls running and queued now, running first; for {@code GET /calls} and {@code system:active_requests}
     * (filtering to what the asker may see is the caller's job).
     *
     * @return a snapshot
     */
    List<CallInfo> calls();

    /**
     * Stop a call by id: a queued call is removed and never starts; a running one is stopped within about a second
     * (its context closed) and its slot freed. Its caller gets {@link JsCallCancelledException} with the cause.
     *
     * @param callId the id from {@link #calls()} or {@link CallHandle#id()}
     * @param cause  usually {@link CancelCause#KILLED} (an operator) or {@link CancelCause#CLIENT_GONE}
     * @return true if the call was found running or queued and is being stopped; false if there is no such call
     * @throws NullPointerException if the cause is null
     */
    boolean cancel(long callId, CancelCause cause);

    /**
     * Close every context of a library, in every slot, for every caller: call it when the library is deleted or
     * replaced, so that what its contexts keep is released. Idle slots release at once, slots running a call before
     * their next one; a call running the library now finishes in its context.
     *
     * @param libraryKey the library's key ({@link LibrarySource#key()})
     * @throws NullPointerException if the key is null
     */
    void release(String libraryKey);


    /**
     * A snapshot of the runtime's load and counters. Cheap enough for every metrics scrape, not for every call.
     *
     * @return the statistics; {@code open} is false once the runtime is closed
     */
    RuntimeStats stats();

    /**
     * The engine's implementation name, as GraalJS reports it; {@code "Interpreted"} without the optimizing JIT.
     *
     * @return the name
     */
    String implementationName();

    /**
     * Whether the engine compiles hot code with the optimizing JIT (rather than only interpreting it).
     *
     * @return true when the JIT is active
     */
    boolean jitActive();

    /**
     * Release the engine.
     */
    @Override
    void close();
}
