package dev.evaluator.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginThrottle throttle = new LoginThrottle(now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private void fail(int times, String user, String address) {
        for (int i = 0; i < times; i++) {
            throttle.failed(user, address);
        }
    }

    @Test
    void waitBefore_underFiveFailures_none() {
        fail(4, "u", "1.2.3.4");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "1.2.3.4"));
    }

    @Test
    void waitBefore_delayDoublesAfterEachFurtherFailure() {
        fail(5, "u", "a");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("u", "a"));
        advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
        fail(1, "u", "a");
        assertEquals(Optional.of(Duration.ofSeconds(2)), throttle.waitBefore("u", "a"));
        fail(1, "u", "a");
        assertEquals(Optional.of(Duration.ofSeconds(4)), throttle.waitBefore("u", "a"));
    }

    @Test
    void waitBefore_cappedAtFiveMinutes() {
        fail(40, "u", "a");
        assertEquals(Optional.of(Duration.ofMinutes(5)), throttle.waitBefore("u", "a"));
    }

    @Test
    void waitBefore_guessesFromAnotherAddress_doNotLockTheVictimOut() {
        throttle.succeeded("victim", "10.0.0.1");
        fail(12, "victim", "10.6.6.6");
        fail(12, "Administrator", "10.6.6.6");
        assertTrue(throttle.waitBefore("victim", "10.6.6.6").isPresent());
        // From its own address the victim is checked at once, whether it logged in there before or not.
        assertEquals(Optional.empty(), throttle.waitBefore("victim", "10.0.0.1"));
        assertEquals(Optional.empty(), throttle.waitBefore("Administrator", "10.0.0.2"));
    }

    @Test
    void waitBefore_guessingManyNamesFromOneAddress_spendsItsBudget() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("user" + i, "10.9.9.9");
        }
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("someone-else", "10.9.9.9"));
        assertEquals(Optional.empty(), throttle.waitBefore("someone-else", "10.1.1.1"));
    }

    @Test
    void succeeded_resetsThePair() {
        fail(7, "u", "a");
        throttle.succeeded("u", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
        fail(4, "u", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
    }

    @Test
    void succeeded_resetsOnlyItsOwnPair_notTheAddressBudget() {
        // Four guesses, then the guesser's own valid login, again and again.
        int guesses = 0;
        for (int round = 0; round < 3 && throttle.waitBefore("other" + guesses, "a").isEmpty(); round++) {
            for (int i = 0; i < 4 && throttle.waitBefore("other" + guesses, "a").isEmpty(); i++) {
                throttle.failed("other" + guesses++, "a");
            }
            throttle.succeeded("mallory", "a");
        }
        assertEquals(LoginThrottle.FREE_FAILURES, guesses, "the sixth guess must wait");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("other-name", "a"));
        assertEquals(Optional.empty(), throttle.waitBefore("mallory", "a"));
    }

    @Test
    void trustedPair_isNotChargedToTheAddressBudget_andPassesItWhenSpent() {
        throttle.succeeded("alice", "a");
        fail(LoginThrottle.FREE_FAILURES, "alice", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("bob", "a"), "alice's typos are not guesses at others");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("alice", "a"), "but her pair waits");
        throttle.succeeded("alice", "a");
        for (int i = 0; i < 10; i++) {
            throttle.failed("guess" + i, "a");
        }
        assertTrue(throttle.waitBefore("newcomer", "a").isPresent());
        assertEquals(Optional.empty(), throttle.waitBefore("alice", "a"));
    }

    @Test
    void trust_endsAfterADay() {
        throttle.succeeded("alice", "a");
        advance(Duration.ofHours(LoginThrottle.TRUSTED_HOURS).plusMinutes(1));
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("guess" + i, "a");
        }
        assertTrue(throttle.waitBefore("alice", "a").isPresent());
    }

    @Test
    void failures_forgottenAfterAnHour() {
        fail(6, "u", "a");
        advance(Duration.ofMinutes(61));
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
        fail(1, "u", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
    }
}
