package dev.evaluator.store.rocksdb;

import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreOperation;
import dev.evaluator.store.User;
import dev.evaluator.store.UserStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Users in their column family: key is the UTF-8 login name; value is a format byte, the password hash and the
 * roles, each string in modified UTF-8 with a length prefix.
 */
final class RocksDbUserStore implements UserStore {
    private static final byte VALUE_FORMAT = 0x01;

    /** Users the read cache keeps: every authenticated request reads its user. */
    private static final long CACHED_USERS = 10_000;

    private final RocksDbStore store;
    private final ColumnFamilyHandle family;
    private final ReadCache<String, User> cache;

    RocksDbUserStore(RocksDbStore store, ColumnFamilyHandle family) {
        this.store = store;
        this.family = family;
        this.cache = new ReadCache<>(store, CACHED_USERS, (name, user) -> 1);
    }

    /** Forget a user's cached record after a transaction wrote it, also one that failed (it may have happened). */
    void written(String name) {
        cache.written(name);
    }

    ColumnFamilyHandle family() {
        return family;
    }

    @Override
    public Optional<User> find(String name) {
        return cache.find(name, "Reading user", key -> {
            byte[] value = store.apply(StoreOperation.USER_READ, "Reading user " + key,
                    (db, writes) -> db.get(family, RocksDbStore.bytes(key)));
            return value == null ? null : decode(key, value);
        });
    }

    @Override
    public List<User> list() {
        return store.apply(StoreOperation.USER_LIST, "Listing users", (db, writes) -> {
            List<User> users = new ArrayList<>();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    users.add(decode(new String(it.key(), StandardCharsets.UTF_8), it.value()));
                }
                it.status();
            }
            return users;
        });
    }

    @Override
    public void upsert(User user) {
        byte[] value = encode(user);
        try {
            store.apply(StoreOperation.USER_WRITE, "Writing user " + user.name(), (db, writes) -> {
                db.put(family, writes, RocksDbStore.bytes(user.name()), value);
                return null;
            });
        } finally {
            cache.written(user.name());
        }
    }

    @Override
    public boolean delete(String name) {
        byte[] key = RocksDbStore.bytes(name);
        try {
            return store.deleteIfPresent(StoreOperation.USER_DELETE, "Deleting user " + name, family, key);
        } finally {
            cache.written(name);
        }
    }

    static byte[] encode(User user) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VALUE_FORMAT);
            out.writeUTF(user.passwordHash());
            out.writeInt(user.roles().size());
            for (String role : user.roles()) {
                out.writeUTF(role);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static User decode(String name, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != VALUE_FORMAT) {
                throw new IOException("unknown format");
            }
            String hash = in.readUTF();
            int count = in.readInt();
            List<String> roles = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                roles.add(in.readUTF());
            }
            return new User(name, hash, roles);
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of user " + name, e);
        }
    }
}
