package dev.evaluator.engine;

import dev.evaluator.runtime.JsFunction;
import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.FunctionStore;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryStore;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreTransaction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Libraries and the SQL++ functions bound to them, kept consistent (the delete guard): a function is only created
 * pointing at a library that exists and defines its JavaScript function (unless bindings are lenient), a library is
 * only deleted when no function is bound to it, and a library is only replaced by code that still defines every
 * bound function (unless forced). Each check and its writes are one store transaction ({@link Store#transact}),
 * applied only if nothing it read changed meanwhile, in this process or another sharing the store, so no
 * interleaving of concurrent changes can leave a function bound to a missing library. Library code is parsed
 * outside the transaction.
 */
public final class FunctionCatalog {
    private static final long INTROSPECTION_CACHE_CHARS = 64L * 1024 * 1024;

    private final Store store;
    private final LibraryStore libraries;
    private final FunctionStore functions;
    private final JsRuntime runtime;
    private final boolean lenientBindings;
    /** What each stored library version defines, so bindings are checked without parsing again. */
    private final Cache<Library, List<JsFunction>> defined = Caffeine.newBuilder()
            .maximumWeight(INTROSPECTION_CACHE_CHARS)
            .weigher((Library library, List<JsFunction> fns) -> library.code().length())
            .build();

    /**
     * @param lenientBindings create functions without checking that their library defines them (Couchbase's late
     *                        binding)
     */
    public FunctionCatalog(Store store, JsRuntime runtime, boolean lenientBindings) {
        this.store = store;
        this.libraries = store.libraries();
        this.functions = store.functions();
        this.runtime = runtime;
        this.lenientBindings = lenientBindings;
    }

    /**
     * The libraries of one namespace, or of all.
     *
     * @param namespace the namespace; empty for every library
     * @return the libraries, in the store's order
     */
    public List<Library> libraries(Optional<Namespace> namespace) {
        return namespace.map(libraries::list).orElseGet(libraries::list);
    }

    /**
     * Every library of every namespace, in the order of {@link #libraries}, one at a time, without holding them all
     * (the store reads them in chunks).
     *
     * @param action what to do with each
     */
    public void eachLibrary(Consumer<Library> action) {
        libraries.forEach(action);
    }

    /**
     * A page of the libraries of every namespace: those whose identities pass a test, in the order of
     * {@link #libraries}, from just after one identity, until the action asks to stop.
     *
     * @param after   start after this one, or at the first
     * @param include which identities (the test sees no code, so what it leaves out is never read)
     * @param action  takes each library and says whether to go on
     */
    public void eachLibrary(Optional<LibraryId> after, Predicate<LibraryId> include, Predicate<Library> action) {
        libraries.forEach(after, include, action);
    }

    /**
     * A library.
     *
     * @return the library
     * @throws EngineException {@code LIBRARY_NOT_FOUND}
     */
    public Library library(LibraryId id) {
        return libraries.find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * A library, if it exists.
     *
     * @return the library, or empty
     */
    public Optional<Library> findLibrary(LibraryId id) {
        return libraries.find(id);
    }

    static EngineException notFound(LibraryId id) {
        String where = id.namespace() instanceof Namespace.Scoped s
                ? " in scope " + s.bucket() + "." + s.scope()
                : " among global libraries";
        return new EngineException(EngineException.Kind.LIBRARY_NOT_FOUND,
                "Library [" + id.name() + "] not found" + where);
    }

    /**
     * The top-level functions a library defines.
     *
     * @throws dev.evaluator.runtime.JsSyntaxException if the stored code no longer parses (not expected)
     */
    public List<JsFunction> defined(Library library) {
        return defined.get(library, l -> runtime.functions(l.id().name(), l.code()));
    }

    /**
     * The top-level functions a library defines, parsed now and not cached: for libraries checked once, in bulk
     * (an import), whose parse results would only crowd the cache.
     *
     * @throws dev.evaluator.runtime.JsSyntaxException if the code does not parse
     */
    List<JsFunction> parse(Library library) {
        List<JsFunction> cached = defined.getIfPresent(library);
        return cached != null ? cached : runtime.functions(library.id().name(), library.code());
    }

    /**
     * How many top-level functions a library defines: as counted when it was written, or, for a library written
     * before counts were stored, by parsing it.
     *
     * @param library the library
     * @return the number of its top-level functions
     */
    public int functionCount(Library library) {
        return library.functionCount().orElseGet(() -> defined(library).size());
    }

    /**
     * A top-level function of a library, bound to by SQL++ functions or not.
     *
     * @param function  what the library defines
     * @param boundBy   the qualified names of the SQL++ functions bound to it
     */
    public record DefinedFunction(JsFunction function, List<String> boundBy) {
        /** Copy. */
        public DefinedFunction {
            boundBy = List.copyOf(boundBy);
        }
    }

    /**
     * A binding whose JavaScript function the library does not define (kept by a forced replace).
     *
     * @param function the SQL++ function's qualified name
     * @param object   the JavaScript function it names
     */
    public record BrokenBinding(String function, String object) {
    }

    /**
     * What a library defines and which SQL++ functions use it, found by parsing it, never by running it.
     *
     * @param functions the library's top-level functions in source order
     * @param broken    bindings to functions the library does not define
     */
    public record LibraryFunctions(List<DefinedFunction> functions, List<BrokenBinding> broken) {
        /** Copy. */
        public LibraryFunctions {
            functions = List.copyOf(functions);
            broken = List.copyOf(broken);
        }
    }

    /**
     * What a library defines, each function with the SQL++ functions bound to it, and the broken bindings.
     *
     * @return the functions and broken bindings
     */
    public LibraryFunctions functionsOf(Library library) {
        List<JsFunction> found = defined(library);
        Map<String, List<String>> bound = new HashMap<>();
        List<BrokenBinding> broken = new ArrayList<>();
        Set<String> names = found.stream().map(JsFunction::name).collect(Collectors.toSet());
        for (FunctionDefinition f : functions.boundTo(library.id())) {
            if (names.contains(f.object())) {
                bound.computeIfAbsent(f.object(), k -> new ArrayList<>()).add(QualifiedName.of(f.id()));
            } else {
                broken.add(new BrokenBinding(QualifiedName.of(f.id()), f.object()));
            }
        }
        return new LibraryFunctions(found.stream()
                .map(f -> new DefinedFunction(f, bound.getOrDefault(f.name(), List.of())))
                .toList(), broken);
    }

    /**
     * Create or replace a library.
     *
     * @param force keep bindings to functions the new code no longer defines (they are reported as broken)
     * @throws dev.evaluator.runtime.JsSyntaxException when the code does not parse; nothing is changed
     * @throws EngineException                         {@code BINDING_BROKEN} when bound functions would disappear
     */
    public void upsertLibrary(LibraryId id, String code, boolean force) {
        upsertLibrary(id, code, force, LibraryChange.none());
    }

    /**
     * What a change of a library does in its transaction besides the change (its preconditions, its version and
     * its audit record: see {@link LibraryHistory}), so that all of it is one atomic write or nothing.
     *
     * @param <T> what a write hands back to its caller
     */
    public interface LibraryChange<T> {
        /**
         * A change that does nothing more.
         *
         * @return the change
         */
        static LibraryChange<Void> none() {
            return (tx, previous, written, kept) -> null;
        }

        /**
         * Refuse the change, before the guard looks at it.
         *
         * @param current the library as it is
         * @throws EngineException to refuse; nothing is written
         */
        default void check(StoreTransaction tx, Optional<Library> current) {
        }

        /**
         * The library was written (it will be when the transaction commits).
         *
         * @param previous the library as it was
         * @param kept     the bindings a forced replace keeps broken, as qualified names
         * @return what to hand back to the caller
         */
        T written(StoreTransaction tx, Optional<Library> previous, Library written, List<String> kept);

        /**
         * The library was deleted (it will be when the transaction commits).
         *
         * @param deleted the library as it was
         */
        default void deleted(StoreTransaction tx, Library deleted) {
        }
    }

    /**
     * Create or replace a library, with more writes in the same transaction.
     *
     * @param force  keep bindings to functions the new code no longer defines (they are reported as broken)
     * @param change what else the change checks and writes
     * @return what {@link LibraryChange#written} returned
     * @throws dev.evaluator.runtime.JsSyntaxException when the code does not parse; nothing is changed
     * @throws EngineException                         {@code BINDING_BROKEN} when bound functions would disappear,
     *                                                 or what the change's check throws
     */
    public <T> T upsertLibrary(LibraryId id, String code, boolean force, LibraryChange<T> change) {
        // Parsing checks the syntax too, with the same errors as JsRuntime.checkSyntax.
        List<JsFunction> defined = runtime.functions(id.name(), code);
        Set<String> names = defined.stream().map(JsFunction::name).collect(Collectors.toSet());
        T result = store.transact(tx -> {
            Optional<Library> current = tx.findLibrary(id);
            change.check(tx, current);
            List<FunctionDefinition> broken = tx.boundTo(id).stream()
                    .filter(f -> !names.contains(f.object()))
                    .toList();
            if (!broken.isEmpty() && !force) {
                throw new EngineException(EngineException.Kind.BINDING_BROKEN, "Library [" + id.name()
                        + "] would no longer define functions that SQL++ functions are bound to: " + broken.stream()
                        .map(f -> QualifiedName.of(f.id()) + " (binds " + f.object() + ")")
                        .collect(Collectors.joining(", "))
                        + "; keep them in the code, drop those SQL++ functions first, or pass force=true",
                        broken.stream().map(f -> QualifiedName.of(f.id())).toList(), "");
            }
            Library written = tx.upsertLibrary(id, code, OptionalInt.of(defined.size()));
            return change.written(tx, current, written, broken.stream().map(f -> QualifiedName.of(f.id())).toList());
        });
        // What the runtime keeps of the old code (its contexts, with whatever their top levels hold) goes.
        runtime.release(sourceKey(id));
        return result;
    }

    /**
     * Delete a library.
     *
     * @throws EngineException {@code LIBRARY_IN_USE} while functions are bound to it, {@code LIBRARY_NOT_FOUND}
     *                         when it does not exist; nothing is changed
     */
    public void deleteLibrary(LibraryId id) {
        deleteLibrary(id, LibraryChange.none());
    }

    /**
     * Delete a library, with more writes in the same transaction.
     *
     * @param change what else the change checks and writes
     * @throws EngineException {@code LIBRARY_IN_USE} while functions are bound to it, {@code LIBRARY_NOT_FOUND}
     *                         when it does not exist, or what the change's check throws; nothing is changed
     */
    public void deleteLibrary(LibraryId id, LibraryChange<?> change) {
        store.transact(tx -> {
            Optional<Library> current = tx.findLibrary(id);
            change.check(tx, current);
            List<String> bound = tx.boundTo(id).stream().map(f -> QualifiedName.of(f.id())).toList();
            if (!bound.isEmpty()) {
                throw new EngineException(EngineException.Kind.LIBRARY_IN_USE, "Library [" + id.name()
                        + "] is used by " + bound.size() + " SQL++ function(s): " + String.join(", ", bound)
                        + "; drop them first", bound, "");
            }
            if (current.isEmpty() || !tx.deleteLibrary(id)) {
                throw notFound(id);
            }
            change.deleted(tx, current.get());
            return null;
        });
        runtime.release(sourceKey(id));
    }

    /**
     * Create a function.
     *
     * @param written     the function's name as the statement wrote it, for messages
     * @param replace     replace an existing function of that name
     * @param ifNotExists do nothing when the function exists
     * @return whether the function was written
     * @throws EngineException {@code FUNCTION_EXISTS}, {@code LIBRARY_NOT_FOUND}, {@code OBJECT_NOT_FOUND},
     *                         {@code PARAMETER_MISMATCH}
     */
    public boolean createFunction(FunctionDefinition definition, String written, boolean replace,
                                  boolean ifNotExists) {
        return store.transact(tx -> {
            if (tx.findFunction(definition.id()).isPresent() && !replace) {
                if (ifNotExists) {
                    return false;
                }
                throw new EngineException(EngineException.Kind.FUNCTION_EXISTS,
                        "Function '" + written + "' already exists");
            }
            if (!lenientBindings) {
                checkBinding(definition, tx.findLibrary(definition.library()));
            }
            tx.upsertFunction(definition);
            return true;
        });
    }

    /**
     * Drop a function; its library stays.
     *
     * @return whether it existed
     */
    public boolean dropFunction(FunctionId id) {
        return store.transact(tx -> tx.deleteFunction(id));
    }

    /**
     * All SQL++ functions.
     *
     * @return the functions, in the store's order
     */
    public List<FunctionDefinition> functions() {
        return functions.list();
    }

    /**
     * A SQL++ function.
     *
     * @return the function, or empty
     */
    public Optional<FunctionDefinition> function(FunctionId id) {
        return functions.find(id);
    }

    /**
     * Why a stored binding does not resolve, if it does not: its library is gone or no longer defines its function.
     *
     * @return the reason, or empty when the binding resolves
     */
    public Optional<String> brokenReason(FunctionDefinition definition) {
        Optional<Library> library = libraries.find(definition.library());
        if (library.isEmpty()) {
            return Optional.of("library " + describe(definition.library()) + " does not exist");
        }
        boolean present = defined(library.get()).stream().anyMatch(f -> f.name().equals(definition.object()));
        return present ? Optional.empty()
                : Optional.of("library " + describe(definition.library()) + " does not define function "
                        + definition.object());
    }

    /** Whether CREATE FUNCTION skips checking its library and JavaScript function (Couchbase's late binding). */
    boolean lenientBindings() {
        return lenientBindings;
    }

    /** Drop what the runtime keeps of a library's old code, after a write the catalog did not make (an import). */
    void release(LibraryId id) {
        runtime.release(sourceKey(id));
    }

    /**
     * The checks of CREATE FUNCTION: the library exists, defines the function, and takes the declared parameters.
     *
     * @param found the library as the binding would see it
     * @throws EngineException {@code LIBRARY_NOT_FOUND}, {@code OBJECT_NOT_FOUND}, {@code PARAMETER_MISMATCH}
     */
    void checkBinding(FunctionDefinition definition, Optional<Library> found) {
        Library library = found.orElseThrow(() -> new EngineException(
                EngineException.Kind.LIBRARY_NOT_FOUND, "Library " + describe(definition.library())
                + " does not exist: create it first"));
        JsFunction target = defined(library).stream()
                .filter(f -> f.name().equals(definition.object()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new EngineException(EngineException.Kind.OBJECT_NOT_FOUND,
                        "Library " + describe(definition.library()) + " defines no top-level function named "
                                + definition.object() + "; it defines: " + defined(library).stream()
                                .map(JsFunction::name).collect(Collectors.joining(", "))));
        if (definition.parameters().isPresent() && !target.variadic()
                && definition.parameters().get().size() != target.parameters().size()) {
            throw new EngineException(EngineException.Kind.PARAMETER_MISMATCH, "Function "
                    + QualifiedName.of(definition.id()) + " declares " + definition.parameters().get().size()
                    + " parameter(s) but " + definition.object() + " in library " + describe(definition.library())
                    + " takes " + target.parameters().size() + " (" + String.join(", ", target.parameters())
                    + "); match them, or declare the function variadic with (...)");
        }
    }

    /**
     * The key the runtime knows a library's code by ({@code LibrarySource.key()}), which its list of calls shows:
     * {@code lib} or {@code bucket/scope/lib}.
     *
     * @return the key
     */
    static String sourceKey(LibraryId id) {
        return FunctionDefinition.defaultPath(id);
    }

    /**
     * A library as messages name it: {@code [name]} or {@code [name] in scope bucket.scope}.
     *
     * @return the text
     */
    static String describe(LibraryId library) {
        return switch (library.namespace()) {
            case Namespace.Global g -> "[" + library.name() + "]";
            case Namespace.Scoped s -> "[" + library.name() + "] in scope " + s.bucket() + "." + s.scope();
        };
    }
}
