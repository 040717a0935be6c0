package dev.evaluator.engine;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Slows down password guessing without letting anyone lock another user out. Two counts of failed logins:
 * <ul>
 *     <li>per (user name, client address) pair: the failing source for that user;</li>
 *     <li>per client address, over all user names (the address's guessing budget): every failure from the address,
 *     except those of pairs that logged in successfully in the last {@value #TRUSTED_HOURS} hours (a user who
 *     mistypes their own password spends nothing of it), which are also not held back by it.</li>
 * </ul>
 * After {@value #FREE_FAILURES} failures on a count, each further attempt under it must wait twice as long as the
 * one before (1 s, 2 s, 4 s, ... up to 5 minutes) after the last failure. Attempts that come too early are refused
 * without checking the password (so they cost no hashing either). Failures from one address never hold back the
 * same user at another address: there is no per-user count, so guesses from elsewhere cannot lock a victim out. A
 * successful login resets only its own pair's count, never the address budget, so a guesser's own valid account
 * buys no further guesses. Counts are forgotten after an hour without failures. Anonymous requests (no credentials
 * at all) are not login attempts.
 */
public final class LoginThrottle {
    /** Failed logins allowed on a count before attempts under it are slowed down. */
    public static final int FREE_FAILURES = 5;
    /** How long a successful login exempts its (user, address) pair from the address's budget, in hours. */
    public static final int TRUSTED_HOURS = 24;
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofMinutes(5);
    private static final Duration FORGET_AFTER = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastNanos) {
    }

    /** A user name as tried from one client address. */
    private record Pair(String user, String address) {
    }

    private final Ticker ticker;
    private final Cache<Pair, Failures> byPair;
    private final Cache<String, Failures> byAddress;
    /** Pairs that logged in successfully in the last {@value #TRUSTED_HOURS} hours. */
    private final Cache<Pair, Boolean> trusted;

    /** A throttle on the system clock. */
    public LoginThrottle() {
        this(Ticker.systemTicker());
    }

    /**
     * @param ticker the clock (tests move it by hand)
     */
    public LoginThrottle(Ticker ticker) {
        this.ticker = ticker;
        this.byPair = cache(ticker, FORGET_AFTER);
        this.byAddress = cache(ticker, FORGET_AFTER);
        this.trusted = cache(ticker, Duration.ofHours(TRUSTED_HOURS));
    }

    /**
     * How long the caller must still wait before this attempt may be checked, if at all: the pair's wait, and the
     * address budget's unless the pair is trusted.
     *
     * @param user    the user name tried
     * @param address the client's address
     * @return the wait, or empty when the attempt may be checked now
     */
    public Optional<Duration> waitBefore(String user, String address) {
        long now = ticker.read();
        Pair pair = new Pair(user, address);
        Duration wait = remaining(byPair.getIfPresent(pair), now);
        if (!isTrusted(pair)) {
            wait = max(wait, remaining(byAddress.getIfPresent(address), now));
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /**
     * Count a failed login: for its pair, and for its address unless the pair is trusted.
     *
     * @param user    the user name tried
     * @param address the client's address
     */
    public void failed(String user, String address) {
        long now = ticker.read();
        Pair pair = new Pair(user, address);
        byPair.asMap().merge(pair, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        if (!isTrusted(pair)) {
            byAddress.asMap().merge(address, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        }
    }

    /**
     * After a successful login: forget the failures of this user at this address (not the address's other
     * failures) and trust the pair for {@value #TRUSTED_HOURS} hours.
     *
     * @param user    the user name that logged in
     * @param address the client's address
     */
    public void succeeded(String user, String address) {
        Pair pair = new Pair(user, address);
        byPair.invalidate(pair);
        trusted.put(pair, Boolean.TRUE);
    }

    private boolean isTrusted(Pair pair) {
        return trusted.getIfPresent(pair) != null;
    }

    private static Duration remaining(Failures failures, long now) {
        if (failures == null || failures.count() < FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures.count() - FREE_FAILURES, 20);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        if (delay.compareTo(MAX_DELAY) > 0) {
            delay = MAX_DELAY;
        }
        Duration elapsed = Duration.ofNanos(now - failures.lastNanos());
        return elapsed.compareTo(delay) >= 0 ? Duration.ZERO : delay.minus(elapsed);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static <K, V> Cache<K, V> cache(Ticker ticker, Duration lifetime) {
        return Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(MAX_TRACKED)
                .expireAfterWrite(lifetime)
                .build();
    }
}
