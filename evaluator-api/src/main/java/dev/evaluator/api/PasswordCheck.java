package dev.evaluator.api;

import java.util.Optional;

import io.helidon.security.providers.httpauth.SecureUserStore;

/**
 * Checks user names and passwords: the slow way through Helidon Security's Basic provider, and a fast way for
 * credentials verified recently.
 */
interface PasswordCheck extends SecureUserStore {
    /**
     * The user, when this name and password were verified recently and the user is unchanged since. Empty means
     * "check the slow way", never "wrong password".
     *
     * @param login    the user name
     * @param password the password
     * @return the stored user
     */
    Optional<dev.evaluator.store.User> recentlyVerified(String login, char[] password);

    /**
     * Remember that this password is the user's, as stored, when that was just established another way (the
     * administrator's bootstrap checks or derives the hash at start): the user's first login then skips the KDF.
     * A later change of the user's password or roles makes the entry unreachable, as for any verified login.
     *
     * @param user     the user as stored
     * @param password the password its hash was checked against or derived from
     */
    void remember(dev.evaluator.store.User user, char[] password);
}
