package dev.evaluator.engine;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, slow password hashing with PBKDF2-HMAC-SHA256 from the JDK.
 * Encoded as {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>}, so the cost can rise later
 * without invalidating stored hashes.
 */
public final class PasswordHasher {
    private static final String PREFIX = "pbkdf2-sha256";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final SecureRandom random = new SecureRandom();
    private final int iterations;

    /** A hasher with {@value #DEFAULT_ITERATIONS} iterations. */
    public PasswordHasher() {
        this(DEFAULT_ITERATIONS);
    }

    /**
     * @param iterations the PBKDF2 iterations of new hashes (tests and benchmarks use fewer)
     */
    public PasswordHasher(int iterations) {
        this.iterations = iterations;
    }

    /**
     * Hash a password with a new random salt.
     *
     * @return the encoded hash
     */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * An encoded hash that no password matches: a random salt and a random 256-bit "hash" that no derivation
     * produced (a match would take a SHA-256 collision), with this hasher's iterations, so {@link #verify} costs the
     * same as against a real hash. For the check of an unknown user, which must take as long as a known one's,
     * without paying a derivation to make it.
     *
     * @return the encoded decoy
     */
    public String decoy() {
        byte[] salt = new byte[SALT_BYTES];
        byte[] hash = new byte[HASH_BITS / 8];
        random.nextBytes(salt);
        random.nextBytes(hash);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Check a password against an encoded hash, in time that does not depend on where they differ.
     *
     * @return true when it matches; false also for a malformed hash
     */
    public boolean verify(char[] password, String encoded) {
        String[] parts = encoded.split("\\$");
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            return false;
        }
        try {
            int rounds = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, derive(password, salt, rounds));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Whether a text is a hash this class wrote (and {@link #verify} can check): an import takes no other.
     *
     * @return true for {@code pbkdf2-sha256$<rounds>$<salt>$<hash>} with a positive round count and base64 parts
     */
    public static boolean isEncoded(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        if (parts.length != 4 || !PREFIX.equals(parts[0]) || parts[2].isEmpty() || parts[3].isEmpty()) {
            return false;
        }
        try {
            Base64.getDecoder().decode(parts[2]);
            Base64.getDecoder().decode(parts[3]);
            return Integer.parseInt(parts[1]) > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int rounds) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, rounds, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
