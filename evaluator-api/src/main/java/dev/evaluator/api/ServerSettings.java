package dev.evaluator.api;

import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.User;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's settings, from command-line flags and environment variables (a flag wins over its variable).
 *
 * @param host            address to bind; loopback by default
 * @param port            port to listen on; 0 picks a free one
 * @param dataDir         the store's data directory
 * @param maxLibraryBytes largest library code accepted, in bytes of UTF-8
 * @param adminUser       the bootstrap administrator's name
 * @param adminPassword   the bootstrap administrator's password, when given
 */
record ServerSettings(String host,
                      int port,
                      Path dataDir,
                      int maxLibraryBytes,
                      String adminUser,
                      Optional<String> adminPassword) {

    static final String USAGE = """
            Usage: evaluator [--host ADDRESS] [--port PORT] [--data-dir DIR] [--max-library-bytes N]
              --host               address to bind (env EVALUATOR_HOST, default 127.0.0.1)
              --port               port to listen on (env EVALUATOR_PORT, default 8093)
              --data-dir           store directory (env EVALUATOR_DATA_DIR, default ./data)
              --max-library-bytes  largest library accepted (env EVALUATOR_MAX_LIBRARY_BYTES, default 1048576)
            Administrator bootstrap: EVALUATOR_ADMIN_USER (default Administrator), EVALUATOR_ADMIN_PASSWORD
            (when unset on the first start, a random password is generated, printed once and written to
            <data-dir>/initial-admin-password).""";

    private static final List<String> FLAGS = List.of("host", "port", "data-dir", "max-library-bytes");

    ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
    }

    @Override
    public String toString() {
        return "ServerSettings[host=" + host + ", port=" + port + ", dataDir=" + dataDir
                + ", maxLibraryBytes=" + maxLibraryBytes + ", adminUser=" + adminUser + "]";
    }

    /**
     * Read the settings.
     *
     * @param args command-line arguments: {@code --name value} or {@code --name=value}
     * @param env  environment variables
     * @return the settings
     * @throws IllegalArgumentException naming the flag or variable that is unknown or has a bad value
     */
    static ServerSettings parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        for (String flag : FLAGS) {
            String fromEnv = env.get(envName(flag));
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(flag, fromEnv.trim());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("Flag --" + name + " needs a value");
            }
            if (!FLAGS.contains(name)) {
                throw new IllegalArgumentException("Unknown flag --" + name);
            }
            values.put(name, value);
        }

        String host = values.getOrDefault("host", "127.0.0.1");
        if (host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        int port = integer(values, "port", 8093, 0, 65535);
        Path dataDir = Path.of(values.getOrDefault("data-dir", "data"));
        int maxLibraryBytes = integer(values, "max-library-bytes", 1024 * 1024, 1, Integer.MAX_VALUE - 8);
        String adminUser = Optional.ofNullable(env.get("EVALUATOR_ADMIN_USER"))
                .filter(s -> !s.isBlank())
                .orElse("Administrator");
        try {
            User.validateName(adminUser);
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("EVALUATOR_ADMIN_USER is invalid: " + e.rule());
        }
        Optional<String> adminPassword = Optional.ofNullable(env.get("EVALUATOR_ADMIN_PASSWORD"))
                .filter(s -> !s.isEmpty());
        if (adminPassword.isPresent()) {
            try {
                UserAccounts.validatePassword(adminPassword.get());
            } catch (ApiException e) {
                throw new IllegalArgumentException("EVALUATOR_ADMIN_PASSWORD is invalid: " + e.getMessage());
            }
        }
        return new ServerSettings(host, port, dataDir, maxLibraryBytes, adminUser, adminPassword);
    }

    static String envName(String flag) {
        return "EVALUATOR_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static int integer(Map<String, String> values, String flag, int fallback, int min, int max) {
        String text = values.get(flag);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " (or " + envName(flag) + ") must be an integer from "
                    + min + " to " + max + ", not '" + text + "'");
        }
    }
}
