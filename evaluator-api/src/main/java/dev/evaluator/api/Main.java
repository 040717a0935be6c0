package dev.evaluator.api;

import dev.evaluator.engine.AdminBootstrap;
import dev.evaluator.engine.GoDuration;
import dev.evaluator.store.StoreException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.logging.common.LogConfig;

/**
 * Starts the evaluator server from command-line flags and environment variables.
 */
public final class Main {
    private Main() {
    }

    /**
     * Start the server; it runs until the process is stopped.
     *
     * @param args the flags, see {@code --help}
     */
    public static void main(String[] args) {
        // Before anything logs: the log manager that keeps logging through the shutdown hook.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
        }
        if (ArchiveCommand.isCommand(args)) {
            int code = ArchiveCommand.run(args, System.getenv(), System.in, System.out, System.err);
            System.out.flush();
            System.exit(code);
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(ServerSettings.USAGE);
            System.out.println(ArchiveCommand.USAGE);
            return;
        }
        LogConfig.configureRuntime();
        ServerSettings settings;
        try {
            settings = ServerSettings.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("evaluator: " + e.getMessage());
            System.err.println(ServerSettings.USAGE);
            System.exit(2);
            return;
        }
        Handler[] handlers = Logger.getLogger("").getHandlers();
        for (Handler handler : handlers) {
            handler.setFormatter(settings.operations().logFormat() == ServerSettings.LogFormat.JSON
                    ? new JsonLogFormatter() : new TextLogFormatter());
        }
        if (handlers.length > 0) {
            // Request lines go through their own background writer, formatted like the console's lines.
            Logger access = Logger.getLogger(AccessLog.LOGGER);
            access.setUseParentHandlers(false);
            access.addHandler(new AccessLogWriter(System.out, handlers[0].getFormatter()));
        }
        Console console = new Console(settings.operations().logFormat());

        EvaluatorServer evaluator;
        try {
            evaluator = EvaluatorServer.start(settings);
        } catch (StoreException e) {
            System.err.println("evaluator: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        } catch (UncheckedIOException e) {
            System.err.println("evaluator: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(evaluator, settings, console),
                "evaluator-shutdown"));

        evaluator.generatedAdminPassword().ifPresent(password -> console.info(
                "Generated password for administrator '" + settings.adminUser() + "': " + password
                        + " (shown once; also in " + evaluator.dataDir()
                        .resolve(AdminBootstrap.PASSWORD_FILE) + ")"));
        uncleanShutdownWarning(evaluator.dataDir(), evaluator.store().recoveredLogBytes())
                .ifPresent(console::warn);
        String jit = evaluator.runtime().jitActive()
                ? "active (" + evaluator.runtime().implementationName() + ")"
                : "INACTIVE, interpreter only";
        console.info("Evaluator " + listening(settings.host(), evaluator.port(), evaluator.tlsPort())
                + " | " + settings.etcd().map(etcd -> "etcd " + etcd.endpoints() + " prefix " + etcd.prefix()
                        + " | node " + evaluator.node()).orElse("data dir " + evaluator.dataDir())
                + " | JavaScript JIT " + jit);
        clearTextWarning(settings, evaluator.port(), evaluator.tlsPort()).ifPresent(console::warn);

        if (!evaluator.runtime().jitActive()) {
            console.warn("WARNING: the JavaScript engine runs without its optimizing JIT (3 to 10 times slower)."
                    + " Start the server with ./evaluator, which passes -XX:+EnableJVMCI and"
                    + " --upgrade-module-path with the Graal compiler jars on JDK 25.");
        }
    }

    /**
     * The lines the server prints about itself (start-up, warnings, shutdown): text, or with {@code --log-format
     * json} log lines in JSON (a warning's {@code WARNING: } prefix becomes its level).
     */
    private record Console(ServerSettings.LogFormat format) {
        private static final String WARNING = "WARNING: ";
        private static final String LOGGER = "dev.evaluator.api.Main";

        void info(String text) {
            print(System.out, Level.INFO, text);
        }

        void warn(String text) {
            print(System.err, Level.WARNING, text);
        }

        private void print(PrintStream stream, Level level, String text) {
            if (format == ServerSettings.LogFormat.TEXT) {
                stream.println(text);
            } else {
                stream.println(JsonLogFormatter.line(level, LOGGER,
                        text.startsWith(WARNING) ? text.substring(WARNING.length()) : text));
            }
        }
    }

    /**
     * Stop on SIGTERM (or Ctrl-C): say so, let requests in flight finish within the grace period, flush and close the
     * store, and say how it went.
     */
    private static void stop(EvaluatorServer evaluator, ServerSettings settings, Console console) {
        long started = System.nanoTime();
        console.info("Evaluator shutting down: no new connections; requests in flight have up to "
                + settings.operations().shutdownGrace().toSeconds() + " s to finish");
        try {
            evaluator.close();
            int cutOff = evaluator.requestsCutOff();
            if (cutOff > 0) {
                console.warn("WARNING: " + cutOff + " request(s) still running after the "
                        + settings.operations().shutdownGrace().toSeconds() + " s grace period were cut off");
            }
            console.info("Evaluator stopped in " + GoDuration.format(System.nanoTime() - started)
                    + ": store flushed and closed cleanly");
        } catch (RuntimeException e) {
            console.warn("WARNING: shutdown failed: " + e.getMessage());
        } finally {
            ServerLogManager.flush();
        }
    }

    /** A warning when the store found write-ahead log data to replay: the last run did not close it. */
    static Optional<String> uncleanShutdownWarning(Path dataDir, long recoveredLogBytes) {
        if (recoveredLogBytes == 0) {
            return Optional.empty();
        }
        return Optional.of("WARNING: the store in " + dataDir + " was not closed cleanly last time"
                + " (a crash or kill -9): RocksDB replayed " + recoveredLogBytes + " bytes of its write-ahead log."
                + " Every acknowledged write is kept; stop the server with SIGTERM to avoid the replay.");
    }

    /**
     * The start-up line's address part: the plain HTTP address first when it runs, since scripts and tests read the
     * port from {@code listening on http://HOST:PORT/}.
     *
     * @param httpPort  the plain HTTP port, or -1 when disabled
     * @param httpsPort the HTTPS port, or -1 without TLS
     */
    static String listening(String host, int httpPort, int httpsPort) {
        List<String> urls = new ArrayList<>();
        if (httpPort >= 0) {
            urls.add(url("http", host, httpPort));
        }
        if (httpsPort >= 0) {
            urls.add(url("https", host, httpsPort));
        }
        return "listening on " + String.join(" and ", urls);
    }

    /** A warning when Basic credentials can cross the network unencrypted, else empty. */
    static Optional<String> clearTextWarning(ServerSettings settings, int httpPort, int httpsPort) {
        if (httpPort < 0 || settings.loopbackOnly()) {
            return Optional.empty();
        }
        if (httpsPort < 0) {
            return Optional.of("WARNING: plain HTTP on " + settings.host() + ":" + httpPort + " without TLS:"
                    + " Basic credentials (user names and passwords) and library code travel in clear text."
                    + " Serve HTTPS with --tls-cert and --tls-key, or --tls-keystore.");
        }
        return Optional.of("WARNING: the plain HTTP port " + settings.host() + ":" + httpPort + " is clear text:"
                + " Basic credentials sent to it can be read on the network. Clients should use "
                + url("https", settings.host(), httpsPort) + "; --disable-http turns the plain port off.");
    }

    private static String url(String scheme, String host, int port) {
        String authority = host.contains(":") ? "[" + host + "]" : host;
        return scheme + "://" + authority + ":" + port + EvaluatorServer.LIBRARIES_PATH;
    }
}
