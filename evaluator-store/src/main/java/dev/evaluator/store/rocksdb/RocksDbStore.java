package dev.evaluator.store.rocksdb;

import dev.evaluator.store.AuditStore;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.HistoryStore;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreObserver;
import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.StoreStats;
import dev.evaluator.store.StoreTransaction;
import dev.evaluator.store.UserStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LogFile;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The store on RocksDB: one database per data directory, one column family per kind of record.
 * <p>
 * Column families: {@code meta} (the schema version), {@code libraries}, {@code users}, {@code functions} and
 * {@code bindings} (library to functions index), {@code versions}, {@code version_code} and
 * {@code version_counters} (libraries' histories, see {@link RocksDbHistoryStore}) and {@code audit}. Every write uses a synced
 * write-ahead log, so a write that returned survives a crash of the process or the machine.
 * <p>
 * Closing flushes every column family to sorted tables, which leaves the write-ahead log empty: a store that finds
 * write-ahead log data when it opens was not closed (see {@link #recoveredLogBytes()}).
 */
public final class RocksDbStore implements Store {
    /** The schema version this code writes and reads. */
    static final int SCHEMA_VERSION = 2;
    static final byte[] SCHEMA_VERSION_KEY = "schema-version".getBytes(StandardCharsets.UTF_8);
    /** The record {@link #checkWritable()} rewrites: the time of the last check. */
    static final byte[] WRITE_PROBE_KEY = "write-probe".getBytes(StandardCharsets.UTF_8);
    /** Table files RocksDB keeps open at most. */
    public static final int MAX_OPEN_FILES = 256;
    /** RocksDB's write-ahead log files, in the data directory: {@code 000012.log}. */
    private static final Pattern WAL_FILE = Pattern.compile("\\d+\\.log");

    private static final String CF_META = "meta";
    private static final String CF_LIBRARIES = "libraries";
    private static final String CF_USERS = "users";
    private static final String CF_FUNCTIONS = "functions";
    private static final String CF_BINDINGS = "bindings";
    private static final String CF_VERSIONS = "versions";
    private static final String CF_VERSION_CODE = "version_code";
    private static final String CF_VERSION_COUNTERS = "version_counters";
    private static final String CF_AUDIT = "audit";

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final RocksDB db;
    private final WriteOptions syncWrites;
    private final Deque<AutoCloseable> handles;
    private final RocksDbLibraryStore libraries;
    private final RocksDbUserStore users;
    private final RocksDbFunctionStore functions;
    private final RocksDbHistoryStore history;
    private final RocksDbAuditStore audit;
    private final List<ColumnFamilyHandle> families;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle libraryFamily;
    private final ColumnFamilyHandle functionFamily;
    private final ColumnFamilyHandle bindingFamily;
    /**
     * The locks of the libraries and functions each transaction touches, held until its batch is written: what a
     * transaction read stays true until then. One process writes a data directory (its LOCK), so this is enough.
     */
    private final KeyLocks keyLocks = new KeyLocks();
    private final StoreObserver observer;
    private final long recoveredLogBytes;
    /** Operations hold the read lock, so {@link #close()} never frees native handles under a running call. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Written under the lifecycle lock; volatile for {@link #isOpen()}, which reads without it. */
    private volatile boolean closed;

    /**
     * Families in the order of the descriptors: default, meta, libraries, users, functions, bindings, versions,
     * version_code, version_counters, audit.
     */
    private RocksDbStore(Path directory, RocksDB db, WriteOptions syncWrites, Deque<AutoCloseable> handles,
                         List<ColumnFamilyHandle> families, StoreObserver observer, long recoveredLogBytes) {
        this.directory = directory;
        this.db = db;
        this.syncWrites = syncWrites;
        this.handles = handles;
        this.families = List.copyOf(families);
        this.meta = families.get(1);
        this.observer = observer;
        this.recoveredLogBytes = recoveredLogBytes;
        this.libraryFamily = families.get(2);
        this.functionFamily = families.get(4);
        this.bindingFamily = families.get(5);
        this.libraries = new RocksDbLibraryStore(this, families.get(2));
        this.users = new RocksDbUserStore(this, families.get(3));
        this.functions = new RocksDbFunctionStore(this, families.get(4), families.get(5));
        this.history = new RocksDbHistoryStore(this, families.get(6), families.get(7), families.get(8));
        this.audit = new RocksDbAuditStore(this, families.get(9), db);
    }

    /**
     * Open (creating when needed) the store in a data directory.
     *
     * @param directory the data directory; created with its parents when missing
     * @return the open store
     * @throws StoreException with reason {@code LOCKED} when another process has the directory open,
     *                        {@code NOT_WRITABLE} when it cannot be created or written, {@code CORRUPTED} when its
     *                        data is damaged, {@code UNSUPPORTED_SCHEMA} when a newer version wrote it
     */
    public static RocksDbStore open(Path directory) {
        return open(directory, StoreObserver.NONE);
    }

    /**
     * Open (creating when needed) the store in a data directory, telling an observer about every operation.
     *
     * @param directory the data directory; created with its parents when missing
     * @param observer  told about every operation when it completes
     * @return the open store
     * @throws StoreException as {@link #open(Path)}
     */
    public static RocksDbStore open(Path directory, StoreObserver observer) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.NOT_WRITABLE,
                    "Cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new StoreException(StoreException.Reason.NOT_WRITABLE,
                    "Data directory " + dir + " is not writable by this process", null);
        }

        long walBytes = walBytes(dir);
        Deque<AutoCloseable> handles = new ArrayDeque<>();
        try {
            DBOptions dbOptions = track(handles, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    // Bounded, so that the web server's connection cap can leave the store its descriptors
                    // (see the README's Security section); table files beyond it are reopened as needed.
                    .setMaxOpenFiles(MAX_OPEN_FILES)
                    // Concurrent writers share one synced log write (group commit) either way; pipelined, the next
                    // group's log write starts while the last one's writers insert into the memtables, instead of
                    // after (bench/writes.sh). A write still returns only once it is synced and readable.
                    .setEnablePipelinedWrite(true));
            ColumnFamilyOptions familyOptions = track(handles, new ColumnFamilyOptions());
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_META), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_LIBRARIES), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_USERS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_FUNCTIONS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_BINDINGS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_VERSIONS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_VERSION_CODE), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_VERSION_COUNTERS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_AUDIT), familyOptions));
            List<ColumnFamilyHandle> families = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, families);
            // Closed in reverse order: families before the database, the database before its options.
            track(handles, db);
            families.forEach(family -> track(handles, family));
            WriteOptions syncWrites = track(handles, new WriteOptions().setSync(true));

            checkSchema(db, families.get(1), syncWrites, dir);
            return new RocksDbStore(dir, db, syncWrites, handles, families, observer, walBytes);
        } catch (RocksDBException e) {
            closeAll(handles);
            throw translateOpenFailure(dir, e);
        } catch (RuntimeException e) {
            closeAll(handles);
            throw e;
        }
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

    /**
     * The data directory.
     *
     * @return the absolute path
     */
    public Path directory() {
        return directory;
    }

    /**
     * The write-ahead log data this store found when it opened, which RocksDB replayed. A store closed by
     * {@link #close()} leaves none; after a crash (or {@code kill -9}) it holds the writes made since the last flush.
     * Nothing acknowledged is lost either way: every write is synced to the log before it returns.
     *
     * @return bytes of write-ahead log found at open; 0 after a clean close
     */
    @Override
    public long recoveredLogBytes() {
        return recoveredLogBytes;
    }

    @Override
    public <T> T transact(Function<StoreTransaction, T> work) {
        return transaction(StoreOperation.TRANSACTION, "Running a transaction", work::apply);
    }

    /**
     * Run a transaction under the locks of what it touches ({@link KeyLocks}) and write its batch, synced, when the
     * work returns. The work runs again, from the start and with a fresh batch, when another transaction held a
     * lock it met; it must not have effects outside the transaction.
     *
     * @param kind   what kind of operation it is, for the observer
     * @param action what it does, for the error message
     */
    <T> T transaction(StoreOperation kind, String action, Function<RocksDbTransaction, T> work) {
        return apply(kind, action, (db, writes) -> {
            try (KeyLocks.Held locks = keyLocks.held()) {
                while (true) {
                    RocksDbTransaction tx = null;
                    // Whether the batch was written, or its write failed (then it may or may not have happened).
                    boolean written = false;
                    boolean writing = false;
                    try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
                         ReadOptions reads = new ReadOptions()) {
                        tx = new RocksDbTransaction(db, batch, reads, libraryFamily, functionFamily, bindingFamily,
                                locks, history, audit, users);
                        T result = work.apply(tx);
                        if (batch.count() > 0) {
                            writing = true;
                            db.write(writes, batch);
                        }
                        written = true;
                        return result;
                    } catch (KeyLocks.Conflict conflict) {
                        locks.retake();
                    } finally {
                        if (tx != null) {
                            tx.librariesWritten().forEach(libraries::written);
                            tx.usersWritten().forEach(users::written);
                            // Still under the libraries' locks: their changes reach the index in write order.
                            if (written) {
                                libraries.committed(tx.libraryStates());
                            } else if (writing) {
                                libraries.uncertain(tx.libraryStates().keySet());
                            }
                        }
                    }
                }
            }
        });
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void checkWritable() {
        byte[] now = ByteBuffer.allocate(Long.BYTES).putLong(System.currentTimeMillis()).array();
        apply(StoreOperation.WRITE_PROBE, "Writing the write probe", (db, writes) -> {
            db.put(meta, writes, WRITE_PROBE_KEY, now);
            return null;
        });
    }

    @Override
    public StoreStats stats() {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new StoreException(StoreException.Reason.IO, "Reading statistics failed: the store is closed",
                        null);
            }
            long walBytes = 0;
            for (LogFile log : db.getSortedWalFiles()) {
                walBytes += log.sizeFileBytes();
            }
            return new StoreStats(diskBytes(directory),
                    db.getAggregatedLongProperty("rocksdb.live-sst-files-size"),
                    walBytes,
                    db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables"),
                    db.getAggregatedLongProperty("rocksdb.estimate-pending-compaction-bytes"),
                    db.getAggregatedLongProperty("rocksdb.compaction-pending") > 0,
                    db.getLongProperty("rocksdb.num-running-compactions"),
                    db.getLongProperty("rocksdb.background-errors"),
                    db.getAggregatedLongProperty("rocksdb.estimate-num-keys"));
        } catch (RocksDBException e) {
            throw wrap("Reading statistics", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                // Every family, not only the default one: the log is obsolete only once all of them are flushed.
                db.flush(flush, families);
                db.syncWal();
            } catch (RocksDBException e) {
                throw wrap("Flushing the store on close", e);
            } finally {
                closeAll(handles);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** One call into RocksDB. */
    @FunctionalInterface
    interface Operation<T> {
        T run(RocksDB db, WriteOptions syncWrites) throws RocksDBException;
    }

    /**
     * Delete a key if it is there (users; libraries and functions change in transactions). Deletes of one family are
     * serialised, so that "existed" is exact when two callers
     * race for the same key.
     *
     * @return whether the key existed
     */
    boolean deleteIfPresent(StoreOperation kind, String action, ColumnFamilyHandle family, byte[] key) {
        return apply(kind, action, (db, writes) -> {
            synchronized (family) {
                if (db.get(family, key) == null) {
                    return false;
                }
                db.delete(family, writes, key);
                return true;
            }
        });
    }

    /**
     * Run an operation on the open database, wrapping RocksDB's exception once, and tell the observer.
     *
     * @param kind   what kind of operation it is, for the observer
     * @param action what the operation does, for the error message
     */
    <T> T apply(StoreOperation kind, String action, Operation<T> operation) {
        long start = System.nanoTime();
        boolean failed = true;
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new StoreException(StoreException.Reason.IO, action + " failed: the store is closed", null);
            }
            T result = operation.run(db, syncWrites);
            failed = false;
            return result;
        } catch (RocksDBException e) {
            throw wrap(action, e);
        } finally {
            lifecycle.readLock().unlock();
            observer.completed(kind, System.nanoTime() - start, failed);
        }
    }

    static StoreException wrap(String action, RocksDBException e) {
        Status status = e.getStatus();
        StoreException.Reason reason = status != null && status.getCode() == Status.Code.Corruption
                ? StoreException.Reason.CORRUPTED
                : StoreException.Reason.IO;
        return new StoreException(reason, action + " failed: " + e.getMessage(), e);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void checkSchema(RocksDB db, ColumnFamilyHandle meta, WriteOptions writes, Path dir)
            throws RocksDBException {
        byte[] stored = db.get(meta, SCHEMA_VERSION_KEY);
        if (stored == null) {
            db.put(meta, writes, SCHEMA_VERSION_KEY, ByteBuffer.allocate(Integer.BYTES).putInt(SCHEMA_VERSION).array());
            return;
        }
        if (stored.length != Integer.BYTES) {
            throw new StoreException(StoreException.Reason.CORRUPTED,
                    "The schema version record in " + dir + " is damaged", null);
        }
        int version = ByteBuffer.wrap(stored).getInt();
        if (version > SCHEMA_VERSION) {
            throw new StoreException(StoreException.Reason.UNSUPPORTED_SCHEMA,
                    "Data directory " + dir + " was written by a newer evaluator (schema " + version
                            + ", this one reads up to " + SCHEMA_VERSION + "): run the newer version", null);
        }
        if (version < SCHEMA_VERSION) {
            // Schema 2 adds the function count to library records; schema 1's records are read as they are, so
            // the upgrade is this number alone (after it, an older evaluator refuses the directory).
            db.put(meta, writes, SCHEMA_VERSION_KEY, ByteBuffer.allocate(Integer.BYTES).putInt(SCHEMA_VERSION).array());
        }
    }

    private static StoreException translateOpenFailure(Path dir, RocksDBException e) {
        String message = String.valueOf(e.getMessage());
        Status status = e.getStatus();
        boolean ioError = status != null && status.getCode() == Status.Code.IOError;
        if (ioError && message.contains(dir.resolve("LOCK") + ":")) {
            return new StoreException(StoreException.Reason.LOCKED,
                    "Data directory " + dir + " is in use (its RocksDB LOCK is held, by another process or"
                            + " another open store): stop the other evaluator or choose another --data-dir", e);
        }
        // A file the store's own records name is missing: the directory was damaged or partly copied.
        boolean missingFile = ioError && message.contains(dir + "/") && message.contains("No such file");
        if (status != null && status.getCode() == Status.Code.Corruption || missingFile) {
            return new StoreException(StoreException.Reason.CORRUPTED,
                    "The store in " + dir + " is corrupted (" + message + "): restore it from a backup,"
                            + " or move it aside to start empty", e);
        }
        return new StoreException(StoreException.Reason.IO,
                "Cannot open the store in " + dir + ": " + message, e);
    }

    /** The size of the write-ahead log files in a data directory not yet opened (0 for a new one). */
    private static long walBytes(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(file -> WAL_FILE.matcher(file.getFileName().toString()).matches())
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.NOT_WRITABLE,
                    "Cannot read data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The size of every file under a directory; files that vanish while it is walked (compaction) are skipped. */
    private static long diskBytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    total[0] += attributes.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.IO, "Measuring data directory " + dir + " failed: "
                    + e.getMessage(), e);
        }
        return total[0];
    }

    private static <T extends AutoCloseable> T track(Deque<AutoCloseable> handles, T handle) {
        handles.push(handle);
        return handle;
    }

    private static void closeAll(Deque<AutoCloseable> handles) {
        while (!handles.isEmpty()) {
            try {
                handles.pop().close();
            } catch (Exception ignored) {
                // Closing native handles only frees memory; there is nothing left to recover.
            }
        }
    }
}
