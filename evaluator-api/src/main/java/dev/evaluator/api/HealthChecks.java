package dev.evaluator.api;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;

import java.lang.System.Logger.Level;
import java.time.Duration;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.observe.health.HealthObserver;

/**
 * The health probes, answered without credentials by Helidon's health observer: {@value #LIVE_PATH} is up while
 * the server answers at all; {@value #READY_PATH} is up only while the store is open and takes writes and the
 * JavaScript engine is initialised. The answers name each check and its status, nothing more; why a check is down
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
    private final JsRuntime runtime;

    private boolean probed;
    private long probedAt;
    private boolean writable;

    HealthChecks(Store store, JsRuntime runtime) {
        this.store = store;
        this.runtime = runtime;
    }

    /** The health endpoints, for the web server's observe feature. */
    HealthObserver observer() {
        return HealthObserver.builder()
                .endpoint("/health")
                .details(true)
                .useSystemServices(false)
                .addCheck(() -> status(true), HealthCheckType.LIVENESS, "server")
                .addCheck(() -> status(storeWritable()), HealthCheckType.READINESS, "store")
                .addCheck(() -> status(runtime.stats().open()), HealthCheckType.READINESS, "javascript")
                .build();
    }

    private static HealthCheckResponse status(boolean up) {
        return HealthCheckResponse.builder().status(up).build();
    }

    /** Whether the store is open and took the last probe write, probing again once the last probe is old. */
    private synchronized boolean storeWritable() {
        if (!store.isOpen()) {
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
