package dev.evaluator.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Lists a library's top-level functions with the acorn parser running in GraalJS: the library's code is only an
 * argument to {@code acorn.parse}, never evaluated.
 * <p>
 * Each calling thread gets one context, with acorn and the {@code introspect.js} helper loaded, kept for the
 * thread's life: the runtime calls this only on its fixed pool of workers, so there are at most as many contexts
 * as workers. Both scripts are {@link Source}s built once, so the shared engine parses them once for all contexts.
 * {@link #close()} closes every context, whichever thread opened it.
 */
final class AcornIntrospector implements AutoCloseable {
    private static final String JS = "js";
    private static final String ACORN_PROPERTIES = "META-INF/maven/org.webjars.npm/acorn/pom.properties";
    private static final String ACORN_SCRIPT = "META-INF/resources/webjars/acorn/%s/dist/acorn.js";
    private static final String HELPER_SCRIPT = "dev/evaluator/runtime/introspect.js";
    private static final String NESTED_TOO_DEEPLY = "the code is nested too deeply to introspect";

    private final Engine engine;
    private final Source acorn;
    private final Source helper;
    private final ThreadLocal<Loaded> loaded = new ThreadLocal<>();
    /** Every context opened and not yet discarded. */
    private final OpenContexts open = new OpenContexts();

    /** A thread's context and the helper's function in it. */
    private record Loaded(Context context, Value functions) {
    }

    /**
     * Read acorn (from its WebJar) and the helper from the class path; no context is opened yet.
     *
     * @param engine the shared engine the contexts are opened on
     * @throws IllegalStateException if either script is missing from the class path
     */
    AcornIntrospector(Engine engine) {
        this.engine = engine;
        // The WebJar's own pom.properties names its version, so the version is pinned only in the parent pom.
        String version = readProperties(ACORN_PROPERTIES).getProperty("version");
        this.acorn = Source.newBuilder(JS, readText(ACORN_SCRIPT.formatted(version)), "acorn.js").buildLiteral();
        this.helper = Source.newBuilder(JS, readText(HELPER_SCRIPT), "introspect.js").buildLiteral();
    }

    /**
     * The top-level functions of code that GraalJS has already parsed. Runs on the calling thread, in its context.
     *
     * @param code the library's code
     * @return the functions in source order, the one that wins at run time for a redeclared name
     * @throws JsSyntaxException     if acorn rejects the code, or it is nested too deeply for acorn
     * @throws IllegalStateException if this was closed, also while it ran
     */
    List<JsFunction> functions(String code) {
        Loaded current = current();
        Value result;
        try {
            result = current.functions().execute(code);
        } catch (PolyglotException e) {
            // Whatever went wrong, the next call starts from a fresh context.
            discard(current);
            if (e.isResourceExhausted()) {
                throw new JsSyntaxException(NESTED_TOO_DEEPLY, 1, 1);
            }
            if (e.isCancelled()) {
                throw new IllegalStateException("the runtime was closed", e);
            }
            throw new IllegalStateException("introspection failed: " + e.getMessage(), e);
        }
        return read(result);
    }

    /**
     * The first dynamic {@code import()} or {@code import.meta} in code, which the sandbox refuses: they would load
     * code from a string ({@code import('data:text/javascript,...')}) or from a file or URL. Code acorn cannot parse
     * is refused too. Runs on the calling thread, in its context.
     *
     * @param code the library's code
     * @return the refusal, with its line and column; empty when the code has neither
     * @throws IllegalStateException if this was closed, also while it ran
     */
    Optional<JsSyntaxException> dynamicImport(String code) {
        Loaded current;
        try {
            current = current();
        } catch (PolyglotException e) {
            throw new IllegalStateException("the runtime was closed", e);
        }
        Value found;
        try {
            found = current.functions().getMember("dynamicImport").execute(code);
        } catch (PolyglotException e) {
            discard(current);
            if (e.isCancelled()) {
                throw new IllegalStateException("the runtime was closed", e);
            }
            return Optional.of(new JsSyntaxException(e.isResourceExhausted() ? NESTED_TOO_DEEPLY
                    : "the code cannot be checked for dynamic imports", 1, 1));
        }
        if (found.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new JsSyntaxException(found.getMember("message").asString(),
                found.getMember("line").asInt(), found.getMember("column").asInt()));
    }

    /**
     * Close every context, also those in use (their calls fail).
     */
    @Override
    public void close() {
        open.closeAll();
    }

    private Loaded current() {
        Loaded current = loaded.get();
        if (current == null) {
            current = load();
            loaded.set(current);
        }
        return current;
    }

    private Loaded load() {
        Context context = GraalJsRuntime.sandbox(engine);
        open.add(context);
        try {
            context.eval(acorn);
            return new Loaded(context, context.eval(helper));
        } catch (RuntimeException e) {
            open.close(context);
            throw e;
        }
    }

    private void discard(Loaded current) {
        loaded.remove();
        open.close(current.context());
    }

    private static List<JsFunction> read(Value result) {
        if (result.getMember("nestedTooDeeply").asBoolean()) {
            throw new JsSyntaxException(NESTED_TOO_DEEPLY, 1, 1);
        }
        Value error = result.getMember("syntaxError");
        if (!error.isNull()) {
            throw new JsSyntaxException(error.getMember("message").asString(), error.getMember("line").asInt(),
                    error.getMember("column").asInt());
        }
        Value functions = result.getMember("functions");
        List<JsFunction> list = new ArrayList<>((int) functions.getArraySize());
        for (long i = 0; i < functions.getArraySize(); i++) {
            Value function = functions.getArrayElement(i);
            Value parameters = function.getMember("parameters");
            List<String> names = new ArrayList<>((int) parameters.getArraySize());
            for (long p = 0; p < parameters.getArraySize(); p++) {
                names.add(parameters.getArrayElement(p).asString());
            }
            Value doc = function.getMember("doc");
            list.add(new JsFunction(function.getMember("name").asString(), names,
                    function.getMember("variadic").asBoolean(), function.getMember("line").asInt(),
                    doc.isNull() ? Optional.empty() : Optional.of(doc.asString())));
        }
        return List.copyOf(list);
    }

    private static Properties readProperties(String resource) {
        Properties properties = new Properties();
        try (InputStream in = open(resource)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return properties;
    }

    private static String readText(String resource) {
        try (InputStream in = open(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = AcornIntrospector.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is not on the class path");
        }
        return in;
    }
}
