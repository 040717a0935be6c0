package dev.evaluator.runtime;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
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
 * Calls run in execution slots ({@link RuntimeSettings#workers()} of them), each with its own loaded libraries (see
 * {@link LibraryContexts}): a slot is held by one thread for a whole call, so at most that many calls run at once.
 * Polyglot contexts are used only on platform threads: GraalJS does not support virtual threads, which the web
 * server's handlers run on (oracle/graal#7520). So:
 * <ul>
 * <li>a call from a platform thread (an embedder calling in process) runs on that thread when a slot is free, with
 * no hand-off; otherwise it is queued like any other call;</li>
 * <li>other calls go to the call workers (as many as slots) through a bounded queue: a call that finds the queue
 * full fails at once with {@code BUSY}. A worker takes a free slot for each call, waiting for one while
 * in-process callers hold them all.</li>
 * <li>parse workers (one per processor) with an unbounded queue, for {@link #checkSyntax} and {@link #functions}:
 * saving a library must neither fail with {@code BUSY} nor wait behind long calls. Introspection keeps one
 * long-lived context per parse worker (see {@link AcornIntrospector}); syntax checks open a short-lived one.</li>
 * </ul>
 */
final class GraalJsRuntime implements JsRuntime {
    private static final String JS = "js";
    private static final String INTERPRETED = "Interpreted";
    /** GraalJS prefixes messages with {@code SyntaxError: <source>:<line>:<column> }; position is reported apart. */
    private static final Pattern MESSAGE_PREFIX = Pattern.compile("^(SyntaxError: )?\\S+\\.js:\\d+:\\d+ ");

    /**
     * Parsers recurse per nesting level. acorn, being JavaScript run by GraalJS, needs far more stack per level than
     * GraalJS's own parser: with the default 1 MB, 50 nested parentheses overflow it. Library code recurses too.
     * The stack is reserved, not committed, until used.
     */
    private static final long WORKER_STACK_BYTES = 16L << 20;

    private final Engine engine;
    private final AcornIntrospector introspector;
    private final CallRunner runner;
    private final ExecutorService parsers;
    private final ThreadPoolExecutor callers;
    private final BlockingQueue<LibraryContexts> slots;
    private final AtomicInteger waitingForSlot = new AtomicInteger();
    private volatile boolean closed;
    private final int queueCapacity;
    private final LongAdder busyRejections = new LongAdder();

    GraalJsRuntime(RuntimeSettings settings) {
        this.engine = Engine.newBuilder(JS)
                // The service reports an interpreter-only engine itself, in one line at start-up.
                .option("engine.WarnInterpreterOnly", "false")
                // Engine messages go to the service's log, not straight to stderr.
                .logHandler(new ForwardingLogHandler(System.getLogger("graaljs")))
                .build();
        try {
            this.introspector = new AcornIntrospector(engine);
            this.runner = new CallRunner(engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        this.parsers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), threads("js-parse-"));
        this.queueCapacity = settings.queueCapacity();
        // Core threads only, never more: a full queue is refused (AbortPolicy) rather than run on a new thread.
        this.callers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity()), threads("js-call-"));
        this.slots = new ArrayBlockingQueue<>(settings.workers());
        for (int i = 0; i < settings.workers(); i++) {
            slots.add(new LibraryContexts(settings.contextsPerWorker()));
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(null, task, prefix + count.incrementAndGet(), WORKER_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void checkSyntax(String libraryName, String code) {
        onWorker(libraryName, () -> {
            parse(libraryName, code);
            return null;
        });
    }

    @Override
    public List<JsFunction> functions(String libraryName, String code) {
        return onWorker(libraryName, () -> {
            // GraalJS first, so a syntax error is reported exactly as checkSyntax reports it.
            parse(libraryName, code);
            return introspector.functions(code);
        });
    }

    @Override
    public CallResult call(LibrarySource library, String function, String argsJson, CallLimits limits) {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(argsJson, "argsJson");
        Objects.requireNonNull(limits, "limits");
        if (closed) {
            throw new IllegalStateException("the runtime is closed");
        }
        if (!Thread.currentThread().isVirtual()) {
            LibraryContexts slot = slots.poll();
            if (slot != null) {
                try {
                    return runner.call(slot, library, function, argsJson, limits);
                } finally {
                    slots.add(slot);
                }
            }
        }
        Future<CallResult> call;
        try {
            call = callers.submit(() -> inSlot(library, function, argsJson, limits));
        } catch (RejectedExecutionException e) {
            if (callers.isShutdown()) {
                throw new IllegalStateException("the runtime is closed", e);
            }
            busyRejections.increment();
            throw new JsExecutionException(JsExecutionException.Kind.BUSY, "all " + callers.getMaximumPoolSize()
                    + " JavaScript workers are busy and " + callers.getQueue().size()
                    + " calls are waiting; retry later");
        }
        return await(call, "calling " + function + " of library " + library.name());
    }

    /** A worker's part of a call: wait for a free slot (one held by a platform caller frees soon), then run. */
    private CallResult inSlot(LibrarySource library, String function, String argsJson, CallLimits limits) {
        LibraryContexts slot = slots.poll();
        if (slot == null) {
            waitingForSlot.incrementAndGet();
            try {
                slot = slots.take();
            } catch (InterruptedException e) {
                // Only closing the runtime interrupts a worker.
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the runtime is closed", e);
            } finally {
                waitingForSlot.decrementAndGet();
            }
        }
        try {
            return runner.call(slot, library, function, argsJson, limits);
        } finally {
            slots.add(slot);
        }
    }

    /** Calls waiting: for a worker, or on a worker for a slot that in-process callers hold. */
    int callsWaiting() {
        return callers.getQueue().size() + waitingForSlot.get();
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
        int workers = callers.getMaximumPoolSize();
        return new RuntimeStats(!closed, workers, workers - slots.size(), callsWaiting(), queueCapacity,
                runner.timeouts(), runner.memoryLimitStops(), busyRejections.sum(), runner.libraryCacheHits(),
                runner.libraryCacheMisses());
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
        cancel(callers.shutdownNow());
        cancel(parsers.shutdownNow());
        // Cancels the calls still running: their callers get IllegalStateException.
        runner.close();
        introspector.close();
        engine.close();
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
     * no threads it could only block), and no built-in {@code console}: the prelude installs one that captures.
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
