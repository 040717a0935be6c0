package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditStore;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.HistoryStore;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreListener;
import dev.evaluator.store.StoreObserver;
import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.StoreStats;
import dev.evaluator.store.StoreTransaction;
import dev.evaluator.store.StoreWatch;
import dev.evaluator.store.UserStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;

/**
 * The store on an etcd cluster: every record one key under the options' prefix (the layout is in
 * {@code package-info.java}), so any number of processes can share it.
 * <p>
 * Every write is one etcd request (a put, a delete, or a transaction for changes of several keys; only pruning the
 * audit log takes one range delete per thousand entries), which etcd acknowledges only once a majority of its
 * members has committed it: a write that returned survives the loss of a minority of members. Reads are linearizable: a read sees every write acknowledged before it started, on any
 * process. A write that cannot fit in one request (the options' {@code maxRequestBytes}) is refused before it is sent.
 * <p>
 * Multi-key changes are optimistic transactions ({@link #transact}): the work's reads are made at one revision, and
 * the commit is an etcd transaction that compares the modification revision of every key read and applies the writes
 * only if none changed; when one did, the work runs again.
 */
public final class EtcdStore implements Store {
    /**
     * The schema version this code writes and reads. The history, code, counter and audit keys came without a new
     * version: they are new prefixes, which code of version 1 that does not know them never reads (nor hears of in a
     * watch), and no record it reads changed; a bump would only lock older code out of data it reads correctly.
     */
    static final int SCHEMA_VERSION = 1;
    /** Records a range read returns at most per request: a page stays far below gRPC's message limit. */
    private static final int PAGE = 32;
    /** Big enough for a page of records of the largest request size etcd can be configured to. */
    private static final int MAX_RESPONSE_BYTES = 256 << 20;
    private static final int MAX_ATTEMPTS = 64;
    /** Over-estimates of the protobuf framing etcd counts against the request limit, in bytes. */
    private static final int REQUEST_OVERHEAD = 128;
    private static final int ITEM_OVERHEAD = 24;
    /** The shortest time between two replacements of the client (see {@link #reconnect}). */
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);

    private final EtcdOptions options;
    /** Builds the clients: the first at open, a fresh one after etcd was unavailable (see {@link #reconnect}). */
    private final ClientBuilder clients;
    private final Object reconnecting = new Object();
    /** The client in use; replaced, never mutated. */
    private volatile Client client;
    /** When {@link #client} was built, in {@link System#nanoTime()}; guarded by {@link #reconnecting}. */
    private long connectedAt;
    private final EtcdKeys keys;
    private final StoreObserver observer;
    private final EtcdLibraryStore libraries;
    private final EtcdFunctionStore functions;
    private final EtcdUserStore users;
    private final EtcdHistoryStore history;
    private final EtcdAuditStore audit;
    /** Re-establishes broken watches; one daemon thread, closed with the store. */
    private final ScheduledExecutorService watchRetries;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    /** Operations hold the read lock, so {@link #close()} never closes the client under a running call. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Written under the lifecycle lock; volatile for {@link #isOpen()}, which reads without it. */
    private volatile boolean closed;
    /** Single records read by key, kept exact by a watch; null when reads are not cached. */
    private volatile EtcdReadCache cache;
    /** The watch that keeps {@link #cache} exact; null without a cache. */
    private volatile StoreWatch cacheWatch;

    private EtcdStore(EtcdOptions options, ClientBuilder clients, StoreObserver observer) {
        this.options = options;
        this.clients = clients;
        this.client = clients.copy().build();
        this.connectedAt = System.nanoTime();
        this.keys = new EtcdKeys(options.prefix());
        this.observer = observer;
        this.libraries = new EtcdLibraryStore(this, keys);
        this.functions = new EtcdFunctionStore(this, keys);
        this.users = new EtcdUserStore(this, keys);
        this.history = new EtcdHistoryStore(this, keys);
        this.audit = new EtcdAuditStore(this, keys);
        this.watchRetries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("etcd-watch-retry")
                .daemon(true)
                .factory());
    }

    /**
     * Connect to an etcd cluster and check (or, on an empty prefix, write) the schema version.
     *
     * @param options the cluster and the prefix
     * @return the open store
     * @throws StoreException with reason {@code UNAVAILABLE} when no member answers in time or the cluster has no
     *                        quorum, {@code UNSUPPORTED_SCHEMA} when a newer version wrote the prefix,
     *                        {@code CORRUPTED} when its schema record is damaged, {@code IO} when the TLS set-up or
     *                        authentication fails
     */
    public static EtcdStore open(EtcdOptions options) {
        return open(options, StoreObserver.NONE);
    }

    /**
     * Connect to an etcd cluster, telling an observer about every operation.
     *
     * @param options  the cluster and the prefix
     * @param observer told about every operation when it completes
     * @return the open store
     * @throws StoreException as {@link #open(EtcdOptions)}
     */
    public static EtcdStore open(EtcdOptions options, StoreObserver observer) {
        return open(options, observer, 0);
    }

    /**
     * Connect to an etcd cluster, telling an observer about every operation, and keep the libraries, functions and
     * users read by key in a cache that a watch of the prefix keeps exact (see {@link EtcdReadCache}): a change made
     * by any process is heard within milliseconds, and while the watch is broken the cache is not used
     * ({@link #inSync()} is false). For a server, whose every request reads its caller and its library.
     *
     * @param options    the cluster and the prefix
     * @param observer   told about every operation when it completes
     * @param cacheBytes how many bytes of records to cache at most; 0 for no cache (every read asks etcd)
     * @return the open store
     * @throws StoreException as {@link #open(EtcdOptions)}
     */
    public static EtcdStore open(EtcdOptions options, StoreObserver observer, long cacheBytes) {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes must not be negative");
        }
        ClientBuilder builder = Client.builder()
                .endpoints(options.endpoints())
                .connectTimeout(options.connectTimeout())
                .maxInboundMessageSize(MAX_RESPONSE_BYTES)
                // Fail fast while no member is reachable (the request timeout is the ceiling anyway).
                .waitForReady(false);
        options.user().ifPresent(user -> builder.user(key(user)));
        options.password().ifPresent(password -> builder.password(key(password)));
        if (options.caFile().isPresent()) {
            try {
                builder.sslContext(ssl -> ssl.trustManager(options.caFile().get().toFile()));
            } catch (SSLException | IllegalArgumentException e) {
                throw new StoreException(StoreException.Reason.IO, "Cannot set up TLS for etcd with CA file "
                        + options.caFile().get() + ": " + e.getMessage(), e);
            }
        }
        EtcdStore store = new EtcdStore(options, builder, observer);
        try {
            store.retryingWhileUnavailable(System.nanoTime(), () -> {
                store.checkSchema();
                store.audit.start();
                return null;
            });
            if (cacheBytes > 0) {
                EtcdReadCache cache = new EtcdReadCache(store.keys, cacheBytes);
                // Not used until the watch is established (connected), so no change after this can be missed.
                store.cacheWatch = store.watch(store.revision() + 1, cache);
                store.cache = cache;
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The options this store was opened with.
     *
     * @return the options
     */
    public EtcdOptions options() {
        return options;
    }

    @Override
    public LibraryStore libraries() {
        return libraries;
    }

    @Override
    public FunctionStore functions() {
        return functions;
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public HistoryStore history() {
        return history;
    }

    @Override
    public AuditStore audit() {
        return audit;
    }

    @Override
    public <T> T transact(Function<StoreTransaction, T> work) {
        return transaction(StoreOperation.TRANSACTION, "Running a transaction", work::apply);
    }

    /**
     * The cluster's current revision: read everything after it, then {@link #watch} from the next one, and no change
     * is missed.
     *
     * @return the revision
     * @throws StoreException when etcd cannot be read (reason {@code UNAVAILABLE} when it is unreachable)
     */
    public long revision() {
        return unobserved("Reading the revision", () -> call("Reading the revision",
                client.getKVClient().get(key(keys.schemaVersion()), GetOption.builder().withCountOnly(true).build()))
                .getHeader().getRevision());
    }

    /**
     * Hear of every change under the prefix from a revision on, made by any process, until the watch is closed. A
     * broken watch (a member gone, a lost quorum) is re-established from the last revision heard; if etcd compacted
     * that history meanwhile, the listener is told to read everything again (see {@link StoreListener}).
     *
     * @param fromRevision the first revision to hear; {@code revision() + 1} for changes from now on
     * @param listener     told of the changes, on one of the store's threads
     * @return the watch, to close
     * @throws StoreException when the store is closed
     */
    public StoreWatch watch(long fromRevision, StoreListener listener) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw closedException("Watching");
            }
            EtcdWatch watch = new EtcdWatch(this, keys, fromRevision, listener,
                    watchRetries, watches::remove);
            watches.add(watch);
            watch.start();
            return watch;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * {@inheritDoc}
     * <p>
     * On etcd: false while the watch of the prefix that keeps the read cache exact is broken (then every read goes to
     * etcd); always true for a store opened without a cache, whose every read asks etcd.
     */
    @Override
    public boolean inSync() {
        EtcdReadCache c = cache;
        return c == null || c.inSync();
    }

    @Override
    public void checkWritable() {
        byte[] now = bytes(Long.toString(System.currentTimeMillis()));
        apply(StoreOperation.WRITE_PROBE, "Writing the write probe",
                () -> commit("Writing the write probe", Map.of(), Map.of(keys.writeProbe(), Optional.of(now))));
    }

    /**
     * Always 0: the members keep the log, and a write acknowledged by a majority is never replayed here.
     */
    @Override
    public long recoveredLogBytes() {
        return 0;
    }

    /**
     * {@inheritDoc}
     * <p>
     * On etcd only {@code estimatedKeys} is measured (the keys under the prefix, counted exactly); the rest are
     * RocksDB's figures and are 0.
     */
    @Override
    public StoreStats stats() {
        long count = unobserved("Reading statistics", () -> call("Reading statistics",
                client.getKVClient().get(key(keys.prefix()), GetOption.builder()
                        .isPrefix(true).withCountOnly(true).build())).getCount());
        return new StoreStats(0, 0, 0, 0, 0, false, 0, 0, count);
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            List.copyOf(watches).forEach(EtcdWatch::close);
            watchRetries.shutdownNow();
            synchronized (reconnecting) {
                client.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * Run a transaction, again on a fresh one while its commit finds that something it read has changed.
     *
     * @param kind   what kind of operation it is, for the observer
     * @param action what it does, for the error messages
     */
    <T> T transaction(StoreOperation kind, String action, Function<EtcdTransaction, T> work) {
        return apply(kind, action, () -> {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                EtcdTransaction tx = new EtcdTransaction(this, keys, audit, action);
                T result = work.apply(tx);
                if (tx.commit()) {
                    return result;
                }
                backOff(attempt);
            }
            throw new StoreException(StoreException.Reason.CONFLICT, action + " failed: " + MAX_ATTEMPTS
                    + " attempts in a row conflicted with concurrent writes; nothing was changed", null);
        });
    }

    /** One operation on the open store, timed for the observer, retried while etcd is unavailable (see below). */
    <T> T apply(StoreOperation kind, String action, Supplier<T> operation) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = unobserved(action, () -> retryingWhileUnavailable(start, operation));
            failed = false;
            return result;
        } finally {
            observer.completed(kind, System.nanoTime() - start, failed);
        }
    }

    /**
     * Run an operation again while it fails as unavailable, until the request timeout since it started has passed.
     * Each request waits for at most half of the timeout, so a request lost with a dying member (a leader's) leaves
     * time for another on a member that answers. Running again is safe: reads are idempotent, a transaction commits
     * only if what it read is unchanged (so one applied although its answer was lost does not apply twice), and plain
     * puts and deletes of one key leave the same state when repeated.
     */
    private <T> T retryingWhileUnavailable(long start, Supplier<T> operation) {
        long deadline = start + options.requestTimeout().toNanos();
        long pauseMillis = 50;
        while (true) {
            try {
                return operation.get();
            } catch (StoreException e) {
                if (e.reason() != StoreException.Reason.UNAVAILABLE) {
                    throw e;
                }
                reconnect();
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis) >= deadline) {
                    throw e;
                }
            }
            pause(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, 400);
        }
    }

    private <T> T unobserved(String action, Supplier<T> operation) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw closedException(action);
            }
            return operation.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** A key's value and modification revision, read at a revision (0: the latest), and the revision read at. */
    record Read(long revision, Map<String, KeyValue> found) {
    }

    /**
     * Read some keys in one request, all at one revision.
     *
     * @param revision the revision to read at, or 0 for the latest (linearizable)
     */
    Read read(String action, List<String> keyList, long revision) {
        GetOption at = GetOption.builder().withRevision(revision).build();
        TxnResponse response = call(action, client.getKVClient().txn()
                .Then(keyList.stream().map(k -> Op.get(key(k), at)).toArray(Op[]::new))
                .commit());
        Map<String, KeyValue> found = new HashMap<>();
        for (GetResponse get : response.getGetResponses()) {
            for (KeyValue kv : get.getKvs()) {
                found.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
            }
        }
        return new Read(response.getHeader().getRevision(), found);
    }

    /** One key, latest value. */
    Optional<KeyValue> get(String action, String k) {
        return call(action, client.getKVClient().get(key(k))).getKvs().stream().findFirst();
    }

    /** The revision of the last change the read cache heard of; 0 without a cache. */
    long cacheRevision() {
        StoreWatch w = cacheWatch;
        return w == null ? 0 : w.revision();
    }

    /** Reads the read cache answered so far; 0 without a cache. */
    long cacheHits() {
        EtcdReadCache c = cache;
        return c == null ? 0 : c.hits();
    }

    /** One record's value by key: from the read cache when there is one and it is in sync, else from etcd. */
    Optional<byte[]> value(String action, String k) {
        Supplier<Optional<byte[]>> read = () -> get(action, k).map(kv -> kv.getValue().getBytes());
        EtcdReadCache c = cache;
        return c == null ? read.get() : c.find(k, read);
    }

    /** Every key under a prefix, in key order, read page by page at the revision of the first page. */
    List<KeyValue> range(String action, String prefix) {
        List<KeyValue> all = new ArrayList<>();
        ByteSequence end = key(prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1));
        ByteSequence from = key(prefix);
        long revision = 0;
        while (true) {
            GetResponse page = call(action, client.getKVClient().get(from, GetOption.builder()
                    .withRange(end).withLimit(PAGE).withRevision(revision).build()));
            revision = page.getHeader().getRevision();
            all.addAll(page.getKvs());
            if (!page.isMore() || page.getKvs().isEmpty()) {
                return all;
            }
            byte[] last = page.getKvs().getLast().getKey().getBytes();
            byte[] next = Arrays.copyOf(last, last.length + 1);
            from = ByteSequence.from(next);
        }
    }

    /**
     * One page of a range of keys, {@code [from, end)}.
     *
     * @param limit      at most this many keys
     * @param descending newest (highest key) first; etcd then reads the whole range to sort it, so only for ranges
     *                   known to be small
     * @param revision   the revision to read at, or 0 for the latest
     * @param keysOnly   without the values
     */
    GetResponse page(String action, String from, String end, int limit, boolean descending, long revision,
                     boolean keysOnly) {
        GetOption.Builder option = GetOption.builder()
                .withRange(key(end))
                .withLimit(limit)
                .withRevision(revision)
                .withKeysOnly(keysOnly);
        if (descending) {
            option.withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND);
        }
        return call(action, client.getKVClient().get(key(from), option.build()));
    }

    /** Delete every key of {@code [from, end)} in one request. */
    void deleteRange(String action, String from, String end) {
        call(action, client.getKVClient().delete(key(from), DeleteOption.builder().withRange(key(end)).build()));
    }

    /** A range of keys, {@code [from, end)}, to delete. */
    record KeyRange(String from, String end) {
    }

    /**
     * Apply writes in one etcd transaction if every expected key still has the modification revision given (0 for a
     * key expected absent).
     *
     * @param expected the keys read and the modification revisions they had
     * @param writes   the keys to write, with their new values; empty to delete
     * @return the response, to see whether the comparisons held
     * @throws StoreException with reason {@code TOO_LARGE}, before sending, when the request cannot fit
     */
    TxnResponse commit(String action, Map<String, Long> expected, Map<String, Optional<byte[]>> writes) {
        return commit(action, expected, writes, List.of());
    }

    /**
     * Apply writes and range deletes in one etcd transaction if every expected key still has the modification
     * revision given (0 for a key expected absent). etcd refuses a transaction that writes a key inside a range it
     * deletes, so the ranges are cut around the keys written (which replace whatever was there anyway).
     *
     * @param ranges the ranges of keys to delete
     * @return the response, to see whether the comparisons held
     * @throws StoreException with reason {@code TOO_LARGE}, before sending, when the request cannot fit
     */
    TxnResponse commit(String action, Map<String, Long> expected, Map<String, Optional<byte[]>> writes,
                       List<KeyRange> ranges) {
        long size = REQUEST_OVERHEAD + options.user().map(String::length).orElse(0);
        List<Cmp> compares = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            size += bytes(e.getKey()).length + ITEM_OVERHEAD;
            compares.add(new Cmp(key(e.getKey()), Cmp.Op.EQUAL, CmpTarget.modRevision(e.getValue())));
        }
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<String, Optional<byte[]>> e : writes.entrySet()) {
            ByteSequence k = key(e.getKey());
            size += k.size() + ITEM_OVERHEAD + e.getValue().map(v -> v.length).orElse(0);
            ops.add(e.getValue().isPresent()
                    ? Op.put(k, ByteSequence.from(e.getValue().get()), PutOption.DEFAULT)
                    : Op.delete(k, DeleteOption.DEFAULT));
        }
        for (KeyRange range : cut(ranges, writes.keySet())) {
            ByteSequence from = key(range.from());
            ByteSequence end = key(range.end());
            size += from.size() + end.size() + ITEM_OVERHEAD;
            ops.add(Op.delete(from, DeleteOption.builder().withRange(end).build()));
        }
        if (size > options.maxRequestBytes()) {
            throw new StoreException(StoreException.Reason.TOO_LARGE, action + " failed: the write needs about "
                    + size + " bytes, more than etcd's request limit of " + options.maxRequestBytes()
                    + " bytes (its --max-request-bytes); nothing was changed", null);
        }
        try {
            return call(action, client.getKVClient().txn()
                    .If(compares.toArray(Cmp[]::new))
                    .Then(ops.toArray(Op[]::new))
                    .commit());
        } finally {
            // Also after a failure: the write may have been applied. This process reads its own writes at once.
            EtcdReadCache c = cache;
            if (c != null) {
                c.written(writes.keySet());
            }
        }
    }

    /** Ranges without the keys given: each range cut into the pieces between those inside it. */
    static List<KeyRange> cut(List<KeyRange> ranges, Set<String> keysWritten) {
        List<KeyRange> pieces = new ArrayList<>();
        for (KeyRange range : ranges) {
            List<String> inside = keysWritten.stream()
                    .filter(k -> inRange(k, range))
                    .sorted(EtcdStore::compareKeys)
                    .toList();
            String from = range.from();
            for (String k : inside) {
                if (compareKeys(from, k) < 0) {
                    pieces.add(new KeyRange(from, k));
                }
                from = k + "\0";
            }
            if (compareKeys(from, range.end()) < 0) {
                pieces.add(new KeyRange(from, range.end()));
            }
        }
        return pieces;
    }

    /** Whether a key is in a range, in etcd's order of keys (their UTF-8 bytes, unsigned). */
    static boolean inRange(String k, KeyRange range) {
        return compareKeys(range.from(), k) <= 0 && compareKeys(k, range.end()) < 0;
    }

    static int compareKeys(String a, String b) {
        return Arrays.compareUnsigned(bytes(a), bytes(b));
    }

    /** Wait for a request, within the request timeout, wrapping its failure once. */
    <R> R call(String action, CompletableFuture<R> request) {
        try {
            return request.get(attemptTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            request.cancel(true);
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.IO, action + " failed: interrupted", e);
        } catch (TimeoutException e) {
            request.cancel(true);
            throw unavailable(action, "no member answered within " + attemptTimeoutMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw wrap(action, e.getCause());
        }
    }

    /** The store's exception for a failure of etcd or of the connection to it. */
    StoreException wrap(String action, Throwable failure) {
        if (failure instanceof StoreException e) {
            return e;
        }
        Status.Code code = failure instanceof EtcdException e
                ? Status.Code.valueOf(e.getErrorCode().name())
                : Status.fromThrowable(failure).getCode();
        String message = String.valueOf(failure.getMessage());
        if (message.contains("request is too large")) {
            return new StoreException(StoreException.Reason.TOO_LARGE, action + " failed: etcd refused a request"
                    + " larger than its --max-request-bytes; nothing was changed (tell the store the cluster's limit"
                    + " so it refuses such writes itself)", failure);
        }
        if (message.contains("too many operations in txn request")) {
            return new StoreException(StoreException.Reason.TOO_LARGE, action + " failed: the write changes more keys"
                    + " than etcd takes in one transaction (its --max-txn-ops, 128 by default; a library with its"
                    + " version takes 4 to 6); nothing was changed", failure);
        }
        if (lostConnection(failure)) {
            return unavailable(action, message, failure);
        }
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> unavailable(action, message, failure);
            case UNAUTHENTICATED, PERMISSION_DENIED -> new StoreException(StoreException.Reason.IO, action
                    + " failed: etcd refused the credentials or their permissions (" + message + "): check the"
                    + " etcd user and password, and that the user's role may read and write " + options.prefix()
                    + "*", failure);
            default -> new StoreException(StoreException.Reason.IO, action + " failed: " + message, failure);
        };
    }

    /**
     * Whether a failure is a connection lost or refused, which the gRPC transport reports as {@code UNKNOWN} with
     * "channel closed" or an I/O exception as the cause.
     */
    private static boolean lostConnection(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || String.valueOf(t.getMessage()).contains("channel closed")) {
                return true;
            }
        }
        return false;
    }

    private StoreException unavailable(String action, String why, Throwable cause) {
        return new StoreException(StoreException.Reason.UNAVAILABLE, action + " failed: etcd at "
                + options.endpoints() + " is unavailable (" + why + "); a majority of its members must be up and"
                + " reachable (a write that got no answer may still be applied once they are)", cause);
    }

    private StoreException closedException(String action) {
        return new StoreException(StoreException.Reason.IO, action + " failed: the store is closed", null);
    }

    private void checkSchema() {
        String version = Integer.toString(SCHEMA_VERSION);
        String action = "Checking the schema version under " + options.prefix();
        TxnResponse response = call(action, client.getKVClient().txn()
                .If(new Cmp(key(keys.schemaVersion()), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key(keys.schemaVersion()), key(version), PutOption.DEFAULT))
                .Else(Op.get(key(keys.schemaVersion()), GetOption.DEFAULT))
                .commit());
        if (response.isSucceeded()) {
            return;
        }
        String stored = response.getGetResponses().getFirst().getKvs().getFirst().getValue()
                .toString(StandardCharsets.UTF_8);
        int storedVersion;
        try {
            storedVersion = Integer.parseInt(stored);
        } catch (NumberFormatException e) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "The schema version record "
                    + keys.schemaVersion() + " in etcd is damaged", e);
        }
        if (storedVersion > SCHEMA_VERSION) {
            throw new StoreException(StoreException.Reason.UNSUPPORTED_SCHEMA, "The etcd prefix " + options.prefix()
                    + " was written by a newer evaluator (schema " + storedVersion + ", this one reads up to "
                    + SCHEMA_VERSION + "): run the newer version", null);
        }
    }

    /** The watch client of the client in use. */
    Watch watchClient() {
        return client.getWatchClient();
    }

    /**
     * Replace the client by a fresh one, at most once per {@link #RECONNECT_PAUSE}. gRPC waits ever longer between
     * attempts to reconnect to members that were down (up to two minutes): a fresh client connects at once, so
     * the store works again as soon as a majority is back. Calls still running on the old client fail, as
     * unavailable, and are retried; watches on it go silent and re-establish themselves on the new one.
     */
    private void reconnect() {
        Client old;
        synchronized (reconnecting) {
            if (closed || System.nanoTime() - connectedAt < RECONNECT_PAUSE.toNanos()) {
                return;
            }
            old = client;
            client = clients.copy().build();
            connectedAt = System.nanoTime();
        }
        old.close();
    }

    private long attemptTimeoutMillis() {
        return Math.max(1, options.requestTimeout().toMillis() / 2);
    }

    private static void backOff(int attempt) {
        pause(ThreadLocalRandom.current().nextInt(1 + Math.min(1 << Math.min(attempt, 6), 50)));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.IO, "Interrupted while retrying an etcd request", e);
        }
    }

    static ByteSequence key(String key) {
        return ByteSequence.from(bytes(key));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
