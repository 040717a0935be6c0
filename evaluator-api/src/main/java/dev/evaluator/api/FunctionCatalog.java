package dev.evaluator.api;

import dev.evaluator.runtime.JsFunction;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Namespace;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Libraries and the SQL++ functions bound to them, kept consistent: a function is only created pointing at a
 * library that exists and defines its JavaScript function (unless bindings are lenient), a library is only deleted
 * when no function is bound to it, and a library is only replaced by code that still defines every bound function
 * (unless forced). Each check and its write happen under one lock, so no interleaving of concurrent changes can
 * leave a function bound to a missing library. Library code is parsed outside the lock.
 */
final class FunctionCatalog {
    private static final long INTROSPECTION_CACHE_CHARS = 64L * 1024 * 1024;

    private final LibraryStore libraries;
    private final FunctionStore functions;
    private final JsRuntime runtime;
    private final boolean lenientBindings;
    private final ReentrantLock changes = new ReentrantLock();
    /** What each stored library version defines, so bindings are checked without parsing again. */
    private final Cache<Library, List<JsFunction>> defined = Caffeine.newBuilder()
            .maximumWeight(INTROSPECTION_CACHE_CHARS)
            .weigher((Library library, List<JsFunction> fns) -> library.code().length())
            .build();

    FunctionCatalog(LibraryStore libraries, FunctionStore functions, JsRuntime runtime, boolean lenientBindings) {
        this.libraries = libraries;
        this.functions = functions;
        this.runtime = runtime;
        this.lenientBindings = lenientBindings;
    }

    /**
     * The top-level functions a library defines.
     *
     * @throws dev.evaluator.runtime.JsSyntaxException if the stored code no longer parses (not expected)
     */
    List<JsFunction> defined(Library library) {
        return defined.get(library, l -> runtime.functions(l.id().name(), l.code()));
    }

    /**
     * Create or replace a library.
     *
     * @param force keep bindings to functions the new code no longer defines (they are reported as broken)
     * @throws dev.evaluator.runtime.JsSyntaxException when the code does not parse; nothing is changed
     * @throws CatalogException                        {@code BINDING_BROKEN} when bound functions would disappear
     */
    void upsertLibrary(LibraryId id, String code, boolean force) {
        // Parsing checks the syntax too, with the same errors as JsRuntime.checkSyntax.
        Set<String> names = runtime.functions(id.name(), code).stream().map(JsFunction::name)
                .collect(Collectors.toSet());
        changes.lock();
        try {
            List<FunctionDefinition> broken = functions.boundTo(id).stream()
                    .filter(f -> !names.contains(f.object()))
                    .toList();
            if (!broken.isEmpty() && !force) {
                throw new CatalogException(CatalogException.Kind.BINDING_BROKEN, "Library [" + id.name()
                        + "] would no longer define functions that SQL++ functions are bound to: " + broken.stream()
                        .map(f -> f.id().qualifiedName() + " (binds " + f.object() + ")")
                        .collect(Collectors.joining(", "))
                        + "; keep them in the code, drop those SQL++ functions first, or pass force=true",
                        broken.stream().map(f -> f.id().qualifiedName()).toList());
            }
            libraries.upsert(id, code);
        } finally {
            changes.unlock();
        }
    }

    /**
     * Delete a library.
     *
     * @return whether it existed
     * @throws CatalogException {@code LIBRARY_IN_USE} while functions are bound to it; nothing is changed
     */
    boolean deleteLibrary(LibraryId id) {
        changes.lock();
        try {
            List<String> bound = functions.boundTo(id).stream().map(f -> f.id().qualifiedName()).toList();
            if (!bound.isEmpty()) {
                throw new CatalogException(CatalogException.Kind.LIBRARY_IN_USE, "Library [" + id.name()
                        + "] is used by " + bound.size() + " SQL++ function(s): " + String.join(", ", bound)
                        + "; drop them first", bound);
            }
            return libraries.delete(id);
        } finally {
            changes.unlock();
        }
    }

    /**
     * Create a function.
     *
     * @param replace     replace an existing function of that name
     * @param ifNotExists do nothing when the function exists
     * @return whether the function was written
     * @throws CatalogException {@code FUNCTION_EXISTS}, {@code LIBRARY_NOT_FOUND}, {@code OBJECT_NOT_FOUND},
     *                          {@code PARAMETER_MISMATCH}
     */
    boolean createFunction(FunctionDefinition definition, boolean replace, boolean ifNotExists) {
        changes.lock();
        try {
            if (functions.find(definition.id()).isPresent() && !replace) {
                if (ifNotExists) {
                    return false;
                }
                throw new CatalogException(CatalogException.Kind.FUNCTION_EXISTS,
                        "Function '" + definition.id().qualifiedName() + "' already exists");
            }
            if (!lenientBindings) {
                checkBinding(definition);
            }
            functions.upsert(definition);
            return true;
        } finally {
            changes.unlock();
        }
    }

    /**
     * Drop a function; its library stays.
     *
     * @return whether it existed
     */
    boolean dropFunction(FunctionId id) {
        changes.lock();
        try {
            return functions.delete(id);
        } finally {
            changes.unlock();
        }
    }

    /** All functions. */
    List<FunctionDefinition> functions() {
        return functions.list();
    }

    Optional<FunctionDefinition> function(FunctionId id) {
        return functions.find(id);
    }

    List<FunctionDefinition> boundTo(LibraryId library) {
        return functions.boundTo(library);
    }

    /**
     * Why a stored binding does not resolve, if it does not: its library is gone or no longer defines its function.
     */
    Optional<String> brokenReason(FunctionDefinition definition) {
        Optional<Library> library = libraries.find(definition.library());
        if (library.isEmpty()) {
            return Optional.of("library " + describe(definition.library()) + " does not exist");
        }
        boolean present = defined(library.get()).stream().anyMatch(f -> f.name().equals(definition.object()));
        return present ? Optional.empty()
                : Optional.of("library " + describe(definition.library()) + " does not define function "
                        + definition.object());
    }

    private void checkBinding(FunctionDefinition definition) {
        Library library = libraries.find(definition.library()).orElseThrow(() -> new CatalogException(
                CatalogException.Kind.LIBRARY_NOT_FOUND, "Library " + describe(definition.library())
                + " does not exist: create it first (POST " + EvaluatorServer.LIBRARIES_PATH + "/"
                + definition.library().name() + ")"));
        JsFunction target = defined(library).stream()
                .filter(f -> f.name().equals(definition.object()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new CatalogException(CatalogException.Kind.OBJECT_NOT_FOUND,
                        "Library " + describe(definition.library()) + " defines no top-level function named "
                                + definition.object() + "; it defines: " + defined(library).stream()
                                .map(JsFunction::name).collect(Collectors.joining(", "))));
        if (definition.parameters().isPresent() && !target.variadic()
                && definition.parameters().get().size() != target.parameters().size()) {
            throw new CatalogException(CatalogException.Kind.PARAMETER_MISMATCH, "Function "
                    + definition.id().qualifiedName() + " declares " + definition.parameters().get().size()
                    + " parameter(s) but " + definition.object() + " in library " + describe(definition.library())
                    + " takes " + target.parameters().size() + " (" + String.join(", ", target.parameters())
                    + "); match them, or declare the function variadic with (...)");
        }
    }

    static String describe(LibraryId library) {
        return switch (library.namespace()) {
            case Namespace.Global g -> "[" + library.name() + "]";
            case Namespace.Scoped s -> "[" + library.name() + "] in scope " + s.bucket() + "." + s.scope();
        };
    }
}
