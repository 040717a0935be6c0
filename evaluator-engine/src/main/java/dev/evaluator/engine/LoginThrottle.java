package dev.evaluator.engine;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES} failed logins for a user name, or from a client
 * address, each further attempt must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to 5 minutes)
 * after the last failure. Attempts that come too early are refused without checking the password (so they cost no
 * hashing either). A successful login resets the user's and the address's count. Counts are forgotten after an
 * hour without failures. Anonymous requests (no credentials at all) are not login attempts.
 */
public final class LoginThrottle {
    /** Failed logins allowed before attempts are slowed down. */
    public static final int FREE_FAILURES = 5;
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofMinutes(5);
    private static final Duration FORGET_AFTER = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastNanos) {
    }

    private final Ticker ticker;
    private final Cache<String, Failures> byUser;
    private final Cache<String, Failures> byAddress;

    /** A throttle on the system clock. */
    public LoginThrottle() {
        this(Ticker.systemTicker());
    }

    /**
     * @param ticker the clock (tests move it by hand)
     */
    public LoginThrottle(Ticker ticker) {
        this.ticker = ticker;
        this.byUser = cache(ticker);
        this.byAddress = cache(ticker);
    }

    /**
     * How long the caller must still wait before this attempt may be checked, if at all.
     *
     * @return the wait, or empty when the attempt may be checked now
     */
    public Optional<Duration> waitBefore(String user, String address) {
        long now = ticker.read();
        Duration wait = max(remaining(byUser.getIfPresent(user), now), remaining(byAddress.getIfPresent(address), now));
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /** Count a failed login. */
    public void failed(String user, String address) {
        long now = ticker.read();
        byUser.asMap().merge(user, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        byAddress.asMap().merge(address, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
    }

    /** Forget the failures of a user and an address after a successful login. */
    public void succeeded(String user, String address) {
        byUser.invalidate(user);
        byAddress.invalidate(address);
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

    private static Cache<String, Failures> cache(Ticker ticker) {
        return Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(MAX_TRACKED)
                .expireAfterWrite(FORGET_AFTER)
                .build();
    }
}
