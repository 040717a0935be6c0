package dev.evaluator.engine;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.AuditQuery;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail of management actions: library create, replace, delete, rollback and purge, function create and
 * drop, user create, change and delete, imports, and every such action refused for permission. Changes of libraries
 * write their entry in their own transaction (see {@link LibraryHistory}); the rest append here once they ended.
 * Entries older than the retention are pruned in the background, by a range delete that no write waits for; the
 * pruning thread stops once the store is closed, or on {@link #close()}.
 * <p>
 * An entry never holds a password, a hash or library code: code is named by its version.
 */
public final class AuditLog implements AutoCloseable {
    /** Days entries are kept unless configured otherwise ({@code --audit-days}). */
    public static final int DEFAULT_DAYS = 90;
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

    private final Store store;
    private final Duration retention;
    private final ScheduledExecutorService pruner;

    /**
     * Keep entries for a while, pruning older ones now and then every {@code every}.
     *
     * @param retention how long entries are kept
     * @param every     how often older ones are pruned
     * @throws IllegalArgumentException when the retention or the period is not positive
     */
    public AuditLog(Store store, Duration retention, Duration every) {
        if (retention.isNegative() || retention.isZero() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the retention and the pruning period must be positive");
        }
        this.store = store;
        this.retention = retention;
        this.pruner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("audit-pruner")
                .factory());
        pruner.scheduleWithFixedDelay(this::pruneQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * An entry to append in a transaction ({@link dev.evaluator.store.StoreTransaction#appendAudit}); the store
     * stamps its time and position.
     *
     * @return the entry
     */
    public AuditEntry entry(String user, String client, String action, String target, String outcome,
                            OptionalLong version, String detail) {
        return new AuditEntry(0, Instant.EPOCH, user, client, action, target, outcome, version, detail);
    }

    /**
     * Append an entry now, for an action that wrote nothing of libraries (a refusal, a user change). A store that
     * fails is logged, not thrown: the caller's answer stands.
     */
    public void record(String user, String client, String action, String target, String outcome,
                       OptionalLong version, String detail) {
        try {
            store.audit().append(entry(user, client, action, target, outcome, version, detail));
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not append to the audit log: " + action + " " + target
                    + " by " + user + " (" + outcome + ")", e);
        }
    }

    /**
     * Entries matching a query, newest first.
     *
     * @return the entries
     */
    public List<AuditEntry> find(AuditQuery query) {
        return store.audit().find(query);
    }

    /** Delete the entries older than the retention. */
    public void prune() {
        store.audit().pruneBefore(Instant.now().minus(retention));
    }

    private void pruneQuietly() {
        if (!store.isOpen()) {
            // The store's owner closed it: nothing is left to prune.
            pruner.shutdown();
            return;
        }
        try {
            prune();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Pruning the audit log failed; it is tried again later", e);
        }
    }

    /** Stop pruning. */
    @Override
    public void close() {
        pruner.shutdownNow();
    }
}
