package dev.evaluator.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogWriterTest {
    private static final Formatter LINE = new Formatter() {
        @Override
        public String format(LogRecord record) {
            return record.getLevel() + " " + record.getMessage() + "\n";
        }
    };

    @Test
    void flush_everyQueuedLineWrittenInOrder() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AccessLogWriter writer = new AccessLogWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8), LINE);
        for (int i = 0; i < 1000; i++) {
            writer.publish(new LogRecord(Level.INFO, "line " + i));
        }

        writer.flush();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1000, lines.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals("INFO line " + i, lines.get(i));
        }
        writer.close();
    }

    @Test
    void publish_outputBlockedAndQueueFull_dropsCountsAndWarns() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream blocking = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                bytes.write(b, off, len);
            }
        };
        AccessLogWriter writer = new AccessLogWriter(new PrintStream(blocking, false, StandardCharsets.UTF_8), LINE,
                10);
        writer.publish(new LogRecord(Level.INFO, "first"));
        // The writer thread takes the first line and blocks on the output.
        writing.await();
        for (int i = 0; i < 15; i++) {
            writer.publish(new LogRecord(Level.INFO, "queued " + i));
        }

        release.countDown();
        writer.flush();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("INFO first", lines.getFirst());
        assertEquals(12, lines.size(), lines.toString());
        assertTrue(lines.getLast().startsWith("WARNING 5 access log lines were dropped"), lines.getLast());
        writer.close();
    }
}
