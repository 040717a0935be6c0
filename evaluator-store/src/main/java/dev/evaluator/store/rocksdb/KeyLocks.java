package dev.evaluator.store.rocksdb;

import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of the catalog's transactions: one per library and per function (striped: a key's lock is one of a
 * fixed array, chosen by its hash), so transactions on different libraries run, and write, at once, and their synced
 * writes share one log sync (RocksDB groups concurrent writers), while two transactions that touch the same library
 * or function are serialised. Whatever a transaction reads or writes it locks first, and holds until its batch is
 * written, so what it read is still true when its batch is applied (the guard's check and the delete, the binding's
 * check and the function).
 * <p>
 * Deadlock-free by construction: a transaction only ever <em>tries</em> a lock it meets while it runs. If another
 * transaction holds it, this one lets go of all it holds ({@link Conflict}), takes every lock it met, in stripe
 * order, blocking (so it never waits while holding a later stripe), and runs again from the start; a key it meets
 * then that it did not before is tried again the same way.
 */
final class KeyLocks {
    /** A power of two. */
    private static final int STRIPES = 1024;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    KeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** The stripe of a key's lock. */
    static int stripe(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** The locks one transaction holds. */
    Held held() {
        return new Held();
    }

    /** Another transaction holds a lock this one met: it runs again once it holds every lock it met. */
    static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Conflict() {
            super(null, null, false, false);
        }
    }

    /** The locks of one transaction, over its attempts. Used by one thread. */
    final class Held implements AutoCloseable {
        /** The stripes held now. */
        private final BitSet holding = new BitSet(STRIPES);
        /** Every stripe met, in any attempt: what the next attempt takes before it runs. */
        private final BitSet met = new BitSet(STRIPES);

        /**
         * Lock the key for this transaction if no other holds it.
         *
         * @throws Conflict if another transaction holds it; this one must {@link #retake()} and run again
         */
        void lock(Object key) {
            int s = stripe(key);
            if (holding.get(s)) {
                return;
            }
            met.set(s);
            if (!stripes[s].tryLock()) {
                throw new Conflict();
            }
            holding.set(s);
        }

        /** After a {@link Conflict}: let go of everything, then take every lock met so far, in stripe order. */
        void retake() {
            release();
            for (int s = met.nextSetBit(0); s >= 0; s = met.nextSetBit(s + 1)) {
                stripes[s].lock();
                holding.set(s);
            }
        }

        private void release() {
            for (int s = holding.nextSetBit(0); s >= 0; s = holding.nextSetBit(s + 1)) {
                stripes[s].unlock();
            }
            holding.clear();
        }

        @Override
        public void close() {
            release();
        }
    }
}
