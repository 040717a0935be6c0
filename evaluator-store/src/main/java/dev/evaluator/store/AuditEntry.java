package dev.evaluator.store;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One management action in the audit log: who did what to what, from where, and how it ended. Never holds a
 * password, a hash or library code (code is referred to by its version).
 *
 * @param id      the entry's position in the log, increasing with time, unique; 0 for an entry not yet appended
 * @param time    when it was appended to the log (the store stamps it)
 * @param user    who asked (a login name), empty when nobody was authenticated
 * @param client  the client's address
 * @param action  what was asked, e.g. {@code library.replace}
 * @param target  what it was asked of, e.g. a library's path {@code travel-sample/inventory/math}
 * @param outcome {@code success}, or the error code it was refused with
 * @param version the library version it made or concerned, where one applies
 * @param detail  more about it in a few words (e.g. {@code forced}, {@code unchanged}), or empty
 */
public record AuditEntry(long id, Instant time, String user, String client, String action, String target,
                         String outcome, OptionalLong version, String detail) {
    /** The outcome of an action that succeeded. */
    public static final String SUCCESS = "success";

    /**
     * Check that no field is null.
     *
     * @throws NullPointerException if a field is null
     */
    public AuditEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * The same entry at a position in the log, and at the time of that position.
     *
     * @param id   the position
     * @param time when it was appended
     * @return the entry
     */
    public AuditEntry at(long id, Instant time) {
        return new AuditEntry(id, time, user, client, action, target, outcome, version, detail);
    }
}
