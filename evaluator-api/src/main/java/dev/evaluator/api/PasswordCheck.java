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
}
