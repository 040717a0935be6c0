package dev.evaluator.store.etcd;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.User;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The values of the records: a format byte first, then, in {@link DataOutputStream} encoding,
 * <ul>
 * <li>library (format {@code 0x02}): the modification time in epoch milliseconds, the number of top-level
 * functions (-1 when not counted), then the code in UTF-8 to the end; format {@code 0x01}, without the count, is
 * still read;</li>
 * <li>function: the variadic flag, the parameter names, the library's path ({@code global/math}), the JavaScript
 * function's name and the creation time;</li>
 * <li>index of a library's functions: their paths, sorted;</li>
 * <li>user: the password hash and the role names;</li>
 * <li>version metadata: the creation time in epoch milliseconds, the code's size in UTF-8 bytes, its SHA-256
 * (32 bytes), the user and the message;</li>
 * <li>version counter: the lowest kept number and the highest number ever given (no version is kept when the
 * lowest is above the highest);</li>
 * <li>audit entry: the time in epoch milliseconds, the version (-1 for none), then user, client, action, target,
 * outcome and detail.</li>
 * </ul>
 * Texts of versions and audit entries are their UTF-8 length (4 bytes) and bytes, so none has a length limit.
 * A version's code is stored as its UTF-8 bytes, with nothing around them.
 */
final class EtcdValues {
    private static final byte FORMAT = 0x01;
    private static final int LIBRARY_HEADER_1 = 1 + Long.BYTES;
    private static final byte LIBRARY_FORMAT = 0x02;
    private static final int LIBRARY_HEADER = 1 + Long.BYTES + Integer.BYTES;
    private static final int SHA_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    private EtcdValues() {
    }

    static byte[] library(Library library) {
        byte[] code = library.code().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(LIBRARY_HEADER + code.length)
                .put(LIBRARY_FORMAT)
                .putLong(library.modified().toEpochMilli())
                .putInt(library.functionCount().orElse(-1))
                .put(code)
                .array();
    }

    static Library library(LibraryId id, byte[] value) {
        boolean counted = value.length >= LIBRARY_HEADER && value[0] == LIBRARY_FORMAT;
        if (!counted && (value.length < LIBRARY_HEADER_1 || value[0] != FORMAT)) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of library " + id, null);
        }
        ByteBuffer header = ByteBuffer.wrap(value, 1, (counted ? LIBRARY_HEADER : LIBRARY_HEADER_1) - 1);
        long modified = header.getLong();
        int count = counted ? header.getInt() : -1;
        if (count < -1) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of library " + id, null);
        }
        int start = counted ? LIBRARY_HEADER : LIBRARY_HEADER_1;
        String code = new String(value, start, value.length - start, StandardCharsets.UTF_8);
        return new Library(id, code, Instant.ofEpochMilli(modified),
                count < 0 ? OptionalInt.empty() : OptionalInt.of(count));
    }

    static byte[] function(FunctionDefinition definition) {
        return write(out -> {
            out.writeBoolean(definition.variadic());
            writeStrings(out, definition.parameters().orElse(List.of()));
            out.writeUTF(EtcdKeys.path(definition.library().namespace(), definition.library().name()));
            out.writeUTF(definition.object());
            out.writeLong(definition.created().toEpochMilli());
            out.writeUTF(definition.libraryPath());
        });
    }

    static FunctionDefinition function(FunctionId id, byte[] value) {
        return read(value, "function " + id, in -> {
            boolean variadic = in.readBoolean();
            List<String> parameters = readStrings(in);
            EtcdKeys.Named library = EtcdKeys.parsePath(in.readUTF());
            String object = in.readUTF();
            Instant created = Instant.ofEpochMilli(in.readLong());
            return new FunctionDefinition(id, variadic ? Optional.empty() : Optional.of(parameters),
                    new LibraryId(library.namespace(), library.name()), object, created, in.readUTF());
        });
    }

    static byte[] bindings(List<FunctionId> functions) {
        return write(out -> writeStrings(out, functions.stream()
                .map(f -> EtcdKeys.path(f.namespace(), f.name()))
                .sorted()
                .toList()));
    }

    static List<FunctionId> bindings(LibraryId library, byte[] value) {
        return read(value, "index of library " + library, in -> readStrings(in).stream()
                .map(EtcdKeys::parsePath)
                .map(named -> new FunctionId(named.namespace(), named.name()))
                .toList());
    }

    static byte[] user(User user) {
        return write(out -> {
            out.writeUTF(user.passwordHash());
            writeStrings(out, user.roles());
        });
    }

    static User user(String name, byte[] value) {
        return read(value, "user " + name, in -> new User(name, in.readUTF(), readStrings(in)));
    }

    static byte[] version(LibraryVersion version) {
        return write(out -> {
            out.writeLong(version.created().toEpochMilli());
            out.writeInt(version.size());
            out.write(HEX.parseHex(version.sha256()));
            writeText(out, version.user());
            writeText(out, version.message());
        });
    }

    static LibraryVersion version(LibraryId library, long number, byte[] value) {
        return read(value, "version " + number + " of library " + library, in -> {
            Instant created = Instant.ofEpochMilli(in.readLong());
            int size = in.readInt();
            byte[] sha = new byte[SHA_BYTES];
            in.readFully(sha);
            String user = readText(in);
            String message = readText(in);
            return new LibraryVersion(library, number, created, user, HEX.formatHex(sha), size, message);
        });
    }

    /**
     * A library's version counter.
     *
     * @param first the lowest kept number; above {@code last} when none is kept
     * @param last  the highest number ever given; 0 for none
     */
    record Counter(long first, long last) {
        /** The counter of a library that never had a version. */
        static final Counter NONE = new Counter(1, 0);

        boolean kept() {
            return first <= last;
        }
    }

    static byte[] counter(Counter counter) {
        return write(out -> {
            out.writeLong(counter.first());
            out.writeLong(counter.last());
        });
    }

    static Counter counter(LibraryId library, byte[] value) {
        return read(value, "version counter of library " + library, in -> {
            long first = in.readLong();
            long last = in.readLong();
            if (first < 1 || last < 0 || first > last + 1) {
                throw new IOException("impossible numbers " + first + ".." + last);
            }
            return new Counter(first, last);
        });
    }

    static byte[] audit(AuditEntry entry) {
        return write(out -> {
            out.writeLong(entry.time().toEpochMilli());
            out.writeLong(entry.version().orElse(-1));
            for (String text : List.of(entry.user(), entry.client(), entry.action(), entry.target(),
                    entry.outcome(), entry.detail())) {
                writeText(out, text);
            }
        });
    }

    static AuditEntry audit(long id, byte[] value) {
        return read(value, "audit log entry " + id, in -> {
            Instant time = Instant.ofEpochMilli(in.readLong());
            long version = in.readLong();
            String[] texts = new String[6];
            for (int i = 0; i < texts.length; i++) {
                texts[i] = readText(in);
            }
            return new AuditEntry(id, time, texts[0], texts[1], texts[2], texts[3], texts[4],
                    version < 0 ? OptionalLong.empty() : OptionalLong.of(version), texts[5]);
        });
    }

    /** Writes one value's fields. */
    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads one value's fields. */
    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writer.write(out);
        } catch (IOException e) {
            throw new IllegalStateException("Writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] value, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != FORMAT) {
                throw new IOException("unknown format");
            }
            return reader.read(in);
        } catch (StoreException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged record of " + what, e);
        }
    }

    private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.writeUTF(s);
        }
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("a text longer than its record");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }
}
