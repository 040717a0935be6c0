package dev.evaluator.api;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Closes a connection whose request does not arrive in time: its headers within the header timeout of its request
 * line, its body within the body timeout of its headers. A slow client (or a slow-headers attack) otherwise holds a
 * connection, and its descriptor, for as long as it trickles bytes: the web server (Helidon 4.3) reads requests
 * without any timeout of its own. Its receive listener tells this class when a request line and when the headers
 * have been read; {@link #bodyRead()}, called by whatever reads a body ({@link RequestBody}), when the body has.
 * One thread looks for late requests a few times per timeout (every {@link #sweepPeriod} at most) and closes their
 * sockets, so a connection is closed at most that much after its deadline.
 * <p>
 * Arming and clearing a deadline is a write to a concurrent map, with no thread woken: a scheduled task per deadline
 * (a {@code ScheduledThreadPoolExecutor}, before) woke the timer thread on about two requests in three to re-read its
 * queue's head, 5 us of CPU and a context switch per request on 2 cores.
 * <p>
 * A request is routed on the thread that read its headers (HTTP/1), so the body's deadline is kept in a thread
 * local for {@link #bodyRead()}. A body the handler never reads is consumed by the web server after the response,
 * still under its deadline. A connection that has not sent its request line yet is closed by the web server's idle
 * timeout instead.
 */
final class ReadTimeouts implements Http1ConnectionListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReadTimeouts.class.getName());
    /** The body this thread's request is reading, if it has a deadline. */
    private static final ThreadLocal<Body> BODY = new ThreadLocal<>();

    /** A body awaited on one connection, until {@code due} ({@link System#nanoTime()}); equal only to itself. */
    private static final class Body {
        final Set<Body> pending;
        final ConnectionContext ctx;
        final long due;

        Body(Set<Body> pending, ConnectionContext ctx, long due) {
            this.pending = pending;
            this.ctx = ctx;
            this.due = due;
        }
    }

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final long headerNanos;
    private final long bodyNanos;
    private final long sweepNanos;
    /**
     * Connections whose headers are awaited, with their deadlines ({@link System#nanoTime()}), by identity (the web
     * server's contexts do not override equals).
     */
    private final Map<ConnectionContext, Long> awaited = new ConcurrentHashMap<>();
    /** Bodies awaited. */
    private final Set<Body> bodies = ConcurrentHashMap.newKeySet();
    /** Started with the first request, so that a server whose start fails leaves no thread behind. */
    private volatile Thread sweeper;
    private volatile boolean closed;

    ReadTimeouts(Duration headerTimeout, Duration bodyTimeout) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
        this.headerNanos = headerTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
        this.sweepNanos = sweepPeriod(headerTimeout, bodyTimeout).toNanos();
    }

    /** How often late requests are looked for: a tenth of the shorter timeout, from 10 ms to 250 ms. */
    static Duration sweepPeriod(Duration headerTimeout, Duration bodyTimeout) {
        Duration tenth = (headerTimeout.compareTo(bodyTimeout) < 0 ? headerTimeout : bodyTimeout).dividedBy(10);
        Duration least = Duration.ofMillis(10);
        Duration most = Duration.ofMillis(250);
        return tenth.compareTo(least) < 0 ? least : tenth.compareTo(most) > 0 ? most : tenth;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        awaited.put(ctx, System.nanoTime() + headerNanos);
        if (sweeper == null) {
            startSweeper();
        }
    }

    private synchronized void startSweeper() {
        if (sweeper == null && !closed) {
            sweeper = Thread.ofPlatform().name("read-timeouts").daemon().start(this::sweep);
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        awaited.remove(ctx);
        bodyRead();
        if (headers.contains(HeaderNames.TRANSFER_ENCODING)
                || headers.first(HeaderNames.CONTENT_LENGTH).filter(length -> !length.equals("0")).isPresent()) {
            Body body = new Body(bodies, ctx, System.nanoTime() + bodyNanos);
            bodies.add(body);
            BODY.set(body);
        }
    }

    /** The request of this thread has read its body: its deadline no longer applies. */
    static void bodyRead() {
        Body body = BODY.get();
        if (body != null) {
            body.pending.remove(body);
            BODY.remove();
        }
    }

    private void sweep() {
        while (!closed) {
            LockSupport.parkNanos(this, sweepNanos);
            try {
                long now = System.nanoTime();
                // remove(key, value): a connection whose next request started meanwhile keeps its new deadline.
                awaited.forEach((ctx, due) -> {
                    if (now - due >= 0 && awaited.remove(ctx, due)) {
                        drop(ctx, "its headers did not arrive within " + headerTimeout.toSeconds() + " s");
                    }
                });
                for (Body body : bodies) {
                    if (now - body.due >= 0 && bodies.remove(body)) {
                        drop(body.ctx, "its body did not arrive within " + bodyTimeout.toSeconds() + " s");
                    }
                }
            } catch (RuntimeException e) {
                // The sweep must go on, or late connections would never be closed again.
                LOG.log(System.Logger.Level.ERROR, "looking for late requests failed", e);
            }
        }
    }

    private static void drop(ConnectionContext ctx, String why) {
        try {
            ctx.serverSocket().close();
            LOG.log(System.Logger.Level.DEBUG, () -> "Closed a connection from " + ctx.remotePeer().host() + ": "
                    + why);
        } catch (RuntimeException e) {
            // Closed meanwhile: nothing to do.
            LOG.log(System.Logger.Level.TRACE, "closing a late connection", e);
        }
    }

    /** Deadlines armed now (for tests: those of answered requests must not stay). */
    int pendingDeadlines() {
        return awaited.size() + bodies.size();
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            closed = true;
            thread = sweeper;
        }
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
