package dev.evaluator.runtime;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * An execution slot: the library contexts loaded in it, least recently used first, and the console its contexts log
 * to, and the slot's own worker thread. A context belongs to one library and one caller (namespace and user), so
 * what a library keeps in top-level variables is never seen by another caller. Beyond its capacity, the least
 * recently used context is closed. Used by one thread at a time, the one holding the slot (its worker, or an
 * in-process caller running a call on its own thread); only {@link #requestRelease(String)} and the worker's hand-off
 * may be called by any thread.
 */
final class LibraryContexts {
    private final ConsoleCapture console = new ConsoleCapture();
    private final LinkedHashMap<String, LoadedLibrary> loaded;
    /** Library keys whose contexts must be closed before the slot runs anything else. */
    private final Set<String> releases = ConcurrentHashMap.newKeySet();
    /** When the slot was last given back, for closing idle slots; guarded by the scheduler's lock. */
    private long lastUsedNanos = System.nanoTime();
    /** The call handed to the slot's worker thread and not taken yet. */
    private final AtomicReference<CallScheduler.Start> handed = new AtomicReference<>();
    /** The slot's worker thread, once it has one. */
    private volatile Thread worker;
    private volatile boolean workerStopped;

    LibraryContexts(int capacity) {
        this.loaded = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LoadedLibrary> eldest) {
                if (size() <= capacity) {
                    return false;
                }
                eldest.getValue().close();
                return true;
            }
        };
    }

    /** The key of a library's context for one caller. */
    static String contextKey(LibrarySource library, Caller caller) {
        return library.key() + '\n' + caller.namespace() + '\n' + caller.user();
    }

    /** The console all of this slot's contexts log to. */
    ConsoleCapture console() {
        return console;
    }

    /**
     * The library's loaded instance for this caller, if its current code is loaded here. An instance of older code
     * is closed.
     *
     * @param library the library as it is now
     * @param caller  whose context
     * @return the instance, now the most recently used
     */
    Optional<LoadedLibrary> find(LibrarySource library, Caller caller) {
        applyReleases();
        String key = contextKey(library, caller);
        LoadedLibrary current = loaded.get(key);
        if (current == null) {
            return Optional.empty();
        }
        if (!current.runs(library)) {
            loaded.remove(key);
            current.close();
            return Optional.empty();
        }
        return Optional.of(current);
    }

    /**
     * Keep a library just loaded, as the most recently used.
     *
     * @param library the instance, loaded
     */
    void keep(LoadedLibrary library) {
        LoadedLibrary previous = loaded.put(library.contextKey(), library);
        if (previous != null && previous != library) {
            previous.close();
        }
    }

    /**
     * Close an instance that must not run again (stopped, cancelled or failed), and forget it if it was kept.
     *
     * @param library the instance
     */
    void discard(LoadedLibrary library) {
        loaded.remove(library.contextKey(), library);
        library.close();
    }

    /**
     * Close the least recently used contexts, other than one, while the slot's contexts together may keep more than
     * a budget.
     *
     * @param budget the bytes the slot's contexts may keep
     * @param spared the context that stays (the one just used)
     */
    void evictBeyond(long budget, LoadedLibrary spared) {
        long total = 0;
        for (LoadedLibrary instance : loaded.values()) {
            total += instance.retainedBound();
        }
        Iterator<LoadedLibrary> eldestFirst = loaded.values().iterator();
        while (total > budget && eldestFirst.hasNext()) {
            LoadedLibrary instance = eldestFirst.next();
            if (instance != spared) {
                total -= instance.retainedBound();
                eldestFirst.remove();
                instance.close();
            }
        }
    }

    /** The contexts kept here, least recently used first. */
    List<LoadedLibrary> kept() {
        return new ArrayList<>(loaded.values());
    }

    /**
     * Ask that every context of a library be closed: at once by the holder, or before the slot's next call.
     *
     * @param libraryKey the library's key
     */
    void requestRelease(String libraryKey) {
        releases.add(libraryKey);
    }

    /** Close the contexts of libraries released since the last time. Only the slot's holder calls this. */
    void applyReleases() {
        if (releases.isEmpty()) {
            return;
        }
        for (String key : List.copyOf(releases)) {
            releases.remove(key);
            loaded.values().removeIf(instance -> {
                if (instance.library().key().equals(key)) {
                    instance.close();
                    return true;
                }
                return false;
            });
        }
    }

    /** Close every context: the slot is gone. */
    void closeAll() {
        for (LoadedLibrary instance : loaded.values()) {
            instance.close();
        }
        loaded.clear();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    void used(long nanos) {
        lastUsedNanos = nanos;
    }

    /**
     * Hand a call started in this slot to the slot's worker thread, starting the thread with the slot's first call.
     * A slot is handed at most one call at a time: only while it is free, and it is free again only once that call
     * is over.
     *
     * @param start   the call
     * @param threads makes the slot's thread, not started
     * @return false if the worker is stopped (the runtime is closed, or the slot is gone)
     */
    boolean handToWorker(CallScheduler.Start start, Function<LibraryContexts, Thread> threads) {
        handed.set(start);
        // Stopped meanwhile: the worker may have ended without seeing the call; taken back unless it took it.
        if (workerStopped && handed.compareAndSet(start, null)) {
            return false;
        }
        Thread thread = worker;
        if (thread == null) {
            startWorker(threads);
        } else {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Start the slot's worker thread unless it has one. */
    private synchronized void startWorker(Function<LibraryContexts, Thread> threads) {
        if (worker == null) {
            worker = threads.apply(this);
            worker.start();
        }
    }

    /**
     * On the slot's worker thread, as it ends: a call handed to it meanwhile (it may have been woken for it just
     * before) gets a new thread, unless the worker was stopped.
     *
     * @param threads makes the slot's thread, not started
     */
    void workerEnded(Function<LibraryContexts, Thread> threads) {
        synchronized (this) {
            if (worker == Thread.currentThread()) {
                worker = null;
            }
        }
        if (!workerStopped && handed.get() != null) {
            startWorker(threads);
        }
    }

    /**
     * On the slot's worker thread: wait for the next call handed to the slot.
     *
     * @return the call, or null once the worker is stopped
     */
    CallScheduler.Start nextForWorker() {
        while (true) {
            CallScheduler.Start start = handed.getAndSet(null);
            if (start != null) {
                return start;
            }
            if (workerStopped) {
                // A call handed before the stop was seen is still run; one handed after is taken back.
                return handed.getAndSet(null);
            }
            // An interrupt left over from a call must not keep the idle worker from sleeping (a pool's worker has its
            // interrupt cleared between tasks too).
            Thread.interrupted();
            LockSupport.park(this);
        }
    }

    /** End the slot's worker thread once it has run what it was handed. */
    void stopWorker() {
        workerStopped = true;
        Thread thread = worker;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
