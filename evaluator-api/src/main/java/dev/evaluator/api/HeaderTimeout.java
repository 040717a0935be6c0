package dev.evaluator.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Closes a connection whose request line arrived but whose headers did not within the timeout (a slow-headers
 * attack holds a connection, and its descriptor, for as long as it trickles them). The web server (Helidon 4.3) has
 * no such timeout of its own: it reads headers without one. Its receive listener tells this class when a request
 * line and when the headers have been read; one timer thread closes the sockets whose headers are late.
 * <p>
 * A connection that has not sent its request line yet is closed by the web server's idle timeout instead.
 */
final class HeaderTimeout implements Http1ConnectionListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HeaderTimeout.class.getName());

    private final Duration timeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "header-timeout");
        thread.setDaemon(true);
        return thread;
    });
    /** Connections whose headers are awaited, by identity (the web server's contexts do not override equals). */
    private final Map<ConnectionContext, ScheduledFuture<?>> awaited = new ConcurrentHashMap<>();

    HeaderTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        ScheduledFuture<?> expiry = timer.schedule(() -> expire(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
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
    }

    private void expire(ConnectionContext ctx) {
        if (awaited.remove(ctx) == null) {
            return;
        }
        try {
            ctx.serverSocket().close();
            LOG.log(System.Logger.Level.DEBUG, () -> "Closed a connection from " + ctx.remotePeer().host()
                    + ": its headers did not arrive within " + timeout.toSeconds() + " s");
        } catch (RuntimeException e) {
            // Closed meanwhile: nothing to do.
            LOG.log(System.Logger.Level.TRACE, "closing a connection whose headers were late", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
