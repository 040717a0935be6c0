package dev.evaluator.runtime;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
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
 * Polyglot contexts are used only on the runtime's own platform threads: GraalJS on virtual threads (which the
 * web server's handlers run on) is experimental on HotSpot. The pool also bounds how many parses run at once.
 * Introspection keeps one long-lived context per worker (see {@link AcornIntrospector}); syntax checks open a
 * short-lived one per call.
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
    private static final long WORKER_STACK_BYTES = 16L << 20;

    private final Engine engine;
    private final AcornIntrospector introspector;
    private final ExecutorService workers;

    GraalJsRuntime() {
        this.engine = Engine.newBuilder(JS)
                // The service reports an interpreter-only engine itself, in one line at start-up.
                .option("engine.WarnInterpreterOnly", "false")
                // Engine messages go to the service's log, not straight to stderr.
                .logHandler(new ForwardingLogHandler(System.getLogger("graaljs")))
                .build();
        try {
            this.introspector = new AcornIntrospector(engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), task -> {
            Thread thread = new Thread(null, task, "js-worker-" + count.incrementAndGet(), WORKER_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        });
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

    private <T> T onWorker(String libraryName, Callable<T> task) {
        Future<T> parse;
        try {
            parse = workers.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the runtime is closed", e);
        }
        try {
            return parse.get();
        } catch (InterruptedException e) {
            parse.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while parsing library " + libraryName, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("Parsing library " + libraryName + " failed", e.getCause());
        }
    }

    private void parse(String libraryName, String code) {
        // Parse only: nothing runs, and the text is not kept in the engine's source cache.
        Source source = Source.newBuilder(JS, code, libraryName + ".js").cached(false).buildLiteral();
        try (Context context = sandbox(engine)) {
            context.parse(source);
        } catch (PolyglotException e) {
            if (e.isResourceExhausted()) {
                // The parser recurses per nesting level: absurdly nested code exhausts its stack.
                throw new JsSyntaxException("the code is nested too deeply to parse", 1, 1);
            }
            if (!e.isSyntaxError()) {
                throw e;
            }
            SourceSection location = e.getSourceLocation();
            int line = location == null ? 1 : location.getStartLine();
            int column = location == null ? 1 : location.getStartColumn();
            throw new JsSyntaxException(describe(e.getMessage()), line, column);
        }
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
        workers.shutdownNow();
        introspector.close();
        engine.close();
    }

    /** A sandboxed context; every context on the shared engine must be built alike. */
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
