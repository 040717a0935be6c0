package dev.evaluator.runtime;

import java.util.Objects;

/**
 * A library's code as the runtime runs it.
 *
 * @param key  identifies the library across calls (e.g. {@code travel-sample/inventory/science}); compiled
 *             instances are cached per key and reused while the code is the same
 * @param name the library's name, used as the source name ({@code <name>.js}) in locations and messages
 * @param code the whole library's code
 */
public record LibrarySource(String key, String name, String code) {
    /**
     * Check that no field is null.
     *
     * @throws NullPointerException if a field is null
     */
    public LibrarySource {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(code, "code");
    }
}
