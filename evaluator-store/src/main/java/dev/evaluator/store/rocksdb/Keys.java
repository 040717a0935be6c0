package dev.evaluator.store.rocksdb;

import dev.evaluator.store.Namespace;
import dev.evaluator.store.StoreException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys of records that live in a namespace (libraries, functions): {@code 0x00 name} for a global record,
 * {@code 0x01 bucket 0x00 scope 0x00 name} for a scoped one, so the records of one namespace are one prefix scan.
 * Names never contain {@code 0x00} (their rules forbid it).
 */
final class Keys {
    static final byte SEPARATOR = 0x00;
    private static final byte GLOBAL = 0x00;
    private static final byte SCOPED = 0x01;

    /** A decoded key. */
    record Decoded(Namespace namespace, String name) {
    }

    private Keys() {
    }

    static byte[] prefix(Namespace namespace) {
        return switch (namespace) {
            case Namespace.Global g -> new byte[] {GLOBAL};
            case Namespace.Scoped s -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(SCOPED);
                out.writeBytes(s.bucket().getBytes(StandardCharsets.UTF_8));
                out.write(SEPARATOR);
                out.writeBytes(s.scope().getBytes(StandardCharsets.UTF_8));
                out.write(SEPARATOR);
                yield out.toByteArray();
            }
        };
    }

    static byte[] key(Namespace namespace, String name) {
        return concat(prefix(namespace), name.getBytes(StandardCharsets.UTF_8));
    }

    static Decoded decode(byte[] key, int from, int to) {
        if (to - from > 1 && key[from] == GLOBAL) {
            return new Decoded(Namespace.GLOBAL, new String(key, from + 1, to - from - 1, StandardCharsets.UTF_8));
        }
        if (to - from > 1 && key[from] == SCOPED) {
            int first = indexOf(key, from + 1, to);
            int second = first < 0 ? -1 : indexOf(key, first + 1, to);
            if (second > 0) {
                String bucket = new String(key, from + 1, first - from - 1, StandardCharsets.UTF_8);
                String scope = new String(key, first + 1, second - first - 1, StandardCharsets.UTF_8);
                String name = new String(key, second + 1, to - second - 1, StandardCharsets.UTF_8);
                return new Decoded(Namespace.scoped(bucket, scope), name);
            }
        }
        throw new StoreException(StoreException.Reason.CORRUPTED, "Damaged key in the store", null);
    }

    static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] result = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, result, at, part.length);
            at += part.length;
        }
        return result;
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    static int indexOf(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == SEPARATOR) {
                return i;
            }
        }
        return -1;
    }
}
