package dev.evaluator.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(1_000);

    @Test
    void verify_samePassword_true() {
        assertTrue(hasher.verify("correct horse".toCharArray(), hasher.hash("correct horse".toCharArray())));
    }

    @Test
    void verify_otherPassword_false() {
        assertFalse(hasher.verify("Correct horse".toCharArray(), hasher.hash("correct horse".toCharArray())));
    }

    @Test
    void hash_samePasswordTwice_differentSaltsAndNoClearText() {
        String first = hasher.hash("correct horse".toCharArray());
        assertNotEquals(first, hasher.hash("correct horse".toCharArray()));
        assertFalse(first.contains("correct"));
        assertTrue(first.startsWith("pbkdf2-sha256$1000$"));
    }

    @Test
    void verify_otherIterationCount_usesTheStoredOne() {
        String stored = new PasswordHasher(2_000).hash("pw-123456".toCharArray());
        assertTrue(hasher.verify("pw-123456".toCharArray(), stored));
    }

    @Test
    void verify_malformedHash_false() {
        for (String stored : new String[] {"", "plain", "pbkdf2-sha256$x$y$z", "md5$1$AA$BB", "pbkdf2-sha256$10$!!$??"}) {
            assertFalse(hasher.verify("pw".toCharArray(), stored), stored);
        }
    }

    @Test
    void decoy_hasARealHashsShapeAndCost_butNoPasswordMatchesIt() {
        String decoy = hasher.decoy();
        String real = hasher.hash("pw".toCharArray());

        assertTrue(PasswordHasher.isEncoded(decoy));
        assertTrue(decoy.startsWith("pbkdf2-sha256$1000$"));
        assertEquals(real.length(), decoy.length());
        assertNotEquals(decoy, hasher.decoy());
        for (String password : new String[] {"", "pw", "pbkdf2-sha256", decoy}) {
            assertFalse(hasher.verify(password.toCharArray(), decoy), password);
        }
    }
}
