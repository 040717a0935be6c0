package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.EngineException;
import dev.evaluator.engine.FunctionCatalog;
import dev.evaluator.engine.LibraryArchive;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./evaluator export --data-dir D > backup.json} and {@code ./evaluator import --data-dir D --mode append <
 * backup.json}: the same documents as {@code /evaluator/v1/export} and {@code /import}, on the data directory of a
 * stopped server (a running one holds the directory's lock, and the command says so).
 */
final class ArchiveCommand {
    static final String USAGE = """
            Usage: evaluator export --data-dir DIR [--bucket B --scope S] [--history] [--users] > backup.json
                   evaluator import --data-dir DIR [--mode append|replace|flush] < backup.json
              on the data directory of a stopped server (env EVALUATOR_DATA_DIR; default ./data)""";
    private static final List<String> FLAGS = List.of("data-dir", "bucket", "scope", "mode");
    private static final List<String> SWITCHES = List.of("history", "users");

    private ArchiveCommand() {
    }

    /** Whether the arguments ask for a command rather than a server. */
    static boolean isCommand(String[] args) {
        return args.length > 0 && (args[0].equals("export") || args[0].equals("import"));
    }

    /**
     * Run a command.
     *
     * @return the exit code: 0 done, 1 failed (nothing imported), 2 bad usage
     */
    static int run(String[] args, Map<String, String> env, InputStream in, OutputStream out, PrintStream err) {
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            int eq = name.indexOf('=');
            String value = null;
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name)) {
                values.put(name, value == null ? "true" : value);
            } else if (FLAGS.contains(name) && (value != null || i + 1 < args.length)) {
                values.put(name, value != null ? value : args[++i]);
            } else {
                err.println("evaluator " + args[0] + ": unexpected argument '" + arg + "'");
                err.println(USAGE);
                return 2;
            }
        }
        boolean export = args[0].equals("export");
        if (export && values.containsKey("mode") || !export && (values.containsKey("bucket")
                || values.containsKey("scope") || values.containsKey("history") || values.containsKey("users"))) {
            err.println("evaluator " + args[0] + ": those flags belong to the other command");
            err.println(USAGE);
            return 2;
        }
        Path dataDir = Path.of(values.getOrDefault("data-dir",
                Optional.ofNullable(env.get("EVALUATOR_DATA_DIR")).filter(s -> !s.isBlank()).orElse("data")));
        try (RocksDbStore store = RocksDbStore.open(dataDir); JsRuntime runtime = JsRuntime.create()) {
            FunctionCatalog catalog = new FunctionCatalog(store, runtime, false);
            try (AuditLog audit = new AuditLog(store, Duration.ofDays(AuditLog.DEFAULT_DAYS), Duration.ofDays(1))) {
                LibraryArchive archive = new LibraryArchive(store, catalog, audit, LibraryHistory.DEFAULT_KEEP);
                if (export) {
                    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
                    archive.export(new LibraryArchive.ExportOptions(namespace(values), bool(values, "history"),
                            bool(values, "users")), buffered);
                    buffered.flush();
                    return 0;
                }
                LibraryArchive.Imported done = archive.importDocument(in.readAllBytes(),
                        LibraryArchive.Mode.parse(values.getOrDefault("mode", "append")),
                        "cli:" + System.getProperty("user.name", ""), "local");
                err.println("evaluator import: " + done.libraries() + " libraries (" + done.versions()
                        + " new versions" + (done.restored() > 0 ? ", " + done.restored() + " restored" : "")
                        + (done.renumbered() > 0 ? ", renumbered in " + done.renumbered() + " libraries" : "")
                        + "), " + done.functions() + " functions and " + done.users()
                        + " users imported (" + done.mode().text()
                        + ") into " + store.directory());
                return 0;
            }
        } catch (StoreException e) {
            err.println("evaluator " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (EngineException e) {
            err.println("evaluator " + args[0] + ": " + e.getMessage());
            return e.kind() == EngineException.Kind.INVALID_ARGUMENT ? 2 : 1;
        } catch (IllegalArgumentException e) {
            err.println("evaluator " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (IOException | UncheckedIOException e) {
            err.println("evaluator " + args[0] + ": " + e.getMessage());
            return 1;
        }
    }

    private static Optional<Namespace> namespace(Map<String, String> values) {
        String bucket = values.getOrDefault("bucket", "");
        String scope = values.getOrDefault("scope", "");
        if (bucket.isEmpty() && scope.isEmpty()) {
            return Optional.empty();
        }
        if (bucket.isEmpty() || scope.isEmpty()) {
            throw new IllegalArgumentException("give --bucket and --scope together, or neither");
        }
        // A bad name's InvalidNameException is an IllegalArgumentException: a usage error.
        return Optional.of(Namespace.scoped(bucket, scope));
    }

    private static boolean bool(Map<String, String> values, String name) {
        String value = values.getOrDefault(name, "false");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + " takes true or false, not '" + value + "'");
        };
    }
}
