package dev.evaluator.store;

import java.util.Objects;

/**
 * One change of a record, as a {@link StoreListener} hears of it: which record, whether it was deleted, and the
 * store's revision at which it happened. A change says what to drop or reload, not the new value: read it.
 */
public sealed interface StoreChange permits StoreChange.LibraryChanged, StoreChange.FunctionChanged,
        StoreChange.UserChanged {
    /**
     * Whether the record was deleted (else created or replaced).
     *
     * @return true for a delete
     */
    boolean deleted();

    /**
     * The store's revision of the change; the changes of one transaction share it.
     *
     * @return the revision
     */
    long revision();

    /**
     * A library was written or deleted.
     *
     * @param id       the library
     * @param deleted  whether it was deleted
     * @param revision the store's revision of the change
     */
    record LibraryChanged(LibraryId id, boolean deleted, long revision) implements StoreChange {
        /**
         * Check the identity.
         *
         * @throws NullPointerException if it is null
         */
        public LibraryChanged {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * A SQL++ function was written or deleted (its library's index changed with it).
     *
     * @param id       the function
     * @param deleted  whether it was deleted
     * @param revision the store's revision of the change
     */
    record FunctionChanged(FunctionId id, boolean deleted, long revision) implements StoreChange {
        /**
         * Check the identity.
         *
         * @throws NullPointerException if it is null
         */
        public FunctionChanged {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * A user was written (a new password hash or roles) or deleted.
     *
     * @param name     the user's login name
     * @param deleted  whether it was deleted
     * @param revision the store's revision of the change
     */
    record UserChanged(String name, boolean deleted, long revision) implements StoreChange {
        /**
         * Check the name.
         *
         * @throws NullPointerException if it is null
         */
        public UserChanged {
            Objects.requireNonNull(name, "name");
        }
    }
}
