package dev.evaluator.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An execution slot: the libraries loaded in it, by key, least recently used first, and the console its contexts
 * log to. Beyond its capacity, the least recently used library's context is closed. Used by one thread at a time,
 * the one holding the slot.
 */
final class LibraryContexts {
    private final ConsoleCapture console = new ConsoleCapture();
    private final LinkedHashMap<String, LoadedLibrary> loaded;

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

    /** The console all of this slot's contexts log to. */
    ConsoleCapture console() {
        return console;
    }

    /**
     * The library's loaded instance, if its current code is loaded here. An instance of older code is closed.
     *
     * @param library the library as it is now
     * @return the instance, now the most recently used
     */
    Optional<LoadedLibrary> find(LibrarySource library) {
        LoadedLibrary current = loaded.get(library.key());
        if (current == null) {
            return Optional.empty();
        }
        if (!current.runs(library)) {
            loaded.remove(library.key());
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
        LoadedLibrary previous = loaded.put(library.library().key(), library);
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
        loaded.remove(library.library().key(), library);
        library.close();
    }
}
