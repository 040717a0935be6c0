package dev.evaluator.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
 * One timer thread closes the sockets that are late.
 * <p>
 * A request is routed on the thread that read its headers (HTTP/1), so the body's deadline is kept in a thread
 * local for {@link #bodyRead()}. A body the handler never reads is consumed by the web server after the response,
 * still under its deadline. A connection that has not sent its request line yet is closed by the web server's idle
 * timeout instead.
 */
final class ReadTimeouts implements Http1ConnectionListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReadTimeouts.class.getName());
    /** The deadline of the body this thread's request is reading, if it has one. */
    private static final ThreadLocal<ScheduledFuture<?>> BODY = new ThreadLocal<>();

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    /**
     * Two deadlines per request, nearly all cancelled long before they expire: a cancelled one leaves the queue at
     * once, or the queue would hold every request of the last timeout's span (a million tasks at 15,000 requests/s,
     * hundreds of MB kept alive and a collection every few milliseconds).
     */
    private final ScheduledThreadPoolExecutor timer = timer();
    /** Connections whose headers are awaited, by identity (the web server's contexts do not override equals). */
    private final Map<ConnectionContext, ScheduledFuture<?>> awaited = new ConcurrentHashMap<>();

    ReadTimeouts(Duration headerTimeout, Duration bodyTimeout) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        ScheduledFuture<?> expiry = timer.schedule(() -> {
            if (awaited.remove(ctx) != null) {
                drop(ctx, "its headers did not arrive within " + headerTimeout.toSeconds() + " s");
            }
        }, headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = awaited.put(ctx, expiry);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        ScheduledFuture<?> expiry = awaited.remove(ctx);
        if (expiry != null) {
            expiry.cancel(false);
        }
        bodyRead();
        if (headers.contains(HeaderNames.TRANSFER_ENCODING)
                || headers.first(HeaderNames.CONTENT_LENGTH).filter(length -> !length.equals("0")).isPresent()) {
            BODY.set(timer.schedule(() -> drop(ctx, "its body did not arrive within " + bodyTimeout.toSeconds()
                    + " s"), bodyTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** The request of this thread has read its body: its deadline no longer applies. */
    static void bodyRead() {
        ScheduledFuture<?> deadline = BODY.get();
        if (deadline != null) {
            deadline.cancel(false);
            BODY.remove();
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

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "read-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Deadlines waiting in the timer's queue (for tests: cancelled ones must not stay). */
    int pendingDeadlines() {
        return timer.getQueue().size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
