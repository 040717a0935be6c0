package dev.evaluator.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 */
final class GraalJsRuntime implements JsRuntime {
    private static final String JS = "js";
    private static final String INTERPRETED = "Interpreted";
    /** GraalJS prefixes messages with {@code SyntaxError: <source>:<line>:<column> }; position is reported apart. */
    private static final Pattern MESSAGE_PREFIX = Pattern.compile("^(SyntaxError: )?\\S+\\.js:\\d+:\\d+ ");

    private final Engine engine;
    private final ExecutorService workers;

    GraalJsRuntime() {
        this.engine = Engine.newBuilder(JS)
                // The service reports an interpreter-only engine itself, in one line at start-up.
                .option("engine.WarnInterpreterOnly", "false")
                // Engine messages go to the service's log, not straight to stderr.
                .logHandler(new ForwardingLogHandler(System.getLogger("graaljs")))
                .build();
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), task -> {
            Thread thread = new Thread(task, "js-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void checkSyntax(String libraryName, String code) {
        Future<?> parse = workers.submit(() -> parse(libraryName, code));
        try {
            parse.get();
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
        try (Context context = sandbox()) {
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
        engine.close();
    }

    private Context sandbox() {
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
