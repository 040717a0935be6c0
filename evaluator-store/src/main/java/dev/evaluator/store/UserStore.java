package dev.evaluator.store;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage of users. Every write is durable before the method returns (see {@link LibraryStore}).
 */
public interface UserStore {
    /**
     * One user.
     *
     * @param name the login name
     * @return the user, or empty when there is none
     * @throws StoreException if the store cannot be read
     */
    Optional<User> find(String name);

    /**
     * All users, sorted by name.
     *
     * @return the users
     * @throws StoreException if the store cannot be read
     */
    List<User> list();

    /**
     * Create the user, or replace it when it exists.
     *
     * @param user the user
     * @throws StoreException if the write fails; then nothing was changed
     */
    void upsert(User user);

    /**
     * Delete a user.
     *
     * @param name the login name
     * @return whether the user existed
     * @throws StoreException if the write fails; then nothing was changed
     */
    boolean delete(String name);
}
