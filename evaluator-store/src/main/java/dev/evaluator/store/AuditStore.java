package dev.evaluator.store;

import java.time.Instant;
import java.util.List;

/**
 * The audit log: management actions, appended, read newest first, and pruned by age. An action that changes
 * libraries or functions appends its entry in its own transaction ({@link StoreTransaction#appendAudit}); others
 * (refusals, user changes) append here. Implementations are safe for concurrent use.
 */
public interface AuditStore {
    /**
     * Append an entry, durably, at a position after every entry appended before.
     *
     * @param entry the entry; its {@code id} and {@code time} are ignored: the store stamps both
     * @return the entry as stored, with its position and time
     * @throws StoreException if the write fails
     */
    AuditEntry append(AuditEntry entry);

    /**
     * Entries matching a query, newest first.
     *
     * @param query the filters, the position to read below and the limit
     * @return at most {@code query.limit()} entries
     * @throws StoreException if the store cannot be read
     */
    List<AuditEntry> find(AuditQuery query);

    /**
     * Delete every entry older than a time, without holding up writes of libraries, functions or the log.
     *
     * @param before entries before this time go
     * @throws StoreException if the delete fails
     */
    void pruneBefore(Instant before);
}
