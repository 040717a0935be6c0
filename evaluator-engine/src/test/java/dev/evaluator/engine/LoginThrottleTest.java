package dev.evaluator.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void waitBefore_perUserAcrossAddresses_andPerAddressAcrossUsers() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("victim", "10.0.0." + i);
        }
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("victim", "10.0.0.99"));
        for (int i = 0; i < 5; i++) {
            throttle.failed("user" + i, "10.9.9.9");
        }
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitBefore("someone-else", "10.9.9.9"));
        assertEquals(Optional.empty(), throttle.waitBefore("someone-else", "10.1.1.1"));
    }

    @Test
    void succeeded_resetsUserAndAddress() {
        fail(7, "u", "a");
        throttle.succeeded("u", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
        fail(4, "u", "a");
        assertEquals(Optional.empty(), throttle.waitBefore("u", "a"));
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
