package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.StoreTransaction;
import dev.evaluator.store.User;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.etcd.jetcd.KeyValue;

/**
 * An optimistic transaction on etcd. The first read fixes a revision; every later read is made at that revision, so
 * the work sees one consistent state. Each key read is remembered with its modification revision (0 when absent).
 * Writes are buffered (reads see them); the commit is one etcd transaction that compares every remembered revision
 * and applies the writes only if all still hold: if any key read was changed meanwhile, by anyone, nothing is applied
 * and the store runs the work again.
 * <p>
 * The index of a library's functions is one key, read by {@link #boundTo} and rewritten by every function write
 * that binds or unbinds one: a function bound by another process after this transaction read the index changes that
 * key, so a delete that relied on "none are bound" cannot commit.
 * <p>
 * A library's version counter is the same for its history: every append and purge reads and rewrites it, so two
 * processes appending to one library cannot both commit with the same number, and an append racing a purge is
 * applied either before it (and purged) or after it (and kept, numbered on). Audit entries written here are compared
 * as absent, nothing else: they never make transactions conflict with each other.
 */
final class EtcdTransaction implements StoreTransaction {
    private final EtcdStore store;
    private final EtcdKeys keys;
    private final String action;
    /** The revision every read is made at; 0 until the first read. */
    private long revision;
    /** Every key read, with its modification revision then (0: absent). */
    private final Map<String, Long> readRevisions = new HashMap<>();
    private final Map<String, Optional<byte[]>> readValues = new HashMap<>();
    /** Values to write, in order; empty to delete. */
    private final Map<String, Optional<byte[]>> writes = new LinkedHashMap<>();
    /** Ranges of keys to delete: the versions a purge or a prune removes. */
    private final List<EtcdStore.KeyRange> deletedRanges = new ArrayList<>();
    private final EtcdAuditStore audit;

    EtcdTransaction(EtcdStore store, EtcdKeys keys, EtcdAuditStore audit, String action) {
        this.store = store;
        this.keys = keys;
        this.audit = audit;
        this.action = action;
    }

    @Override
    public Optional<Library> findLibrary(LibraryId id) {
        return read(keys.library(id)).map(value -> EtcdValues.library(id, value));
    }

    @Override
    public Library upsertLibrary(LibraryId id, String code, OptionalInt functionCount, Instant modified) {
        Library library = new Library(id, code, Instant.ofEpochMilli(modified.toEpochMilli()), functionCount);
        writes.put(keys.library(id), Optional.of(EtcdValues.library(library)));
        return library;
    }

    @Override
    public boolean deleteLibrary(LibraryId id) {
        String key = keys.library(id);
        if (read(key).isEmpty()) {
            return false;
        }
        writes.put(key, Optional.empty());
        return true;
    }

    @Override
    public Optional<FunctionDefinition> findFunction(FunctionId id) {
        return read(keys.function(id)).map(value -> EtcdValues.function(id, value));
    }

    @Override
    public List<FunctionDefinition> boundTo(LibraryId library) {
        List<String> functionKeys = index(library).stream().map(keys::function).toList();
        prefetch(functionKeys);
        List<FunctionDefinition> found = new ArrayList<>();
        for (FunctionId id : index(library)) {
            findFunction(id).ifPresent(found::add);
        }
        found.sort(FunctionDefinition.ORDER);
        return found;
    }

    @Override
    public void upsertFunction(FunctionDefinition definition) {
        FunctionId id = definition.id();
        Optional<FunctionDefinition> old = findFunction(id);
        if (old.isPresent() && !old.get().library().equals(definition.library())) {
            unbind(old.get().library(), id);
        }
        List<FunctionId> bound = new ArrayList<>(index(definition.library()));
        if (!bound.contains(id)) {
            bound.add(id);
            writeIndex(definition.library(), bound);
        }
        writes.put(keys.function(id), Optional.of(EtcdValues.function(definition)));
    }

    @Override
    public boolean deleteFunction(FunctionId id) {
        Optional<FunctionDefinition> old = findFunction(id);
        if (old.isEmpty()) {
            return false;
        }
        unbind(old.get().library(), id);
        writes.put(keys.function(id), Optional.empty());
        return true;
    }

    @Override
    public Optional<User> findUser(String name) {
        return read(keys.user(name)).map(value -> EtcdValues.user(name, value));
    }

    @Override
    public void upsertUser(User user) {
        writes.put(keys.user(user.name()), Optional.of(EtcdValues.user(user)));
    }

    @Override
    public Optional<LibraryVersion> latestVersion(LibraryId library) {
        EtcdValues.Counter counter = counter(library);
        if (!counter.kept()) {
            return Optional.empty();
        }
        long last = counter.last();
        return read(keys.version(library, last)).map(value -> EtcdValues.version(library, last, value));
    }

    @Override
    public Optional<LibraryVersion> findVersion(LibraryId library, long number) {
        if (number < 1) {
            return Optional.empty();
        }
        return read(keys.version(library, number)).map(value -> EtcdValues.version(library, number, value));
    }

    @Override
    public long lastVersionNumber(LibraryId library) {
        return counter(library).last();
    }

    @Override
    public LibraryVersion appendVersion(LibraryId library, String code, String user, String message, int keep) {
        LibraryVersion.requireKeep(keep);
        // Reading the counter makes it part of the commit's comparison: of two processes appending to one library,
        // one commits and the other runs again with the counter the first wrote.
        EtcdValues.Counter counter = counter(library);
        long number = counter.last() + 1;
        byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
        LibraryVersion version = LibraryVersion.made(library, number, bytes, user, message);
        write(counter, version, bytes, keep);
        return version;
    }

    @Override
    public LibraryVersion restoreVersion(LibraryVersion version, String code, int keep) {
        LibraryVersion.requireKeep(keep);
        LibraryId library = version.library();
        byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
        version.requireCode(bytes);
        // Read and rewritten, as by an append: a concurrent append or purge of the library makes one of them run
        // again, so a restored number can never meet one given meanwhile.
        EtcdValues.Counter counter = counter(library);
        if (version.number() <= counter.last()) {
            throw new IllegalArgumentException("version " + version.number() + " of library " + library
                    + " cannot be restored: numbers up to " + counter.last() + " were given already, and are never"
                    + " reused");
        }
        write(counter, version, bytes, keep);
        return version;
    }

    /** Write a version numbered above the counter, make it the counter's last, and prune beyond the newest keep. */
    private void write(EtcdValues.Counter counter, LibraryVersion version, byte[] bytes, int keep) {
        LibraryId library = version.library();
        long number = version.number();
        // The kept versions end at the new one: those below the newest keep go.
        long first = counter.kept() ? Math.max(counter.first(), number - keep + 1) : number;
        if (counter.kept() && first > counter.first()) {
            deleteRange(keys.versions(library), keys.version(library, first));
            deleteRange(keys.codes(library), keys.code(library, first));
        }
        writes.put(keys.version(library, number), Optional.of(EtcdValues.version(version)));
        writes.put(keys.code(library, number), Optional.of(bytes));
        writes.put(keys.counter(library), Optional.of(EtcdValues.counter(new EtcdValues.Counter(first, number))));
    }

    @Override
    public int purgeHistory(LibraryId library) {
        EtcdValues.Counter counter = counter(library);
        if (!counter.kept()) {
            return 0;
        }
        deleteRange(keys.versions(library), EtcdKeys.rangeEnd(keys.versions(library)));
        deleteRange(keys.codes(library), EtcdKeys.rangeEnd(keys.codes(library)));
        // The counter keeps the highest number, so numbers are never reused; rewriting it also makes two purges
        // (and a purge and an append) of one library conflict.
        writes.put(keys.counter(library), Optional.of(EtcdValues.counter(
                new EtcdValues.Counter(counter.last() + 1, counter.last()))));
        return Math.toIntExact(counter.last() - counter.first() + 1);
    }

    @Override
    public AuditEntry appendAudit(AuditEntry entry) {
        AuditEntry stored = audit.stamped(entry);
        String key = keys.audit(stored.id());
        // Compared as absent, never read: positions are unique by construction, and should two stores ever stamp
        // the same one, the second commit fails and runs again with a new position instead of overwriting.
        readRevisions.putIfAbsent(key, 0L);
        writes.put(key, Optional.of(EtcdValues.audit(stored)));
        return stored;
    }

    /** A library's version counter, as this transaction sees it. */
    private EtcdValues.Counter counter(LibraryId library) {
        return read(keys.counter(library)).map(value -> EtcdValues.counter(library, value))
                .orElse(EtcdValues.Counter.NONE);
    }

    /** Delete every key of {@code [from, end)} when the transaction commits, the writes buffered in it too. */
    private void deleteRange(String from, String end) {
        EtcdStore.KeyRange range = new EtcdStore.KeyRange(from, end);
        writes.keySet().removeIf(k -> EtcdStore.inRange(k, range));
        deletedRanges.add(range);
    }

    /**
     * Apply the writes if nothing read has changed.
     *
     * @return false when something read had changed: nothing was written, and the work must run again
     */
    boolean commit() {
        if (writes.isEmpty() && deletedRanges.isEmpty()) {
            // Read-only: every read was made at one revision, a consistent state; nothing to compare.
            return true;
        }
        return store.commit(action, readRevisions, writes, deletedRanges).isSucceeded();
    }

    private List<FunctionId> index(LibraryId library) {
        return read(keys.bindings(library)).map(value -> EtcdValues.bindings(library, value)).orElse(List.of());
    }

    private void unbind(LibraryId library, FunctionId id) {
        List<FunctionId> bound = new ArrayList<>(index(library));
        if (bound.remove(id)) {
            writeIndex(library, bound);
        }
    }

    private void writeIndex(LibraryId library, List<FunctionId> bound) {
        // An empty index is deleted, so a library's keys all go once it and its functions are gone.
        writes.put(keys.bindings(library), bound.isEmpty() ? Optional.empty() : Optional.of(EtcdValues.bindings(bound)));
    }

    private Optional<byte[]> read(String key) {
        Optional<byte[]> written = writes.get(key);
        if (written != null) {
            return written;
        }
        if (deletedRanges.stream().anyMatch(range -> EtcdStore.inRange(key, range))) {
            return Optional.empty();
        }
        prefetch(List.of(key));
        return readValues.get(key);
    }

    /** Read, in one request, the keys not read yet. */
    private void prefetch(List<String> wanted) {
        List<String> missing = wanted.stream().filter(k -> !readValues.containsKey(k)).distinct().toList();
        if (missing.isEmpty()) {
            return;
        }
        EtcdStore.Read read = store.read(action, missing, revision);
        if (revision == 0) {
            revision = read.revision();
        }
        for (String key : missing) {
            KeyValue kv = read.found().get(key);
            readRevisions.put(key, kv == null ? 0L : kv.getModRevision());
            readValues.put(key, kv == null ? Optional.empty() : Optional.of(kv.getValue().getBytes()));
        }
    }
}
