package dev.evaluator.store;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link HistoryStore} (with the history writes of {@link StoreTransaction}) must have; each
 * implementation's test extends this.
 */
public abstract class HistoryStoreContract extends StoreContract {
    private static final LibraryId MATH = LibraryId.global("math");
    private static final LibraryId SCOPED_MATH = new LibraryId(Namespace.scoped("travel-sample", "inventory"),
            "math");
    /** A name of which {@code math} is a prefix: their histories must not mix. */
    private static final LibraryId MATHS = LibraryId.global("maths");

    private LibraryVersion append(LibraryId id, String code, int keep) {
        return store.transact(tx -> {
            tx.upsertLibrary(id, code);
            return tx.appendVersion(id, code, "alice", "v of " + code, keep);
        });
    }

    private List<Long> numbers(LibraryId id) {
        return store.history().versions(id, Long.MAX_VALUE, 1000).stream().map(LibraryVersion::number).toList();
    }

    @Test
    void appendVersion_numbersFromOne_withHashSizeUserAndMessage() {
        LibraryVersion first = append(MATH, "function f() {}", 10);
        LibraryVersion second = append(MATH, "function g() { return 'é'; }", 10);

        assertEquals(1, first.number());
        assertEquals(2, second.number());
        LibraryVersion read = store.history().find(MATH, 2).orElseThrow();
        assertEquals(second, read);
        assertEquals("alice", read.user());
        assertEquals("v of function g() { return 'é'; }", read.message());
        assertEquals("function g() { return 'é'; }".getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                read.size());
        // echo -n 'function f() {}' | sha256sum
        assertEquals("224a68b61da133a9f6fe8ad9f2bfd51e1b6046a0bbc284962d49ec23c5f0d7c3", first.sha256());
        assertEquals(Optional.of("function f() {}"), store.history().code(MATH, 1));
        assertEquals(List.of(2L, 1L), numbers(MATH));
    }

    @Test
    void versions_pages_newestFirst_belowACursor() {
        LongStream.rangeClosed(1, 7).forEach(i -> append(MATH, "function f" + i + "() {}", 100));

        List<LibraryVersion> first = store.history().versions(MATH, Long.MAX_VALUE, 3);
        List<LibraryVersion> second = store.history().versions(MATH, first.get(2).number(), 3);
        List<LibraryVersion> last = store.history().versions(MATH, second.get(2).number(), 3);

        assertEquals(List.of(7L, 6L, 5L), first.stream().map(LibraryVersion::number).toList());
        assertEquals(List.of(4L, 3L, 2L), second.stream().map(LibraryVersion::number).toList());
        assertEquals(List.of(1L), last.stream().map(LibraryVersion::number).toList());
        assertEquals(List.of(), store.history().versions(MATH, 1, 3));
    }

    @Test
    void histories_ofLibrariesWhoseKeysSharePrefixes_doNotMix() {
        append(MATH, "function a() {}", 10);
        append(MATHS, "function b() {}", 10);
        append(SCOPED_MATH, "function c() {}", 10);
        append(MATHS, "function d() {}", 10);

        assertEquals(List.of(1L), numbers(MATH));
        assertEquals(List.of(2L, 1L), numbers(MATHS));
        assertEquals(List.of(1L), numbers(SCOPED_MATH));
        assertEquals(List.of(MATH, SCOPED_MATH, MATHS), store.history().libraries());
    }

    @Test
    void appendVersion_beyondKeep_prunesTheOldestInTheSameWrite() {
        LongStream.rangeClosed(1, 5).forEach(i -> append(MATH, "function f" + i + "() {}", 3));

        assertEquals(List.of(5L, 4L, 3L), numbers(MATH));
        assertEquals(Optional.empty(), store.history().find(MATH, 2));
        assertEquals(Optional.empty(), store.history().code(MATH, 1));

        append(MATH, "function six() {}", 1);
        assertEquals(List.of(6L), numbers(MATH));
    }

    @Test
    void appendVersion_afterManyPrunes_andALowerKeep_prunesExactlyTheOldest_andPurgeCountsTheRest() {
        LongStream.rangeClosed(1, 40).forEach(i -> append(MATH, "function f" + i + "() {}", 13));
        assertEquals(LongStream.rangeClosed(28, 40).boxed().sorted(Comparator.reverseOrder()).toList(),
                numbers(MATH));

        append(MATH, "function f41() {}", 5);
        assertEquals(List.of(41L, 40L, 39L, 38L, 37L), numbers(MATH));
        assertEquals(Optional.empty(), store.history().code(MATH, 36));
        assertEquals(Optional.empty(), store.history().code(MATH, 28));

        assertEquals(5, (int) store.transact(tx -> tx.purgeHistory(MATH)));
        assertEquals(List.of(), numbers(MATH));
    }

    @Test
    void latestVersion_seesTheTransactionsOwnAppend() {
        append(MATH, "function a() {}", 10);

        long seen = store.<Long>transact(tx -> {
            tx.appendVersion(MATH, "function b() {}", "bob", "", 10);
            return tx.latestVersion(MATH).orElseThrow().number();
        });

        assertEquals(2, seen);
        assertEquals("bob", store.history().find(MATH, 2).orElseThrow().user());
    }

    @Test
    void deleteLibrary_keepsItsHistory_andNumbersGoOnAfterARecreate() {
        append(MATH, "function a() {}", 10);
        store.transact(tx -> tx.deleteLibrary(MATH));

        assertEquals(List.of(1L), numbers(MATH));
        assertEquals(List.of(MATH), store.history().libraries());
        assertEquals(2, append(MATH, "function b() {}", 10).number());
    }

    @Test
    void purgeHistory_removesEveryVersion_butNumbersAreNeverReused() {
        append(MATH, "function a() {}", 10);
        append(MATH, "function b() {}", 10);

        int purged = store.transact(tx -> tx.purgeHistory(MATH));

        assertEquals(2, purged);
        assertEquals(List.of(), numbers(MATH));
        assertEquals(Optional.empty(), store.history().code(MATH, 2));
        assertEquals(List.of(), store.history().libraries());
        assertEquals(Optional.empty(), store.transact(tx -> tx.latestVersion(MATH)));
        assertEquals(3, append(MATH, "function c() {}", 10).number());
        assertEquals(0, (int) store.transact(tx -> tx.purgeHistory(MATHS)));
    }

    @Test
    void transaction_thatThrows_writesNoVersion() {
        assertThrows(IllegalStateException.class, () -> store.transact(tx -> {
            tx.upsertLibrary(MATH, "function a() {}");
            tx.appendVersion(MATH, "function a() {}", "alice", "", 10);
            throw new IllegalStateException("refused");
        }));

        assertEquals(List.of(), numbers(MATH));
        assertEquals(Optional.empty(), store.libraries().find(MATH));
        assertEquals(1, append(MATH, "function a() {}", 10).number());
    }

    @Test
    void history_survivesAReopen() {
        append(SCOPED_MATH, "function a() {}", 10);
        store.close();
        store = open(dir);

        assertEquals(Optional.of("function a() {}"), store.history().code(SCOPED_MATH, 1));
        assertEquals(2, append(SCOPED_MATH, "function b() {}", 10).number());
    }

    @Test
    void find_numbersThatCannotExist_areEmpty() {
        append(MATH, "function a() {}", 10);

        assertTrue(store.history().find(MATH, 0).isEmpty());
        assertTrue(store.history().find(MATH, -1).isEmpty());
        assertTrue(store.history().find(MATH, 2).isEmpty());
        assertTrue(store.history().code(MATHS, 1).isEmpty());
    }

    private static LibraryVersion restored(LibraryId id, long number, String code, String user, String message) {
        byte[] bytes = code.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha256;
        try {
            sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new LibraryVersion(id, number, java.time.Instant.parse("2025-03-0" + Math.min(9, number)
                + "T10:15:30.123Z"), user, sha256, bytes.length, message);
    }

    @Test
    void restoreVersion_keepsNumberTimeUserAndMessage_andNumbersGoOnAboveIt() {
        LibraryVersion five = restored(MATH, 5, "function five() {}", "carol", "from the backup");
        LibraryVersion six = restored(MATH, 6, "function six() {}", "dave", "");

        java.time.Instant modified = java.time.Instant.parse("2025-03-06T10:15:30.123Z");
        store.transact(tx -> {
            tx.upsertLibrary(MATH, "function six() {}", java.util.OptionalInt.of(1), modified);
            tx.restoreVersion(five, "function five() {}", 10);
            return tx.restoreVersion(six, "function six() {}", 10);
        });

        assertEquals(List.of(6L, 5L), numbers(MATH));
        assertEquals(Optional.of(five), store.history().find(MATH, 5));
        assertEquals(Optional.of(six), store.history().find(MATH, 6));
        assertEquals(Optional.of("function five() {}"), store.history().code(MATH, 5));
        assertEquals(6L, (long) store.transact(tx -> tx.lastVersionNumber(MATH)));
        assertEquals(Optional.of(six), store.transact(tx -> tx.latestVersion(MATH)));
        assertEquals(modified, store.libraries().find(MATH).orElseThrow().modified());
        assertEquals(7, append(MATH, "function seven() {}", 10).number());
    }

    @Test
    void restoreVersion_atOrBelowANumberGivenBefore_isRefused_andWritesNothing() {
        append(MATH, "function a() {}", 10);
        append(MATH, "function b() {}", 10);
        store.transact(tx -> tx.purgeHistory(MATH));

        // Purged, yet 1 and 2 were given: a restored version may not take them.
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> store.transact(tx ->
                tx.restoreVersion(restored(MATH, 2, "function c() {}", "carol", ""), "function c() {}", 10)));

        assertTrue(refused.getMessage().contains("never reused"), refused.getMessage());
        assertEquals(List.of(), numbers(MATH));
        assertEquals(2L, (long) store.transact(tx -> tx.lastVersionNumber(MATH)));
        assertEquals(3, store.transact(tx -> tx.restoreVersion(restored(MATH, 3, "function c() {}", "carol", ""),
                "function c() {}", 10)).number());
        assertEquals(List.of(3L), numbers(MATH));
    }

    @Test
    void restoreVersion_whoseHashOrSizeIsNotItsCodes_isRefused() {
        LibraryVersion version = restored(MATH, 1, "function a() {}", "carol", "");

        assertThrows(IllegalArgumentException.class, () -> store.transact(tx ->
                tx.restoreVersion(version, "function b() {}", 10)));
        assertThrows(IllegalArgumentException.class, () -> store.transact(tx -> tx.restoreVersion(
                new LibraryVersion(MATH, 1, version.created(), "carol", version.sha256(), version.size() + 1, ""),
                "function a() {}", 10)));
        assertEquals(List.of(), numbers(MATH));
        assertEquals(0L, (long) store.transact(tx -> tx.lastVersionNumber(MATH)));
    }

    @Test
    void restoreVersion_beyondKeep_prunesTheOldest_alsoThoseAppendedBefore() {
        append(MATH, "function a() {}", 3);
        append(MATH, "function b() {}", 3);

        store.transact(tx -> {
            for (long n = 3; n <= 5; n++) {
                tx.restoreVersion(restored(MATH, n, "function r" + n + "() {}", "carol", ""), "function r" + n
                        + "() {}", 3);
            }
            return null;
        });

        assertEquals(List.of(5L, 4L, 3L), numbers(MATH));
        assertEquals(Optional.empty(), store.history().code(MATH, 2));
        assertEquals(Optional.empty(), store.history().find(MATH, 1));
        assertEquals(1, (int) store.transact(tx -> {
            tx.restoreVersion(restored(MATH, 9, "function r9() {}", "carol", ""), "function r9() {}", 1);
            return numbersInTransaction(tx);
        }));
        assertEquals(List.of(9L), numbers(MATH));
    }

    private static int numbersInTransaction(StoreTransaction tx) {
        int found = 0;
        for (long n = 1; n <= 9; n++) {
            if (tx.findVersion(MATH, n).isPresent()) {
                found++;
            }
        }
        return found;
    }

    @Test
    void findVersion_andLastVersionNumber_seeTheTransactionsOwnWrites() {
        append(MATH, "function a() {}", 10);

        List<Object> seen = store.transact(tx -> {
            Optional<LibraryVersion> before = tx.findVersion(MATH, 2);
            tx.appendVersion(MATH, "function b() {}", "bob", "", 10);
            return List.of(before, tx.findVersion(MATH, 2).map(LibraryVersion::user), tx.lastVersionNumber(MATH),
                    tx.findVersion(MATH, 1).map(LibraryVersion::user), tx.findVersion(MATH, 0),
                    tx.lastVersionNumber(MATHS));
        });

        assertEquals(List.of(Optional.empty(), Optional.of("bob"), 2L, Optional.of("alice"), Optional.empty(), 0L),
                seen);
    }
}
