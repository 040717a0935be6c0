package dev.evaluator.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.function.Supplier;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;

import java.lang.System.Logger.Level;
import java.time.Duration;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.health.HealthObserverConfig;

/**
 * The health probes, answered without credentials by Helidon's health observer: {@value #LIVE_PATH} is up while
 * the server answers at all; {@value #READY_PATH} is up only while the store is open and takes writes, on etcd
 * this node hears the other nodes' changes ({@code store-sync}), and the JavaScript engine is initialised. The answers name each check and its status, nothing more; why a check is down
 * goes to the server log.
 * <p>
 * The server listens only once the store is open and the engine initialised, and stops listening as soon as it
 * starts shutting down, so a probe never finds it half started or half stopped.
 */
final class HealthChecks {
    static final String LIVE_PATH = "/health/live";
    static final String READY_PATH = "/health/ready";

    /** Proving the store takes writes costs a synced write: at most one per interval, however often probes come. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(HealthChecks.class.getName());

    private final Store store;
    /** Whether other nodes write the store too (etcd): then readiness also needs their changes heard. */
    private final boolean shared;
    private final JsRuntime runtime;
    private final Supplier<List<InetSocketAddress>> listeners;
    private long listenersCheckedAt;
    private boolean listenersUp = true;

    private boolean syncedBefore = true;
    private boolean probed;
    private long probedAt;
    private boolean writable;

    /**
     * @param listeners the addresses the web server listens on (empty until it does)
     */
    HealthChecks(Store store, boolean shared, JsRuntime runtime, Supplier<List<InetSocketAddress>> listeners) {
        this.shared = shared;
        this.store = store;
        this.runtime = runtime;
        this.listeners = listeners;
    }

    /** The health endpoints, for the web server's observe feature. */
    HealthObserver observer() {
        HealthObserverConfig.Builder builder = HealthObserver.builder()
                .endpoint("/health")
                .details(true)
                .useSystemServices(false)
                .addCheck(() -> status(true), HealthCheckType.LIVENESS, "server")
                .addCheck(() -> status(listening()), HealthCheckType.LIVENESS, "listeners")
                .addCheck(() -> status(storeWritable()), HealthCheckType.READINESS, "store");
        if (shared) {
            builder.addCheck(() -> status(inSync()), HealthCheckType.READINESS, "store-sync");
        }
        return builder.addCheck(() -> status(runtime.stats().open()), HealthCheckType.READINESS, "javascript")
                .build();
    }

    /** Whether this node hears the other nodes' changes (its watch of etcd is connected). */
    private boolean inSync() {
        boolean now = store.inSync();
        synchronized (this) {
            if (!now && syncedBefore) {
                LOG.log(Level.WARNING, "Not ready: the watch of etcd is broken, so changes made through other"
                        + " nodes may go unheard; reads go to etcd until it is back");
            }
            syncedBefore = now;
        }
        return now;
    }

    private static HealthCheckResponse status(boolean up) {
        return HealthCheckResponse.builder().status(up).build();
    }

    /**
     * Whether every listener still accepts connections: one whose accept failed has stopped for good while the
     * process stays up (the web server's behaviour), and only a restart brings it back. Checked at most once per
     * {@link #PROBE_INTERVAL} by connecting to each; a connection at the connection cap waits in the kernel's
     * backlog, which still counts as listening.
     */
    private synchronized boolean listening() {
        long now = System.nanoTime();
        if (listenersCheckedAt != 0 && now - listenersCheckedAt < PROBE_INTERVAL.toNanos()) {
            return listenersUp;
        }
        boolean up = true;
        for (InetSocketAddress address : listeners.get()) {
            try (Socket probe = new Socket()) {
                probe.connect(address, (int) PROBE_INTERVAL.toMillis());
            } catch (IOException e) {
                if (listenersUp) {
                    LOG.log(Level.ERROR, "Not live: nothing accepts connections on " + address + " any more ("
                            + e.getMessage() + "); restart the server");
                }
                up = false;
            }
        }
        listenersUp = up;
        listenersCheckedAt = System.nanoTime();
        return up;
    }

    /** Whether the store is open and took the last probe write, probing again once the last probe is old. */
    private synchronized boolean storeWritable() {
        if (!store.isOpen()) {
            return false;
        }
        if (shared && !store.inSync()) {
            // The watch of etcd is broken: not ready anyway, and a probe write would wait out the etcd timeout,
            // longer than a load balancer waits for the probe's answer.
            return false;
        }
        long now = System.nanoTime();
        if (probed && now - probedAt < PROBE_INTERVAL.toNanos()) {
            return writable;
        }
        boolean was = !probed || writable;
        try {
            store.checkWritable();
            writable = true;
        } catch (StoreException e) {
            writable = false;
            if (was) {
                LOG.log(Level.WARNING, "Not ready: the store does not take writes: " + e.getMessage());
            }
        }
        probed = true;
        probedAt = System.nanoTime();
        return writable;
    }
}
