package dev.evaluator.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link AuditStore} (with {@link StoreTransaction#appendAudit}) must have; each
 * implementation's test extends this.
 */
public abstract class AuditStoreContract extends StoreContract {
    private static AuditEntry entry(Instant time, String user, String action, String target) {
        return new AuditEntry(0, time, user, "127.0.0.1", action, target, AuditEntry.SUCCESS, OptionalLong.of(3),
                "");
    }

    private List<String> targets(AuditQuery query) {
        return store.audit().find(query).stream().map(AuditEntry::target).toList();
    }

    private static AuditQuery query(Optional<String> user, Optional<String> action, Optional<String> target,
                                    Optional<Instant> from, Optional<Instant> to) {
        return new AuditQuery(user, action, target, from, to, Long.MAX_VALUE, 100);
    }

    @Test
    void append_readBack_newestFirst_withEveryField() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        AuditEntry first = store.audit().append(entry(now, "alice", "library.create", "math"));
        AuditEntry second = store.audit().append(new AuditEntry(0, now, "bob", "::1", "user.delete", "carol",
                "forbidden", OptionalLong.empty(), "détail"));

        assertTrue(second.id() > first.id());
        assertTrue(!first.time().isBefore(now) && !second.time().isBefore(first.time()));
        assertEquals(List.of(second, first), store.audit().find(AuditQuery.newest(10)));
    }

    private Instant appendAfterAPause(String user, String action, String target) throws InterruptedException {
        Thread.sleep(3);
        return store.audit().append(entry(Instant.EPOCH, user, action, target)).time();
    }

    @Test
    void find_filters_byUserActionPrefixTargetAndTime() throws InterruptedException {
        appendAfterAPause("alice", "library.create", "a");
        Instant second = appendAfterAPause("bob", "library.delete", "b");
        appendAfterAPause("alice", "user.create", "c");
        Instant fourth = appendAfterAPause("alice", "libraryx.create", "d");

        assertEquals(List.of("d", "c", "a"), targets(query(Optional.of("alice"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())));
        assertEquals(List.of("b", "a"), targets(query(Optional.empty(), Optional.of("library"),
                Optional.empty(), Optional.empty(), Optional.empty())));
        assertEquals(List.of("b"), targets(query(Optional.empty(), Optional.of("library.delete"),
                Optional.empty(), Optional.empty(), Optional.empty())));
        assertEquals(List.of("c"), targets(query(Optional.empty(), Optional.empty(), Optional.of("c"),
                Optional.empty(), Optional.empty())));
        assertEquals(List.of("c", "b"), targets(query(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(second), Optional.of(fourth))));
    }

    @Test
    void find_pagesBelowAPosition() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        IntStream.range(0, 5).forEach(i -> store.audit().append(entry(now, "alice", "library.create", "t" + i)));

        List<AuditEntry> page = store.audit().find(new AuditQuery(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Long.MAX_VALUE, 2));
        List<AuditEntry> next = store.audit().find(new AuditQuery(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), page.get(1).id(), 10));

        assertEquals(List.of("t4", "t3"), page.stream().map(AuditEntry::target).toList());
        assertEquals(List.of("t2", "t1", "t0"), next.stream().map(AuditEntry::target).toList());
    }

    @Test
    void appendAudit_inATransaction_isWrittenOnlyWithIt() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        assertThrows(IllegalStateException.class, () -> store.transact(tx -> {
            tx.appendAudit(entry(now, "alice", "library.create", "lost"));
            throw new IllegalStateException("refused");
        }));
        store.transact(tx -> tx.appendAudit(entry(now, "alice", "library.create", "kept")));

        assertEquals(List.of("kept"), targets(AuditQuery.newest(10)));
    }

    @Test
    void pruneBefore_removesOnlyOlderEntries() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        store.audit().append(entry(now, "alice", "library.create", "old"));
        store.audit().pruneBefore(Instant.ofEpochMilli(System.currentTimeMillis() + 5));
        store.audit().append(entry(now, "alice", "library.create", "new"));
        store.audit().pruneBefore(now.minusSeconds(3600));

        assertEquals(List.of("new"), targets(AuditQuery.newest(10)));
    }

    @Test
    void positions_increaseAcrossAReopen() {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        long before = store.audit().append(entry(now, "alice", "library.create", "a")).id();
        store.close();
        store = open(dir);

        long after = store.audit().append(entry(now, "alice", "library.create", "b")).id();

        assertTrue(after > before);
        assertEquals(List.of("b", "a"), targets(AuditQuery.newest(10)));
    }
}
