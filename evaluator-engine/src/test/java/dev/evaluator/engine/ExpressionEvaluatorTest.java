package dev.evaluator.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Couchbase's order of JSON values, which ORDER BY sorts by: every pair of a list written in that order compares as
 * its positions do.
 */
class ExpressionEvaluatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void collate_valuesOfEveryType_inCouchbasesOrder() throws Exception {
        List<Optional<JsonNode>> ordered = new ArrayList<>();
        ordered.add(Optional.empty());
        for (String json : List.of("null", "false", "true", "-1e3", "-2", "0", "0.5", "1", "1.5",
                "12345678901234567890", "\"\"", "\"A\"", "\"a\"", "\"ab\"", "\"b\"", "\"\uFFFD\"", "\"\uD83D\uDE00\"",
                "[]", "[null]", "[1]", "[1, 2]", "[2]", "[\"a\"]", "{}", "{\"b\": 9}", "{\"a\": 1, \"b\": 1}",
                "{\"a\": 1, \"b\": 2}", "{\"a\": 2, \"b\": 1}", "{\"a\": 1, \"c\": 0}", "{\"a\": 1, \"b\": 1, \"c\": 1}")) {
            ordered.add(Optional.of(MAPPER.readTree(json)));
        }
        for (int i = 0; i < ordered.size(); i++) {
            for (int j = 0; j < ordered.size(); j++) {
                assertEquals(Integer.signum(Integer.compare(i, j)),
                        Integer.signum(ExpressionEvaluator.collate(ordered.get(i), ordered.get(j))),
                        ordered.get(i) + " vs " + ordered.get(j));
            }
        }
    }

    @Test
    void collate_equalNumbersOfAnyScale_areEqual() throws Exception {
        assertEquals(0, ExpressionEvaluator.collate(Optional.of(MAPPER.readTree("1")),
                Optional.of(MAPPER.readTree("1.00"))));
    }
}
