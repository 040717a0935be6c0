package dev.evaluator.api;

import java.io.PrintStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The access log's handler in the server process: request threads only queue their line, and one background thread
 * formats and writes the queued lines in batches, with one flush per batch. Written in line, under the console
 * handler's lock with a flush per line, the access log cost more throughput than with this writer.
 * <p>
 * Lines are written within {@value #IDLE_MILLIS} ms. At most {@value #CAPACITY} wait: beyond that (standard output
 * blocked) lines are dropped and counted, and a warning says how many. {@link #flush()} writes every queued line
 * before it returns.
 */
final class AccessLogWriter extends Handler {
    static final int CAPACITY = 100_000;
    private static final long IDLE_MILLIS = 5;

    private final PrintStream out;
    private final int capacity;
    private final Queue<LogRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    /**
     * Start the writer thread.
     *
     * @param formatter the server log's formatter, so access lines look like every other line
     */
    AccessLogWriter(PrintStream out, Formatter formatter) {
        this(out, formatter, CAPACITY);
    }

    /** With another capacity (tests). */
    AccessLogWriter(PrintStream out, Formatter formatter, int capacity) {
        this.out = out;
        this.capacity = capacity;
        setFormatter(formatter);
        Thread.ofPlatform().daemon().name("access-log").start(this::run);
    }

    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.offer(record);
    }

    private void run() {
        while (!closed) {
            if (!writeBatch()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
            }
        }
    }

    /** Write what is queued; synchronized, so that a flush never returns while the writer holds lines. */
    private synchronized boolean writeBatch() {
        StringBuilder batch = new StringBuilder();
        int written = 0;
        for (LogRecord record = queue.poll(); record != null; record = queue.poll()) {
            batch.append(getFormatter().format(record));
            written++;
        }
        queued.addAndGet(-written);
        long lost = dropped.sumThenReset();
        if (lost > 0) {
            LogRecord warning = new LogRecord(Level.WARNING, lost + " access log lines were dropped: standard output"
                    + " did not keep up");
            warning.setLoggerName(AccessLog.LOGGER);
            warning.setSourceClassName(AccessLogWriter.class.getName());
            warning.setSourceMethodName("writeBatch");
            batch.append(getFormatter().format(warning));
        }
        if (batch.isEmpty()) {
            return false;
        }
        out.print(batch);
        out.flush();
        return true;
    }

    @Override
    public void flush() {
        writeBatch();
    }

    @Override
    public void close() {
        closed = true;
        writeBatch();
    }
}
