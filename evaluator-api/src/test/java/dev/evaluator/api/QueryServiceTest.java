package dev.evaluator.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QueryServiceTest {
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
    void duration_asCouchbaseShowsIt(long nanos, String shown) {
        assertEquals(shown, QueryService.duration(nanos));
    }
}
