package dev.evaluator.engine;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0.000µs",
            "7, 0.007µs",
            "91234, 91.234µs",
            "999999, 999.999µs",
            "1000000, 1.0000ms",
            "1000049, 1.0000ms",
            "1000050, 1.0001ms",
            "12345678, 12.3457ms",
            "999999999, 1000.0000ms",
            "1000000000, 1.0000s",
            "61234550000, 61.2346s",
            "61234549999, 61.2345s",
    })
    void format_asCouchbaseShowsIt(long nanos, String shown) {
        assertEquals(shown, GoDuration.format(nanos));
    }

    @ParameterizedTest
    @CsvSource({
            "500ms, 500000000",
            "10s, 10000000000",
            "2m, 120000000000",
            "1h30m, 5400000000000",
            "1.5s, 1500000000",
            "250us, 250000",
            "250µs, 250000",
            "' 3s ', 3000000000",
            "7ns, 7",
    })
    void parse_goDurations_readAsCouchbaseReadsThem(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse("timeout", text));
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0s",
            "7, 7ns",
            "1500, 1.5µs",
            "500000000, 500ms",
            "1000000000, 1s",
            "1500000000, 1.5s",
            "90000000000, 1m30s",
            "7200000000000, 2h0m0s",
            "5430250000000, 1h30m30.25s",
    })
    void go_asGoWritesDurations(long nanos, String shown) {
        assertEquals(shown, GoDuration.go(Duration.ofNanos(nanos)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "-1s", "0s", "1x", "1s2", "ms10", "1 s", "1s 2m"})
    void parse_notADuration_isInvalidArgumentNamingTheField(String text) {
        EngineException e = assertThrows(EngineException.class, () -> GoDuration.parse("timeout", text));
        assertEquals(EngineException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals("timeout must be a positive duration such as 500ms, 10s or 2m, not " + text.strip(),
                e.getMessage());
    }
}
