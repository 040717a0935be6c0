package dev.evaluator.store;

import java.time.Instant;
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
}
