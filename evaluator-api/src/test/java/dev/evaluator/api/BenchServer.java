package dev.evaluator.api;

import dev.evaluator.engine.PasswordHasher;
import dev.evaluator.store.UserStore;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import io.helidon.logging.common.LogConfig;
import io.helidon.security.providers.httpauth.SecureUserStore;

/**
 * A real evaluator for the HTTP load benchmark {@code bench/auth-overhead.sh}, in one of two modes that differ only
 * in the password check given to {@link EvaluatorServer#start(ServerSettings, BiFunction)}:
 * <ul>
 *     <li>{@code cached}: the production {@link Credentials} (PBKDF2, successful checks cached);</li>
 *     <li>{@code no-verify}: users and their stored roles are read from the store exactly as {@link Credentials}
 *     reads them, but every password of an existing user is accepted without any hashing. This is the baseline
 *     that pays nothing for verification; everything else (security filter, login throttle, access policy,
 *     routing, store) is the same code.</li>
 * </ul>
 * Usage: {@code BenchServer cached|no-verify PORT DATA_DIR ADMIN_PASSWORD}. It prints {@code ready <port>} once
 * listening and runs until the process is stopped. The administrator is {@code Administrator} unless
 * {@code EVALUATOR_ADMIN_USER} says otherwise.
 */
final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("Usage: BenchServer cached|no-verify PORT DATA_DIR ADMIN_PASSWORD");
            System.exit(2);
            return;
        }
        BiFunction<UserStore, PasswordHasher, PasswordCheck> credentials = switch (args[0]) {
            case "cached" -> Credentials::new;
            case "no-verify" -> (users, hasher) -> new AcceptingCredentials(users);
            default -> {
                System.err.println("Unknown mode '" + args[0] + "': use cached or no-verify");
                System.exit(2);
                yield null;
            }
        };
        LogConfig.configureRuntime();
        // Through parse, the same way Main builds its settings, so new settings get their defaults here too.
        Map<String, String> env = new HashMap<>();
        Optional.ofNullable(System.getenv("EVALUATOR_ADMIN_USER"))
                .ifPresent(user -> env.put("EVALUATOR_ADMIN_USER", user));
        env.put("EVALUATOR_ADMIN_PASSWORD", args[3]);
        // No access log: both modes would pay the same for it, and it is not what the benchmark measures.
        ServerSettings settings = ServerSettings.parse(new String[] {"--port", args[1], "--data-dir", args[2],
                "--access-log=false"}, env);

        EvaluatorServer evaluator = EvaluatorServer.start(settings, credentials);
        Runtime.getRuntime().addShutdownHook(new Thread(evaluator::close, "bench-server-shutdown"));
        System.out.println("ready " + evaluator.port());
        System.out.flush();
    }

    /** The store's users with their stored roles; any password of an existing user is valid, at no cost. */
    private record AcceptingCredentials(UserStore users) implements PasswordCheck {
        @Override
        public Optional<dev.evaluator.store.User> recentlyVerified(String login, char[] password) {
            return users.find(login);
        }

        @Override
        public void remember(dev.evaluator.store.User user, char[] password) {
            // Every password is accepted already.
        }

        @Override
        public Optional<SecureUserStore.User> user(String login) {
            return users.find(login).map(stored -> new SecureUserStore.User() {
                @Override
                public String login() {
                    return login;
                }

                @Override
                public boolean isPasswordValid(char[] password) {
                    return true;
                }

                @Override
                public Collection<String> roles() {
                    return stored.roles();
                }
            });
        }
    }
}
