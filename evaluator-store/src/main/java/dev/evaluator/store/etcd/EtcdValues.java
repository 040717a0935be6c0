package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
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
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The values of the records: a format byte first, then, in {@link DataOutputStream} encoding,
 * <ul>
 * <li>library (format {@code 0x02}): the modification time in epoch milliseconds, the number of top-level
 * functions (-1 when not counted), then the code in UTF-8 to the end; format {@code 0x01}, without the count, is
 * still read;</li>
 * <li>function: the variadic flag, the parameter names, the library's path ({@code global/math}), the JavaScript
 * function's name and the creation time;</li>
 * <li>index of a library's functions: their paths, sorted;</li>
 * <li>user: the password hash and the role names.</li>
 * </ul>
 */
final class EtcdValues {
    private static final byte FORMAT = 0x01;
    private static final int LIBRARY_HEADER_1 = 1 + Long.BYTES;
    private static final byte LIBRARY_FORMAT = 0x02;
    private static final int LIBRARY_HEADER = 1 + Long.BYTES + Integer.BYTES;

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

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }
}
