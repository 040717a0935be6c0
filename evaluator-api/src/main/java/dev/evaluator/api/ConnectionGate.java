package dev.evaluator.api;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The connection cap of one listener, with a clear refusal: the listener's only protocol (HTTP/1.1), counting the
 * connections it holds. A connection beyond {@code cap} is still read, but its request is answered
 * {@code 503 too_many_connections} with {@code Retry-After} and the connection closed ({@link RequestGuard} asks
 * {@link #refusing()}); one that sends nothing is closed after {@code grace}. The web server's own cap (its
 * {@code maxTcpConnections}, which stops accepting: clients then wait in the kernel's backlog) is set
 * {@link ConnectionLimit#refusalReserve(int)} higher, so that refusals have descriptors to be made with.
 * <p>
 * Being the listener's one connection selector also makes the web server start reading a new connection's request at
 * once (with two selectors it waits for the first bytes to choose, outside of its idle-connection check), so a
 * connection that never sends a byte is closed by the idle timeout like any other.
 * <p>
 * HTTP/1.1 routes a connection's requests on the thread that reads them, so the refusal is told to the filter in a
 * thread local.
 */
final class ConnectionGate implements ServerConnectionSelector {
    private static final ThreadLocal<Boolean> REFUSING = new ThreadLocal<>();

    private final ServerConnectionSelector http1;
    private final int cap;
    private final Duration idleTimeout;
    private final Duration grace;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();

    /**
     * @param http1       the HTTP/1.1 configuration of the listener
     * @param cap         the connections served at once; more are refused
     * @param idleTimeout the listener's idle timeout
     * @param grace       how long a refused connection may take to send its request
     */
    ConnectionGate(Http1Config http1, int cap, Duration idleTimeout, Duration grace) {
        this.http1 = Http1ConnectionSelector.builder().config(http1).build();
        this.cap = cap;
        this.idleTimeout = idleTimeout;
        this.grace = grace.compareTo(idleTimeout) < 0 ? grace : idleTimeout;
    }

    /** Whether the connection whose request this thread routes is beyond the cap, and must be refused. */
    static boolean refusing() {
        return Boolean.TRUE.equals(REFUSING.get());
    }

    /** Connections open now, refused ones included. */
    int open() {
        return open.get();
    }

    /** Connections refused since start. */
    long refused() {
        return refused.sum();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return http1.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        ServerConnection connection = http1.connection(ctx);
        boolean over = open.incrementAndGet() > cap;
        if (over) {
            refused.increment();
        }
        return new Counted(connection, over);
    }

    /** A connection of the listener, counted while it is handled. */
    private final class Counted implements ServerConnection, InterruptableTask<Void> {
        private final ServerConnection delegate;
        private final boolean over;

        Counted(ServerConnection delegate, boolean over) {
            this.delegate = delegate;
            this.over = over;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            if (over) {
                REFUSING.set(Boolean.TRUE);
            }
            try {
                delegate.handle(limit);
            } finally {
                REFUSING.remove();
                open.decrementAndGet();
            }
        }

        /** A refused connection looks idle to the web server's idle check once its grace has passed. */
        @Override
        public Duration idleTime() {
            Duration idle = delegate.idleTime();
            return over ? idle.plus(idleTimeout).minus(grace) : idle;
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return delegate instanceof InterruptableTask<?> task && task.canInterrupt();
        }
    }
}
