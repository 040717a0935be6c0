package dev.evaluator.engine;

/**
 * Whether whoever asked for a call still waits for its answer. The HTTP adapter answers it from the state of the
 * request's connection; a call whose client is gone is stopped (or, still queued, never starts), so that abandoned
 * requests do not hold JavaScript workers.
 */
@FunctionalInterface
public interface ClientPresence {
    /** A caller that cannot go away while it waits (in-process use, tests). */
    ClientPresence STAYS = () -> false;

    /**
     * Cheap enough to ask a few times a second per running call.
     *
     * @return true once the client is known to be gone; false while it is there or nothing is known
     */
    boolean gone();
}
