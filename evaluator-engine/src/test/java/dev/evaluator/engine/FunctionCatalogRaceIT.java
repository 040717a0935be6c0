package dev.evaluator.engine;

import dev.evaluator.runtime.JsRuntime;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog's invariant under races: in each of many rounds, one thread deletes a fresh library while others
 * create functions bound to it and another replaces it with code that drops the bound JavaScript function. A library
 * is never recreated after its round, so a lost race would stay visible. Afterwards no function may be bound to a
 * missing library or to a JavaScript function its library does not define, and the library-to-functions index must
 * match the functions exactly. Real RocksDB, real GraalJS.
 */
class FunctionCatalogRaceIT {
    private static final int ROUNDS = 300;
    private static final int CREATORS = 3;
    private static final String DEFINES = "function fn(a) { return a; }\nfunction other() {}";
    private static final String DROPS = "function other() {}";

    @TempDir
    Path dir;

    @Test
    void deleteReplaceAndCreateRaces_neverLeaveABrokenBinding() throws Exception {
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<LibraryId> libraries = new ArrayList<>();
        try (RocksDbStore store = RocksDbStore.open(dir); JsRuntime runtime = JsRuntime.create();
             ExecutorService pool = Executors.newFixedThreadPool(CREATORS + 2)) {
            FunctionCatalog catalog = new FunctionCatalog(store, runtime, false);
            for (int round = 0; round < ROUNDS; round++) {
                Namespace namespace = round % 2 == 0 ? Namespace.GLOBAL : Namespace.scoped("b", "s");
                LibraryId library = new LibraryId(namespace, "lib" + round);
                libraries.add(library);
                catalog.upsertLibrary(library, DEFINES, false);
                CyclicBarrier start = new CyclicBarrier(CREATORS + 2);
                List<Future<?>> tasks = new ArrayList<>();
                tasks.add(pool.submit(() -> record(outcomes, start, () -> {
                    catalog.deleteLibrary(library);
                    return "deleted";
                })));
                tasks.add(pool.submit(() -> record(outcomes, start, () -> {
                    catalog.upsertLibrary(library, DROPS, false);
                    return "replaced";
                })));
                for (int c = 0; c < CREATORS; c++) {
                    FunctionId id = new FunctionId(namespace, "f" + round + "_" + c);
                    tasks.add(pool.submit(() -> record(outcomes, start, () -> catalog.createFunction(
                            new FunctionDefinition(id, Optional.of(List.of("a")), library, "fn", Instant.now()),
                            id.name(), false, false) ? "created" : "kept")));
                }
                for (Future<?> task : tasks) {
                    task.get();
                }
            }

            for (FunctionDefinition f : catalog.functions()) {
                assertTrue(store.libraries().find(f.library()).isPresent(), f + " is bound to a missing library");
                assertEquals(Optional.empty(), catalog.brokenReason(f), f.toString());
            }
            for (LibraryId library : libraries) {
                assertEquals(catalog.functions().stream().filter(f -> f.library().equals(library))
                                .map(FunctionDefinition::id).collect(Collectors.toSet()),
                        store.functions().boundTo(library).stream().map(FunctionDefinition::id).collect(Collectors.toSet()),
                        "index of " + library);
            }
        }
        // Each side won some races, so the rounds really exercised the guard both ways.
        for (String expected : List.of("created", "deleted", "replaced", "LIBRARY_IN_USE", "LIBRARY_NOT_FOUND",
                "BINDING_BROKEN")) {
            assertTrue(outcomes.containsKey(expected), expected + " never happened: " + outcomes);
        }
    }

    private interface Step {
        String run();
    }

    private static Void record(Map<String, AtomicInteger> outcomes, CyclicBarrier start, Step step)
            throws Exception {
        start.await();
        // A little jitter so each side wins some races.
        Thread.sleep(0, ThreadLocalRandom.current().nextInt(200_000));
        String outcome;
        try {
            outcome = step.run();
        } catch (EngineException e) {
            outcome = e.kind().name();
        }
        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        return null;
    }
}
