package dev.evaluator.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

import dev.evaluator.runtime.JsExecutionException.Kind;

/**
 * Runs calls on the calling thread, in the library contexts of the execution slot it holds, under the watchdog.
 * <p>
 * A context is single-threaded: it may move from thread to thread between calls, but only the thread holding its
 * slot ({@link LibraryContexts}) uses it. The threads must be platform threads: GraalJS does not support virtual
 * threads (oracle/graal#7520).
 */
final class CallRunner implements AutoCloseable {
    private static final String JS = "js";
    private static final String PRELUDE = "dev/evaluator/runtime/prelude.js";
    private static final String STACK_OVERFLOW = "RangeError: Maximum call stack size exceeded";
    private static final int MAX_FRAMES = 50;
    /** A minified library is one long line: show at most this much of it around the failure. */
    private static final int MAX_SOURCE_LINE_CHARS = 240;

    private final Engine engine;
    private final Source prelude;
    private final OpenContexts open = new OpenContexts();
    private final Watchdog watchdog;
    private final Optional<HeapMeter> meter;
    private final RuntimeSettings settings;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder memoryLimitStops = new LongAdder();
    private final LongAdder stackOverflows = new LongAdder();
    private final LongAdder retained = new LongAdder();
    private final Map<CancelCause, LongAdder> cancellations = new EnumMap<>(CancelCause.class);
    private final CodeCheck codeCheck;

    /** Decides whether a library's code may run at all (for example: no dynamic {@code import()}). */
    interface CodeCheck {
        /**
         * Why the library must not run, if it must not.
         *
         * @param library the library about to be loaded
         * @return the reason, for the error message
         */
        Optional<String> refusal(LibrarySource library);
    }

    /**
     * Read the prelude; no context is opened yet.
     *
     * @param engine     the shared engine
     * @param settings   the bounds on what contexts keep
     * @param codeCheck  what a library's code must pass before it is loaded
     * @param onPressure what to do when the heap is nearly full, besides stopping the biggest running call
     */
    CallRunner(Engine engine, RuntimeSettings settings, CodeCheck codeCheck, Runnable onPressure) {
        this.engine = engine;
        this.settings = settings;
        this.meter = HeapMeter.of(engine);
        if (meter.isEmpty()) {
            System.getLogger(CallRunner.class.getName()).log(System.Logger.Level.WARNING, "The heap meter instrument"
                    + " is missing: call budgets count allocations and what contexts keep is not bounded");
        }
        this.watchdog = new Watchdog(meter, onPressure);
        this.codeCheck = codeCheck;
        for (CancelCause cause : CancelCause.values()) {
            cancellations.put(cause, new LongAdder());
        }
        this.prelude = Source.newBuilder(JS, readText(PRELUDE), "evaluator-prelude.js").internal(true).buildLiteral();
    }

    /**
     * Run a call on this thread, in a slot's contexts. See {@link JsRuntime#call}.
     *
     * @param here the slot this thread holds for the whole call: no other thread uses it meanwhile
     * @param call the call, RUNNING in that slot
     * @throws JsExecutionException     if the call fails or is stopped by a limit
     * @throws JsCallCancelledException if the call was cancelled
     * @throws JsSyntaxException        if the library's code does not parse
     * @throws IllegalArgumentException if the arguments are not a JSON array
     * @throws IllegalStateException    if the runtime is closed, or this is a virtual thread
     */
    CallResult call(LibraryContexts here, QueuedCall call) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("JavaScript runs on platform threads only");
        }
        LibrarySource library = call.library;
        String function = call.function;
        String argsJson = call.argsJson;
        CallLimits limits = call.limits;
        ConsoleCapture console = here.console();
        console.begin(library.key(), function, limits);
        long started = System.nanoTime();
        if (call.cancelCause() != null) {
            throw cancelled(call);
        }
        Optional<LoadedLibrary> found = here.find(library, call.caller);
        (found.isPresent() ? cacheHits : cacheMisses).increment();
        if (found.isEmpty()) {
            Optional<String> refused = codeCheck.refusal(library);
            if (refused.isPresent()) {
                throw new JsExecutionException(Kind.LOAD_FAILED, "library " + library.name() + " failed to load: "
                        + refused.get());
            }
        }
        LoadedLibrary instance = found.isPresent() ? found.get()
                : LoadedLibrary.open(engine, prelude, open, console, library, call.caller, source(library), retained);
        boolean loading = found.isEmpty();
        if (loading && meter.isPresent()) {
            instance.meterBy(meter.get());
        }
        Watchdog.Watch watch = watchdog.start(instance.context(), limits, instance.meterHandle());
        call.attach(watch);
        String json = null;
        Failure failure = null;
        try {
            if (loading) {
                instance.load(console.remaining());
                here.keep(instance);
                loading = false;
            }
            Optional<Value> target = instance.function(function);
            if (target.isEmpty()) {
                // Ends as Couchbase's evaluator says it ("... is not a function").
                failure = new Failure(Kind.FUNCTION_NOT_FOUND, "library " + library.name()
                        + " has no top-level function named " + function + ": " + function + " is not a function");
            } else {
                Value result = instance.invoke(target.get(), argsJson, console.remaining(), limits.maxResultBytes());
                if (result.isString()) {
                    json = result.asString();
                } else if (!result.isNull()) {
                    failure = crossingFailure(result);
                }
            }
        } catch (PolyglotException e) {
            failure = classify(e, instance, function, loading);
        } catch (JsSyntaxException e) {
            failure = Failure.internal(e);
        } catch (IllegalStateException e) {
            // The context was closed under the call: by the watchdog (reported below) or by closing the runtime.
            failure = Failure.closed(e);
        } catch (RuntimeException e) {
            // Never leave the watch running: the watchdog would later close a context still in the cache.
            failure = Failure.internal(e);
        }
        Watchdog.Stop stop = watch.finish();
        long allocated = watch.allocated();
        console.end();
        if (stop != null) {
            here.discard(instance);
            if (stop == Watchdog.Stop.CANCELLED) {
                throw cancelled(call);
            }
            (stop == Watchdog.Stop.TIMEOUT ? timeouts : memoryLimitStops).increment();
            throw limitExceeded(stop, limits, console.lines());
        }
        if (failure == null || !(failure.discard || loading)) {
            Optional<JsExecutionException> kept = checkKept(here, instance, allocated, console.lines());
            if (kept.isPresent()) {
                throw kept.get();
            }
        }
        if (failure == null && json != null && utf8Length(json, limits.maxResultBytes()) > limits.maxResultBytes()) {
            failure = new Failure(Kind.RESULT_TOO_LARGE, "the result is larger than the limit of "
                    + limits.maxResultBytes() + " bytes of JSON");
        }
        if (failure != null) {
            if (failure.kind == Kind.MEMORY_LIMIT) {
                memoryLimitStops.increment();
            } else if (failure.kind == Kind.STACK_OVERFLOW) {
                stackOverflows.increment();
            }
            if (failure.discard || loading) {
                here.discard(instance);
            }
            throw failure.toException(console.lines());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        return new CallResult(Optional.ofNullable(json), console.lines(), console.dropped(), elapsed);
    }

    /**
     * After a call that leaves its context in place: if the context may have grown past its bound (what it kept when
     * last measured plus everything its calls allocated since is more than the bound), measure it and keep the slot's
     * contexts within their share of the retained total; over the bound, drop it and fail the call.
     * <p>
     * A measurement walks what the context reaches, up to the bound: 4 to 30 ms for an empty context (about 1.1 MB)
     * on 2 busy cores, 120 ms the first time in a JVM. Measuring only when the bound could have been crossed spreads
     * that over {@code maxContextBytes} of allocation (about +1 us per small call), where measuring after every call
     * would cost more than most calls.
     */
    private Optional<JsExecutionException> checkKept(LibraryContexts here, LoadedLibrary instance, long allocated,
                                                     List<CallResult.LogLine> logs) {
        if (meter.isEmpty() || instance.meterHandle() == null) {
            return Optional.empty();
        }
        long bound = settings.maxContextBytes();
        instance.allocated(allocated);
        if (instance.retainedBound() > bound) {
            long kept;
            try {
                kept = meter.get().retained(instance.meterHandle(), bound + 1);
            } catch (UnsupportedOperationException e) {
                return Optional.empty();
            }
            instance.measured(kept);
            if (kept > bound) {
                here.discard(instance);
                memoryLimitStops.increment();
                return Optional.of(new JsExecutionException(Kind.MEMORY_LIMIT, "library " + instance.library().name()
                        + " keeps more than " + bytes(bound) + " between calls (in top-level variables); its context"
                        + " was dropped, and the next call loads the library afresh", Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), logs));
            }
            here.evictBeyond(Math.max(bound, settings.maxRetainedBytes() / settings.maxWorkers()), instance);
        }
        return Optional.empty();
    }

    private JsCallCancelledException cancelled(QueuedCall call) {
        CancelCause cause = call.cancelCause();
        cancellations.get(cause).increment();
        return new JsCallCancelledException(call.id, cause);
    }

    /** Whether the heap was nearly full after the last collection. */
    boolean heapPressure() {
        return watchdog.heapPressure();
    }

    /** Library contexts open now. */
    int contexts() {
        return open.size();
    }

    /** Heap the library contexts keep between calls, as last measured. */
    long retainedBytes() {
        return retained.sum();
    }

    /** Calls stopped on request while running, for one cause. */
    long cancelled(CancelCause cause) {
        return cancellations.get(cause).sum();
    }

    /** Calls that failed for recursing too deeply. */
    long stackOverflows() {
        return stackOverflows.sum();
    }

    /** Calls that found their library loaded in their slot. */
    long libraryCacheHits() {
        return cacheHits.sum();
    }

    /** Calls that loaded their library. */
    long libraryCacheMisses() {
        return cacheMisses.sum();
    }

    /** Calls the watchdog stopped at their deadline. */
    long timeouts() {
        return timeouts.sum();
    }

    /** Calls stopped for allocating past their budget, or for one allocation the heap could not hold. */
    long memoryLimitStops() {
        return memoryLimitStops.sum();
    }

    @Override
    public void close() {
        watchdog.close();
        open.closeAll();
    }

    private Source source(LibrarySource library) {
        // Cached (the default): another worker, or this one after an eviction, reuses the engine's parse.
        return Source.newBuilder(JS, library.code(), library.name() + ".js").buildLiteral();
    }

    private static Failure crossingFailure(Value result) {
        String message = result.getMember("message").asString();
        return switch (result.getMember("failure").asString()) {
            case "ARGUMENTS" -> new Failure(null, message);
            case "TOO_LARGE" -> new Failure(Kind.RESULT_TOO_LARGE, "the result is larger than the limit (" + message
                    + " of JSON)");
            default -> new Failure(Kind.UNSERIALIZABLE_RESULT, message);
        };
    }

    private static Failure classify(PolyglotException e, LoadedLibrary instance, String function, boolean loading) {
        String library = instance.library().name();
        if (e.isCancelled()) {
            return Failure.closed(e);
        }
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (e.isResourceExhausted() && (lower.contains("memory") || lower.contains("heap space"))) {
            // A single allocation too large for the heap, before the watchdog could see it.
            return new Failure(Kind.MEMORY_LIMIT, "the call ran out of memory: " + message, Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), true);
        }
        boolean overflow = e.isResourceExhausted() || e.isGuestException() && message.startsWith(STACK_OVERFLOW);
        if (!e.isGuestException() && !e.isResourceExhausted()) {
            return Failure.internal(new IllegalStateException("the engine failed: " + e.getMessage(), e));
        }
        Optional<SourceSection> at = failurePoint(e, instance);
        Optional<String> location = at.map(section -> library + ".js:" + section.getStartLine());
        Optional<String> sourceLine = at.map(CallRunner::sourceLine);
        Optional<String> stack = Optional.of(stack(e)).filter(text -> !text.isEmpty());
        String where = location.map(text -> " (" + text + ")").orElse("");
        if (overflow) {
            return new Failure(Kind.STACK_OVERFLOW, (loading ? "loading library " + library : function)
                    + " recursed too deeply: " + e.getMessage() + where, Optional.empty(), sourceLine, location, stack,
                    e.isResourceExhausted());
        }
        Optional<String> thrown = Optional.of(thrown(e, instance));
        String shown = thrown.get().startsWith("\"") ? e.getMessage() : thrown.get();
        if (loading) {
            return new Failure(Kind.LOAD_FAILED, "library " + library + " failed to load: " + shown + where, thrown,
                    sourceLine, location, stack, true);
        }
        return new Failure(Kind.THROWN, function + " threw " + shown + where, thrown, sourceLine, location, stack,
                false);
    }

    /** The thrown value as JSON, computed by the prelude (in the context, still under the watchdog). */
    private static String thrown(PolyglotException e, LoadedLibrary instance) {
        Value guest = e.getGuestObject();
        if (guest != null) {
            try {
                return instance.describe(guest);
            } catch (PolyglotException | IllegalStateException describing) {
                // A getter threw or the context is gone: the engine's message will do.
            }
        }
        return jsonString(String.valueOf(e.getMessage()));
    }

    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** Where in the library it failed: the engine's location if it is in the library, else its innermost frame. */
    private static Optional<SourceSection> failurePoint(PolyglotException e, LoadedLibrary instance) {
        String name = instance.library().name() + ".js";
        SourceSection at = e.getSourceLocation();
        if (inLibrary(at, name)) {
            return Optional.of(at);
        }
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            if (frame.isGuestFrame() && inLibrary(frame.getSourceLocation(), name)) {
                return Optional.of(frame.getSourceLocation());
            }
        }
        return Optional.empty();
    }

    private static boolean inLibrary(SourceSection section, String name) {
        return section != null && section.isAvailable() && !section.getSource().isInternal()
                && section.getSource().getName().equals(name);
    }

    private static String sourceLine(SourceSection section) {
        String line = section.getSource().getCharacters(section.getStartLine()).toString().strip();
        if (line.length() <= MAX_SOURCE_LINE_CHARS) {
            return line;
        }
        // Keep a window around the failing expression of a very long line.
        String full = section.getSource().getCharacters(section.getStartLine()).toString();
        int column = section.getStartColumn() - 1;
        int from = Math.max(0, Math.min(column - MAX_SOURCE_LINE_CHARS / 2, full.length() - MAX_SOURCE_LINE_CHARS));
        int to = Math.min(full.length(), from + MAX_SOURCE_LINE_CHARS);
        return (from > 0 ? "…" : "") + full.substring(from, to).strip() + (to < full.length() ? "…" : "");
    }

    /** The guest frames, innermost first, as {@code at fn (lib.js:line:column)}; the prelude's are left out. */
    private static String stack(PolyglotException e) {
        StringBuilder text = new StringBuilder();
        int frames = 0;
        int more = 0;
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            if (!frame.isGuestFrame()) {
                continue;
            }
            SourceSection at = frame.getSourceLocation();
            if (at != null && at.getSource().isInternal()) {
                continue;
            }
            String name = frame.getRootName();
            boolean anonymous = name == null || name.isEmpty() || name.startsWith(":");
            if (at == null && anonymous) {
                continue;
            }
            if (frames == MAX_FRAMES) {
                more++;
                continue;
            }
            if (frames++ > 0) {
                text.append('\n');
            }
            // A built-in, or a call the engine has no position for (a direct eval), has no location.
            String position = at == null ? null
                    : at.getSource().getName() + ":" + at.getStartLine() + ":" + at.getStartColumn();
            text.append("at ").append(anonymous ? position : position == null ? name : name + " (" + position + ")");
        }
        if (more > 0) {
            text.append("\n... ").append(more).append(" more");
        }
        return text.toString();
    }

    private static JsExecutionException limitExceeded(Watchdog.Stop stop, CallLimits limits,
                                                      List<CallResult.LogLine> logs) {
        return switch (stop) {
            // Couchbase's words for a call stopped by its limit.
            case TIMEOUT -> new JsExecutionException(Kind.TIMEOUT, "stopped after running beyond "
                    + limits.timeout().toMillis() + " ms", Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), logs);
            case MEMORY_LIMIT -> new JsExecutionException(Kind.MEMORY_LIMIT, "the call allocated more than "
                    + bytes(limits.maxAllocatedBytes()) + " and held more than that, and was stopped",
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), logs);
            case HEAP_PRESSURE -> new JsExecutionException(Kind.MEMORY_LIMIT, "the server's memory is nearly full"
                    + " and this call had allocated the most of those running, so it was stopped; retry later",
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), logs);
            case CANCELLED -> throw new IllegalStateException("a cancelled call is not a limit exceeded");
        };
    }

    private static String bytes(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** The UTF-8 length of text, counted only as far as needed to know whether it exceeds max. */
    private static long utf8Length(String text, int max) {
        if ((long) text.length() * 3 <= max) {
            return text.length();
        }
        long length = 0;
        for (int i = 0; i < text.length() && length <= max; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static String readText(String resource) {
        try (InputStream in = CallRunner.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Why a call failed, before the console lines are final. A null kind is a caller error (bad arguments).
     */
    private record Failure(Kind kind, String message, Optional<String> thrown, Optional<String> sourceLine,
                           Optional<String> location, Optional<String> stack, boolean discard,
                           RuntimeException other) {
        Failure(Kind kind, String message) {
            this(kind, message, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        }

        Failure(Kind kind, String message, Optional<String> thrown, Optional<String> sourceLine,
                Optional<String> location, Optional<String> stack, boolean discard) {
            this(kind, message, thrown, sourceLine, location, stack, discard, null);
        }

        static Failure closed(RuntimeException cause) {
            return internal(new IllegalStateException("the runtime is closed", cause));
        }

        /** Not the call's fault, or not a JsExecutionException: thrown as it is, and the context dropped. */
        static Failure internal(RuntimeException e) {
            return new Failure(null, null, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true,
                    e);
        }

        RuntimeException toException(List<CallResult.LogLine> logs) {
            if (other != null) {
                return other;
            }
            if (kind == null) {
                return new IllegalArgumentException(message);
            }
            return new JsExecutionException(kind, message, thrown, sourceLine, location, stack, logs);
        }
    }
}
