package dev.evaluator.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One immutable version of a library, as its history keeps it: made by a successful create, replace or rollback.
 * The code itself is read apart ({@link HistoryStore#code}), so listing versions never reads it.
 *
 * @param library the library's identity
 * @param number  the version's number: per library, from 1, never reused
 * @param created when it was made
 * @param user    who made it (a login name)
 * @param sha256  the SHA-256 of the code's UTF-8 bytes, 64 lower-case hexadecimal digits
 * @param size    the code's length in UTF-8 bytes
 * @param message what its author said of it; empty when nothing
 */
public record LibraryVersion(LibraryId library, long number, Instant created, String user, String sha256, int size,
                             String message) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * Check the fields.
     *
     * @throws NullPointerException     if a field is null
     * @throws IllegalArgumentException if the number is below 1, the size negative or the hash not 64 hex digits
     */
    public LibraryVersion {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(message, "message");
        if (number < 1) {
            throw new IllegalArgumentException("version numbers start at 1, not " + number);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hexadecimal digits");
        }
    }

    /**
     * A version made now from some code, as an append writes it.
     *
     * @param library the library
     * @param number  the version's number
     * @param code    the code's UTF-8 bytes
     * @param user    who made it
     * @param message what its author said of it, or empty
     * @return the version, with the code's SHA-256 and size
     */
    public static LibraryVersion made(LibraryId library, long number, byte[] code, String user, String message) {
        return new LibraryVersion(library, number, Instant.ofEpochMilli(System.currentTimeMillis()), user,
                sha256(code), code.length, message);
    }

    /**
     * Check how many versions a write keeps.
     *
     * @param keep the count
     * @throws IllegalArgumentException if it is below 1
     */
    public static void requireKeep(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1");
        }
    }

    /**
     * Check that some code is this version's: its SHA-256 and size are those recorded (a version restored from a
     * backup is written only with the code it describes).
     *
     * @param code the code's UTF-8 bytes
     * @throws IllegalArgumentException if they do not match
     */
    public void requireCode(byte[] code) {
        if (!sha256.equals(sha256(code)) || size != code.length) {
            throw new IllegalArgumentException("version " + number + " of library " + library
                    + ": its sha256 and size are not those of its code");
        }
    }

    /**
     * The SHA-256 of some bytes, as versions record it.
     *
     * @param bytes the bytes (a version's code in UTF-8)
     * @return 64 lower-case hexadecimal digits
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The SHA-256 of a text's UTF-8 bytes, as versions record it.
     *
     * @param text the text (a library's code)
     * @return 64 lower-case hexadecimal digits
     */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
