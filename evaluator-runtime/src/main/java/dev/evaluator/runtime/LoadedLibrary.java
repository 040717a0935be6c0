package dev.evaluator.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * One library in its own context in one execution slot: the prelude ran at once, the library's top-level code runs
 * once in {@link #load(int)}, then any number of calls follow.
 */
final class LoadedLibrary {
    private final LibrarySource library;
    private final String contextKey;
    private final Source source;
    private final Context context;
    private final OpenContexts open;
    private final Value budget;
    private final Value isBuiltin;
    private final Value invoke;
    private final Value describe;
    private final Value bindings;
    /** The sum of {@link #retained} over every open context, kept up to date by this one. */
    private final LongAdder retainedTotal;
    private Object meterHandle;
    /** Bytes the context kept when last measured. */
    private long retained;
    /** Bytes its calls allocated since it was last measured. */
    private long unmeasured;
    private boolean closed;
    /** Functions already looked up, by name; a name that is not a function is not kept. */
    private final Map<String, Value> functions = new HashMap<>();

    private LoadedLibrary(LibrarySource library, Caller caller, Source source, Context context, OpenContexts open,
                          Value entry, LongAdder retainedTotal) {
        this.library = library;
        this.retainedTotal = retainedTotal;
        this.contextKey = LibraryContexts.contextKey(library, caller);
        this.source = source;
        this.context = context;
        this.open = open;
        this.budget = entry.getMember("budget");
        this.isBuiltin = entry.getMember("isBuiltin");
        this.invoke = entry.getMember("invoke");
        this.describe = entry.getMember("describe");
        this.bindings = context.getBindings("js");
    }

    /**
     * Open a sandboxed context for a library and run the prelude in it; the library's code does not run yet.
     *
     * @param engine  the shared engine
     * @param prelude the prelude, an internal source
     * @param open    where the context is tracked until it is closed
     * @param console the console of the calling thread's contexts
     * @param library the library
     * @param caller  whose context this is
     * @param source  the library's code as a source, cached by the engine
     * @param retainedTotal the sum of what all contexts keep, which this one's measurements update
     * @return the library, not loaded
     * @throws IllegalStateException if the runtime is closed, also while this runs
     */
    static LoadedLibrary open(Engine engine, Source prelude, OpenContexts open, ConsoleCapture console,
                              LibrarySource library, Caller caller, Source source, LongAdder retainedTotal) {
        Context context = GraalJsRuntime.sandbox(engine);
        open.add(context);
        try {
            Value entry = context.eval(prelude).execute(console);
            return new LoadedLibrary(library, caller, source, context, open, entry, retainedTotal);
        } catch (PolyglotException e) {
            open.close(context);
            if (e.isCancelled()) {
                // Only closing the runtime cancels a context before the library runs.
                throw new IllegalStateException("the runtime is closed", e);
            }
            throw e;
        } catch (RuntimeException e) {
            open.close(context);
            throw e;
        }
    }

    /**
     * Whether this is the library's current version: the same code (the same string, usually) and name.
     *
     * @param other the library as it is now
     * @return true if this can run its calls
     */
    boolean runs(LibrarySource other) {
        String code = library.code();
        return (code == other.code() || code.equals(other.code())) && library.name().equals(other.name());
    }

    /**
     * Parse the library (the engine caches the parse by source) and run its top-level code.
     *
     * @param lines console lines it may log
     * @throws JsSyntaxException                       if the code does not parse
     * @throws org.graalvm.polyglot.PolyglotException if the code throws or is stopped
     */
    void load(int lines) {
        Value program;
        try {
            program = context.parse(source);
        } catch (PolyglotException e) {
            throw GraalJsRuntime.syntaxError(e);
        }
        budget.execute(lines);
        program.execute();
    }

    /**
     * The library's top-level function of that name: a global binding (a declaration, {@code var}, {@code let} or
     * {@code const}, or a global property) whose value is a function and not a built-in one.
     *
     * @param name the name
     * @return the function, looked up once per instance
     */
    Optional<Value> function(String name) {
        Value function = functions.get(name);
        if (function == null) {
            Value found = bindings.getMember(name);
            if (found == null || !found.canExecute() || isBuiltin.execute(name, found).asBoolean()) {
                return Optional.empty();
            }
            function = found;
            functions.put(name, function);
        }
        return Optional.of(function);
    }

    /**
     * Call a function through the prelude's {@code invoke}.
     *
     * @return a JSON string, null (undefined), or {@code {failure, message}}
     */
    Value invoke(Value function, String argsJson, int lines, int maxChars) {
        return invoke.execute(function, argsJson, lines, maxChars);
    }

    /**
     * A thrown value as JSON, computed in the context (it may run the library's getters).
     *
     * @return the JSON text
     */
    String describe(Value thrown) {
        return describe.execute(thrown).asString();
    }

    LibrarySource library() {
        return library;
    }

    /** The key of this context in its slot: the library's and the caller's. */
    String contextKey() {
        return contextKey;
    }

    Source source() {
        return source;
    }

    Context context() {
        return context;
    }

    /** Close the context, also if it is running or already closed; what it kept no longer counts. */
    void close() {
        open.close(context);
        if (!closed) {
            closed = true;
            retainedTotal.add(-retained);
            retained = 0;
        }
    }

    /** The handle the heap meter measures this context by, or null without a meter. */
    Object meterHandle() {
        return meterHandle;
    }

    /** Take the heap meter's handle; on the thread that uses the context, outside any call. */
    void meterBy(HeapMeter meter) {
        meterHandle = meter.handle(context);
    }

    /**
     * Count what a call allocated: it may have grown what the context keeps by at most that much.
     *
     * @param bytes the call's allocation
     */
    void allocated(long bytes) {
        unmeasured += bytes;
    }

    /**
     * Record a measurement of what the context keeps.
     *
     * @param bytes the bytes measured
     */
    void measured(long bytes) {
        if (!closed) {
            retainedTotal.add(bytes - retained);
            retained = bytes;
        }
        unmeasured = 0;
    }

    /** What the context keeps, as an upper bound: the last measurement plus what was allocated since. */
    long retainedBound() {
        return retained + unmeasured;
    }
}
