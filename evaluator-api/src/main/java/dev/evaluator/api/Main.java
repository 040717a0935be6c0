package dev.evaluator.api;

import dev.evaluator.store.StoreException;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.Arrays;

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
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(ServerSettings.USAGE);
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

        EvaluatorServer evaluator;
        try {
            evaluator = EvaluatorServer.start(settings);
        } catch (StoreException e) {
            System.err.println("evaluator: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        } catch (UncheckedIOException e) {
            System.err.println("evaluator: cannot start: " + describe(e, settings));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(evaluator::close, "evaluator-shutdown"));

        evaluator.generatedAdminPassword().ifPresent(password -> System.out.println(
                "Generated password for administrator '" + settings.adminUser() + "': " + password
                        + " (shown once; also in " + evaluator.store().directory()
                        .resolve(AdminBootstrap.PASSWORD_FILE) + ")"));
        String jit = evaluator.runtime().jitActive()
                ? "active (" + evaluator.runtime().implementationName() + ")"
                : "INACTIVE, interpreter only";
        System.out.println("Evaluator listening on http://" + settings.host() + ":" + evaluator.port()
                + EvaluatorServer.LIBRARIES_PATH + " | data dir " + evaluator.store().directory()
                + " | JavaScript JIT " + jit);
        if (!evaluator.runtime().jitActive()) {
            System.err.println("WARNING: the JavaScript engine runs without its optimizing JIT (3 to 10 times slower)."
                    + " Start the server with ./evaluator, which passes -XX:+EnableJVMCI and"
                    + " --upgrade-module-path with the Graal compiler jars on JDK 25.");
        }
    }

    private static String describe(UncheckedIOException e, ServerSettings settings) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "cannot listen on " + settings.host() + ":" + settings.port() + " (" + t.getMessage()
                        + "): is another server using the port? Choose another with --port";
            }
            if (t instanceof java.net.SocketException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "cannot listen on " + settings.host() + ":" + settings.port() + " (" + t.getMessage()
                        + "): check --host";
            }
        }
        return e.getMessage();
    }
}
