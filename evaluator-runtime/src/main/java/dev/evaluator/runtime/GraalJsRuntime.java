package dev.evaluator.runtime;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The runtime on GraalJS: one shared {@link Engine}, sandboxed contexts created on it.
 * <p>
 * Calls run in execution slots (see {@link CallScheduler}: a fair queue per namespace, a pool that grows while long
 * calls hold every slot), each slot with its own library contexts (see {@link LibraryContexts}), one per library and
 * caller. Polyglot contexts are used only on platform threads: GraalJS does not support virtual threads, which the
 * web server's handlers run on (oracle/graal#7520). Parse workers (one per processor, 16 MiB stacks for acorn's deep
 * recursion) with an unbounded queue serve {@link #checkSyntax}, {@link #functions} and the check that refuses
 * dynamic {@code import()}: saving a library must neither fail with {@code BUSY} nor wait behind long calls.
 */
final class GraalJsRuntime implements JsRuntime {
    private static final String JS = "js";
    private static final String INTERPRETED = "Interpreted";
    /** GraalJS prefixes messages with {@code SyntaxError: <source>:<line>:<column> }; position is reported apart. */
    private static final Pattern MESSAGE_PREFIX = Pattern.compile("^(SyntaxError: )?\\S+\\.js:\\d+:\\d+ ");

    /**
     * Parsers recurse per nesting level. acorn, being JavaScript run by GraalJS, needs far more stack per level than
     * GraalJS's own parser: with the default 1 MB, 50 nested parentheses overflow it. The stack is reserved, not
     * committed, until used.
     */
    private static final long PARSER_STACK_BYTES = 16L << 20;
    /**
     * The longest string a library may make, in UTF-16 units: 8 Mi (16 MiB). The built-ins that make or read long
     * strings (join, repeat, JSON.stringify, JSON.parse, concatenation) run in engine code that the watchdog cannot
     * interrupt; this bounds each such call to about half a second (on 2 cores, busy: JSON.parse of 15 M characters
     * took 1 to 1.7 s, JSON.stringify of 23 M about 0.8 s), so a call inside one ends within its limit plus a second.
     * It also bounds a result's JSON text (beyond it the result is {@code RESULT_TOO_LARGE}).
     */
    static final int MAX_STRING_CHARS = 1 << 23;
    /** Parsed once at start: a line of each common form and a doc comment. */
    private static final String WARM_UP = "// doc\nfunction f(a, ...b) { return `${a}` + b.length; }\n"
            + "const g = async (x) => { let y = [x, {z: 1n}]; for (const v of y) { await v; } return y; };\n"
            + "class C { #p = 1; get p() { return this.#p; } }\nvar h = function* () { yield 1; };\n";
    /** Verdicts of the import check kept, by library key; a library's new code replaces its entry. */
    private static final int CHECKED_LIBRARIES = 4096;

    private final Engine engine;
    private final AcornIntrospector introspector;
    private final CallRunner runner;
    private final ExecutorService parsers;
    private volatile CallScheduler scheduler;
    private final RuntimeSettings settings;
    private final Map<String, Checked> checked = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Checked> eldest) {
            return size() > CHECKED_LIBRARIES;
        }
    };
    private volatile boolean closed;

    /** The import check's verdict on one version of a library's code. */
    private record Checked(String code, Optional<String> refusal) {
    }

    GraalJsRuntime(RuntimeSettings settings) {
        this.settings = settings;
        this.engine = Engine.newBuilder(JS)
                // The service reports an interpreter-only engine itself, in one line at start-up.
                .option("engine.WarnInterpreterOnly", "false")
                // Engine messages go to the service's log, not straight to stderr.
                .logHandler(new ForwardingLogHandler(System.getLogger("graaljs")))
                .build();
        try {
            this.introspector = new AcornIntrospector(engine);
            this.runner = new CallRunner(engine, settings, this::importRefusal, this::dropIdleContexts);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        this.parsers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), threads("js-parse-"));
        this.scheduler = new CallScheduler(settings, runner::call, runner::heapPressure);
        // Loads GraalJS's parser classes while the server starts, so that the first library written after a start
        // does not pay for them (a few hundred milliseconds).
        parsers.execute(() -> GraalJsParser.parse("warm-up", WARM_UP));
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(null, task, prefix + count.incrementAndGet(), PARSER_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void checkSyntax(String libraryName, String code) {
        onWorker(libraryName, () -> {
            parse(libraryName, code);
            refuseImports(code);
            return null;
        });
    }

    @Override
    public List<JsFunction> functions(String libraryName, String code) {
        return onWorker(libraryName, () -> {
            // One parse by GraalJS's own parser answers most libraries: their syntax and their functions.
            if (GraalJsParser.parse(libraryName, code) instanceof GraalJsParser.Outcome.Listed listed) {
                if (listed.dynamicImport().isPresent()) {
                    throw listed.dynamicImport().get();
                }
                return listed.functions();
            }
            // GraalJS first, so a syntax error is reported exactly as checkSyntax reports it.
            parse(libraryName, code);
            refuseImports(code);
            return introspector.functions(code);
        });
    }

    private void refuseImports(String code) {
        if (!code.contains("import")) {
            return;
        }
        Optional<JsSyntaxException> refused = introspector.dynamicImport(code);
        if (refused.isPresent()) {
            throw refused.get();
        }
    }

    /**
     * Why a library may not be loaded: its code imports dynamically (checked once per version, on a parse worker).
     *
     * @throws JsSyntaxException if the code does not parse
     */
    private Optional<String> importRefusal(LibrarySource library) {
        // Neither import() nor import.meta can be written without the word itself (a keyword cannot be escaped):
        // most libraries need no parse at all.
        if (!library.code().contains("import")) {
            return Optional.empty();
        }
        synchronized (checked) {
            Checked verdict = checked.get(library.key());
            if (verdict != null && (verdict.code() == library.code() || verdict.code().equals(library.code()))) {
                return verdict.refusal();
            }
        }
        Optional<String> refusal = onWorker(library.name(), () -> {
            Optional<JsSyntaxException> found = introspector.dynamicImport(library.code());
            if (found.isPresent() && found.get().getMessage().startsWith("the code cannot be checked")) {
                // acorn refused it: report GraalJS's syntax error if there is one, as the load would.
                parse(library.name(), library.code());
            }
            return found.map(e -> e.getMessage() + " (" + library.name() + ".js:" + e.line() + ")");
        });
        synchronized (checked) {
            checked.put(library.key(), new Checked(library.code(), refusal));
        }
        return refusal;
    }

    @Override
    public CallResult call(LibrarySource library, String function, String argsJson, CallLimits limits,
                           Caller caller) {
        requireArguments(library, function, argsJson, limits, caller);
        if (!Thread.currentThread().isVirtual()) {
            Optional<QueuedCall> ran = scheduler.runHere(library, function, argsJson, limits, caller);
            if (ran.isPresent()) {
                return ran.get().await();
            }
        }
        return submit(library, function, argsJson, limits, caller).await();
    }

    @Override
    public CallHandle submit(LibrarySource library, String function, String argsJson, CallLimits limits,
                             Caller caller) {
        requireArguments(library, function, argsJson, limits, caller);
        return scheduler.submit(library, function, argsJson, limits, caller);
    }

    private void requireArguments(LibrarySource library, String function, String argsJson, CallLimits limits,
                                  Caller caller) {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(argsJson, "argsJson");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(caller, "caller");
        if (closed) {
            throw new IllegalStateException("the runtime is closed");
        }
    }

    @Override
    public List<CallInfo> calls() {
        return scheduler.calls();
    }

    @Override
    public boolean cancel(long callId, CancelCause cause) {
        Objects.requireNonNull(cause, "cause");
        return scheduler.cancel(callId, cause);
    }

    @Override
    public void release(String libraryKey) {
        Objects.requireNonNull(libraryKey, "libraryKey");
        scheduler.release(libraryKey);
        synchronized (checked) {
            checked.remove(libraryKey);
        }
    }

    /** The heap is nearly full: close the contexts of every idle slot (they load again when next called). */
    private void dropIdleContexts() {
        // The watchdog starts before the scheduler exists.
        CallScheduler slots = scheduler;
        if (slots != null) {
            slots.forEachFreeSlot(slot -> slot.evictBeyond(0, null));
        }
    }

    /** Calls waiting for a slot. */
    int callsWaiting() {
        return scheduler.queued();
    }

    private <T> T onWorker(String libraryName, Callable<T> task) {
        Future<T> parse;
        try {
            parse = parsers.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the runtime is closed", e);
        }
        return await(parse, "parsing library " + libraryName);
    }

    private static <T> T await(Future<T> task, String what) {
        try {
            return task.get();
        } catch (CancellationException e) {
            throw new IllegalStateException("the runtime is closed", e);
        } catch (InterruptedException e) {
            // A running task is not interrupted: a call ends by itself within its timeout, a parse soon.
            task.cancel(false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(what + " failed", e.getCause());
        }
    }

    private void parse(String libraryName, String code) {
        // Parse only: nothing runs, and the text is not kept in the engine's source cache.
        Source source = Source.newBuilder(JS, code, libraryName + ".js").cached(false).buildLiteral();
        try (Context context = sandbox(engine)) {
            context.parse(source);
        } catch (PolyglotException e) {
            throw syntaxError(e);
        }
    }

    /**
     * A parse failure as a syntax error with its position.
     *
     * @param e what parsing threw
     * @return the syntax error to throw
     * @throws PolyglotException e itself, if it is neither a syntax error nor a parser out of stack
     */
    static JsSyntaxException syntaxError(PolyglotException e) {
        if (e.isResourceExhausted()) {
            // The parser recurses per nesting level: absurdly nested code exhausts its stack.
            return new JsSyntaxException("the code is nested too deeply to parse", 1, 1);
        }
        if (!e.isSyntaxError()) {
            throw e;
        }
        SourceSection location = e.getSourceLocation();
        int line = location == null ? 1 : location.getStartLine();
        int column = location == null ? 1 : location.getStartColumn();
        return new JsSyntaxException(describe(e.getMessage()), line, column);
    }

    @Override
    public RuntimeStats stats() {
        CallScheduler.Load load = scheduler.load();
        Map<CancelCause, Long> cancellations = new EnumMap<>(CancelCause.class);
        for (CancelCause cause : CancelCause.values()) {
            long count = switch (cause) {
                case TIMEOUT -> runner.timeouts();
                case MEMORY -> runner.memoryLimitStops();
                case STACK -> runner.stackOverflows();
                case CLIENT_GONE, KILLED -> runner.cancelled(cause) + scheduler.cancelledWhileQueued(cause);
            };
            cancellations.put(cause, count);
        }
        return new RuntimeStats(!closed, load.slots(), load.running(), load.queued(), settings.queueCapacity(),
                runner.timeouts(), runner.memoryLimitStops(), scheduler.busyRejections(), runner.libraryCacheHits(),
                runner.libraryCacheMisses(), settings.maxWorkers(), load.runningByNamespace(),
                load.queuedByNamespace(), cancellations, runner.contexts(), runner.retainedBytes());
    }

    @Override
    public String implementationName() {
        return engine.getImplementationName();
    }

    @Override
    public boolean jitActive() {
        return !INTERPRETED.equals(engine.getImplementationName());
    }

    @Override
    public void close() {
        closed = true;
        scheduler.close();
        cancel(parsers.shutdownNow());
        // Cancels the calls still running: their callers get IllegalStateException.
        runner.close();
        introspector.close();
        // A context being closed by a cancellation may still be leaving its worker: stop it rather than fail.
        engine.close(true);
    }

    /** Tasks that never started: their callers wait on them, so end them. */
    private static void cancel(List<Runnable> neverStarted) {
        for (Runnable task : neverStarted) {
            if (task instanceof Future<?> future) {
                future.cancel(false);
            }
        }
    }

    /**
     * A sandboxed context; every context on the shared engine is built alike, so they share compiled code (GraalJS
     * shares code only between contexts with compatible options) and never clash over host access.
     * <p>
     * Beyond denying host, I/O, threads, processes, native code and the environment: no code generation from
     * strings ({@code eval} and every {@code Function} constructor throw {@code EvalError}), no {@code load},
     * {@code print}, {@code Polyglot}, {@code Graal} or Java package globals, no {@code SharedArrayBuffer} (with
     * no threads it could only block), and no built-in {@code console}: the prelude installs one that captures. Strings
     * are at most {@link #MAX_STRING_CHARS} long.
     */
    static Context sandbox(Engine engine) {
        return Context.newBuilder(JS)
                .engine(engine)
                .allowAllAccess(false)
                .allowHostAccess(HostAccess.NONE)
                .allowHostClassLookup(className -> false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                // js.polyglot-builtin, js.java-package-globals and js.shared-array-buffer are experimental.
                .allowExperimentalOptions(true)
                .option("js.allow-eval", "false")
                .option("js.load", "false")
                .option("js.print", "false")
                .option("js.console", "false")
                .option("js.graal-builtin", "false")
                .option("js.polyglot-builtin", "false")
                .option("js.java-package-globals", "false")
                .option("js.shared-array-buffer", "false")
                .option("js.string-length-limit", Integer.toString(MAX_STRING_CHARS))
                .build();
    }

    /**
     * The engine's message without its position prefix and without the source excerpt it appends on later lines,
     * so no library code is echoed back.
     */
    private static String describe(String message) {
        if (message == null) {
            return "invalid JavaScript";
        }
        int end = message.indexOf('\n');
        String first = end < 0 ? message : message.substring(0, end);
        return MESSAGE_PREFIX.matcher(first).replaceFirst("");
    }
}
