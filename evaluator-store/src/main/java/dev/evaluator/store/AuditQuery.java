package dev.evaluator.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which audit entries to read: each filter that is present must match; newest first, below a position.
 *
 * @param user   only this user's entries
 * @param action only entries of this action, or of actions starting with it and a dot ({@code library} matches
 *               {@code library.create})
 * @param target only entries of this target
 * @param from   only entries at or after this time
 * @param to     only entries before this time
 * @param below  only entries at positions below this ({@link Long#MAX_VALUE} for the newest)
 * @param limit  at most this many, at least 1
 */
public record AuditQuery(Optional<String> user, Optional<String> action, Optional<String> target,
                         Optional<Instant> from, Optional<Instant> to, long below, int limit) {
    /**
     * Check the fields.
     *
     * @throws NullPointerException     if a field is null
     * @throws IllegalArgumentException if the limit is below 1
     */
    public AuditQuery {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    /**
     * The newest entries, unfiltered.
     *
     * @param limit at most this many
     * @return the query
     */
    public static AuditQuery newest(int limit) {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Long.MAX_VALUE, limit);
    }

    /**
     * Whether an entry passes the filters (not the position).
     *
     * @param entry the entry
     * @return true when every present filter matches
     */
    public boolean matches(AuditEntry entry) {
        return user.map(entry.user()::equals).orElse(true)
                && action.map(a -> entry.action().equals(a) || entry.action().startsWith(a + ".")).orElse(true)
                && target.map(entry.target()::equals).orElse(true)
                && from.map(f -> !entry.time().isBefore(f)).orElse(true)
                && to.map(t -> entry.time().isBefore(t)).orElse(true);
    }
}
