package dev.evaluator.store.rocksdb;

import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.UserStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;

/**
 * The store on RocksDB: one database per data directory, one column family per kind of record.
 * <p>
 * Column families: {@code meta} (the schema version), {@code libraries}, {@code users}, {@code functions} and
 * {@code bindings} (library to functions index). Every write uses a synced
 * write-ahead log, so a write that returned survives a crash of the process or the machine.
 */
public final class RocksDbStore implements Store {
    /** The schema version this code writes and reads. */
    static final int SCHEMA_VERSION = 1;
    static final byte[] SCHEMA_VERSION_KEY = "schema-version".getBytes(StandardCharsets.UTF_8);

    private static final String CF_META = "meta";
    private static final String CF_LIBRARIES = "libraries";
    private static final String CF_USERS = "users";
    private static final String CF_FUNCTIONS = "functions";
    private static final String CF_BINDINGS = "bindings";

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
    /** Operations hold the read lock, so {@link #close()} never frees native handles under a running call. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Written under the lifecycle lock; volatile for {@link #isOpen()}, which reads without it. */
    private volatile boolean closed;

    /** Families in the order of the descriptors: default, meta, libraries, users, functions, bindings. */
    private RocksDbStore(Path directory, RocksDB db, WriteOptions syncWrites, Deque<AutoCloseable> handles,
                         List<ColumnFamilyHandle> families) {
        this.directory = directory;
        this.db = db;
        this.syncWrites = syncWrites;
        this.handles = handles;
        this.libraries = new RocksDbLibraryStore(this, families.get(2));
        this.users = new RocksDbUserStore(this, families.get(3));
        this.functions = new RocksDbFunctionStore(this, families.get(4), families.get(5));
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

        Deque<AutoCloseable> handles = new ArrayDeque<>();
        try {
            DBOptions dbOptions = track(handles, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true));
            ColumnFamilyOptions familyOptions = track(handles, new ColumnFamilyOptions());
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_META), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_LIBRARIES), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_USERS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_FUNCTIONS), familyOptions),
                    new ColumnFamilyDescriptor(bytes(CF_BINDINGS), familyOptions));
            List<ColumnFamilyHandle> families = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, families);
            // Closed in reverse order: families before the database, the database before its options.
            track(handles, db);
            families.forEach(family -> track(handles, family));
            WriteOptions syncWrites = track(handles, new WriteOptions().setSync(true));

            checkSchema(db, families.get(1), syncWrites, dir);
            return new RocksDbStore(dir, db, syncWrites, handles, families);
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

    /**
     * The data directory.
     *
     * @return the absolute path
     */
    public Path directory() {
        return directory;
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
                db.flush(flush);
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

    /** Whether the store is still open; a cached read checks this instead of taking the lifecycle lock. */
    boolean isOpen() {
        return !closed;
    }

    /** One call into RocksDB. */
    @FunctionalInterface
    interface Operation<T> {
        T run(RocksDB db, WriteOptions syncWrites) throws RocksDBException;
    }

    /**
     * Run an operation on the open database, wrapping RocksDB's exception once.
     *
     * @param action what the operation does, for the error message
     */
    <T> T apply(String action, Operation<T> operation) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new StoreException(StoreException.Reason.IO, action + " failed: the store is closed", null);
            }
            return operation.run(db, syncWrites);
        } catch (RocksDBException e) {
            throw wrap(action, e);
        } finally {
            lifecycle.readLock().unlock();
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
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return new StoreException(StoreException.Reason.CORRUPTED,
                    "The store in " + dir + " is corrupted (" + message + "): restore it from a backup,"
                            + " or move it aside to start empty", e);
        }
        return new StoreException(StoreException.Reason.IO,
                "Cannot open the store in " + dir + ": " + message, e);
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
