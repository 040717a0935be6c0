package dev.evaluator.api;

import dev.evaluator.engine.PasswordHasher;
import dev.evaluator.engine.UserAccounts;
import dev.evaluator.store.UserStore;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.helidon.security.providers.httpauth.SecureUserStore;

/**
 * Checks user names and passwords against the store, for Helidon's HTTP Basic provider.
 * <p>
 * A password check costs a slow KDF, so successful checks are remembered for a short time. The cache key is a keyed
 * hash (HMAC with a per-process random key) of the user name, the user's stored password hash and the password:
 * a changed password or a deleted user can never hit an old entry, and the cache holds no password.
 * Unknown users cost the same KDF as known ones, so response time does not tell which names exist.
 */
final class Credentials implements PasswordCheck {
    private static final String HMAC = "HmacSHA256";
    private static final Duration CACHE_TTL = Duration.ofMinutes(5);
    private static final int CACHE_SIZE = 10_000;

    private final UserStore users;
    private final PasswordHasher hasher;
    private final Cache<String, Boolean> verified;
    private final SecretKeySpec cacheKey;
    /** Initialised once; each check uses a clone, cheaper than looking the algorithm up and initialising it. */
    private final Mac macPrototype;
    private final String unknownUserHash;

    Credentials(UserStore users, PasswordHasher hasher) {
        this.users = users;
        this.hasher = hasher;
        this.verified = Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(CACHE_TTL).build();
        byte[] key = new byte[32];
        SecureRandom random = new SecureRandom();
        random.nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, HMAC);
        this.macPrototype = newMac();
        // Costs a check as much as a real hash, without a derivation at start-up (a third of a second).
        this.unknownUserHash = hasher.decoy();
    }

    @Override
    public Optional<SecureUserStore.User> user(String login) {
        String name = UserAccounts.normalizeName(login);
        Optional<dev.evaluator.store.User> stored = users.find(name);
        return Optional.of(new Candidate(name, stored));
    }

    @Override
    public Optional<dev.evaluator.store.User> recentlyVerified(String login, char[] password) {
        return users.find(login)
                .filter(user -> verified.getIfPresent(cacheKey(login, user.passwordHash(), password)) != null);
    }

    @Override
    public void remember(dev.evaluator.store.User user, char[] password) {
        verified.put(cacheKey(user.name(), user.passwordHash(), password), Boolean.TRUE);
    }

    private boolean check(String login, Optional<dev.evaluator.store.User> stored, char[] password) {
        if (stored.isEmpty()) {
            hasher.verify(password, unknownUserHash);
            return false;
        }
        String key = cacheKey(login, stored.get().passwordHash(), password);
        if (verified.getIfPresent(key) != null) {
            return true;
        }
        boolean valid = hasher.verify(password, stored.get().passwordHash());
        if (valid) {
            verified.put(key, Boolean.TRUE);
        }
        return valid;
    }

    private String cacheKey(String login, String passwordHash, char[] password) {
        Mac mac;
        try {
            mac = (Mac) macPrototype.clone();
        } catch (CloneNotSupportedException e) {
            mac = newMac();
        }
        mac.update(login.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(passwordHash.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password)));
        return Base64.getEncoder().encodeToString(mac.doFinal());
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(cacheKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is part of every JDK", e);
        }
    }

    private final class Candidate implements SecureUserStore.User {
        private final String login;
        private final Optional<dev.evaluator.store.User> stored;

        Candidate(String login, Optional<dev.evaluator.store.User> stored) {
            this.login = login;
            this.stored = stored;
        }

        @Override
        public String login() {
            return login;
        }

        @Override
        public boolean isPasswordValid(char[] password) {
            return check(login, stored, password);
        }

        @Override
        public Collection<String> roles() {
            return stored.map(dev.evaluator.store.User::roles).orElse(java.util.List.of());
        }
    }
}
