package dev.evaluator.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLogFormatterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void format_plainRecord_oneLineOfJson() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "disk \"full\"\nsecond line");
        record.setLoggerName("dev.evaluator.store");
        record.setThrown(new IllegalStateException("boom"));

        String line = new JsonLogFormatter().format(record);

        assertTrue(line.endsWith(System.lineSeparator()));
        assertFalse(line.strip().contains("\n"), line);
        JsonNode json = MAPPER.readTree(line);
        assertEquals("WARNING", json.get("level").asText());
        assertEquals("dev.evaluator.store", json.get("logger").asText());
        assertEquals("disk \"full\"\nsecond line", json.get("message").asText());
        assertEquals(record.getInstant().toString(), json.get("time").asText());
        assertTrue(json.get("exception").asText().startsWith("java.lang.IllegalStateException: boom"));
    }

    @Test
    void format_accessEntry_fieldsAsProperties() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", "GET");
        fields.put("status", 404);
        fields.put("durationMs", 1.25);
        AccessLog.Entry entry = new AccessLog.Entry(fields, "method=GET status=404 durationMs=1.25");

        JsonNode json = MAPPER.readTree(new JsonLogFormatter().format(entry));

        assertEquals(AccessLog.LOGGER, json.get("logger").asText());
        assertEquals("GET", json.get("method").asText());
        assertEquals(404, json.get("status").intValue());
        assertEquals(1.25, json.get("durationMs").doubleValue());
        assertFalse(json.has("exception"));
    }

    @Test
    void line_ownMessage_sameShape() throws Exception {
        JsonNode json = MAPPER.readTree(JsonLogFormatter.line(Level.INFO, "dev.evaluator.api.Main", "listening"));

        assertEquals("INFO", json.get("level").asText());
        assertEquals("listening", json.get("message").asText());
    }
}
