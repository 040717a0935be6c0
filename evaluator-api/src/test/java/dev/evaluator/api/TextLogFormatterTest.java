package dev.evaluator.api;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextLogFormatterTest {
    private static final String FORGED = "ok\n2031-01-01T00:00:00.000 INFO dev.evaluator.access: method=DELETE"
            + " path=/evaluator/v1/libraries/x status=200\r\u001b[2K\u2028";

    @Test
    void format_messageWithLineBreaksAndControls_oneLineWithEscapes() {
        LogRecord record = new LogRecord(Level.INFO, FORGED);
        record.setLoggerName("dev.evaluator.udf");

        String line = new TextLogFormatter().format(record);

        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(" INFO dev.evaluator.udf: ok\\n2031-01-01T00:00:00.000 INFO dev.evaluator.access:"
                + " method=DELETE path=/evaluator/v1/libraries/x status=200\\r\\u001b[2K\\u2028"), line);
    }

    @Test
    void format_exceptionWithForgedMessage_framesOnTabbedLinesAndTheMessageEscaped() {
        LogRecord record = new LogRecord(Level.SEVERE, "Unexpected failure on GET /ui/x");
        record.setLoggerName("dev.evaluator.api.ErrorMapper");
        record.setThrown(new IllegalStateException("bad\n2031-01-01 SEVERE forged", new RuntimeException("cause\r\nx")));

        String text = new TextLogFormatter().format(record);

        var lines = text.lines().toList();
        assertTrue(lines.getFirst().endsWith("SEVERE dev.evaluator.api.ErrorMapper: Unexpected failure on GET /ui/x"),
                lines.getFirst());
        assertEquals("java.lang.IllegalStateException: bad\\n2031-01-01 SEVERE forged", lines.get(1));
        for (String line : lines.subList(2, lines.size())) {
            assertTrue(line.startsWith("\t"), "a continuation line starts with a tab: " + line);
        }
        assertTrue(lines.contains("\tCaused by: java.lang.RuntimeException: cause\\r\\nx"), text);
    }
}
