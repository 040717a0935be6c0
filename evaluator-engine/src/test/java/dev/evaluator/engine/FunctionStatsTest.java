package dev.evaluator.engine;

import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionStatsTest {
    private static final LibraryId MATH = LibraryId.global("math");
    private static final LibraryId SCIENCE = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "science");
    private static final long MS = 1_000_000;

    @Test
    void report_knownSequence_countsTimesAndLastCall() {
        FunctionStats stats = new FunctionStats();
        Instant before = Instant.now().minusMillis(1);
        stats.record(MATH, "add", 2 * MS, false, false);
        stats.record(MATH, "add", 4 * MS, false, false);
        stats.record(MATH, "add", 6 * MS, true, false);
        stats.record(MATH, "add", 200 * MS, true, true);

        FunctionStats.Snapshot add = stats.report(n -> true).functions().getFirst();

        assertEquals(MATH, add.library());
        assertEquals("add", add.function());
        assertEquals(4, add.calls());
        assertEquals(2, add.errors());
        assertEquals(1, add.timeouts());
        assertEquals(2 * MS, add.minNanos());
        assertEquals(200 * MS, add.maxNanos());
        assertEquals(53 * MS, add.avgNanos());
        assertTrue(Math.abs(add.p99Nanos() - 200 * MS) <= 200 * MS / 16, String.valueOf(add.p99Nanos()));
        assertFalse(add.lastCall().isBefore(before));
    }

    @Test
    void report_twoNamespaces_functionsSortedAndEachNamespaceAddedUp() {
        FunctionStats stats = new FunctionStats();
        stats.record(SCIENCE, "f2c", 3 * MS, false, false);
        stats.record(MATH, "sub", 1 * MS, false, false);
        stats.record(MATH, "add", 5 * MS, true, false);
        stats.record(MATH, "add", 7 * MS, false, false);

        FunctionStats.Report report = stats.report(n -> true);

        assertEquals(List.of("math.add", "math.sub", "science.f2c"), report.functions().stream()
                .map(f -> f.library().name() + "." + f.function()).toList());
        assertEquals(2, report.namespaces().size());
        FunctionStats.Snapshot global = report.namespaces().getFirst();
        assertEquals(Namespace.GLOBAL, global.library().namespace());
        assertEquals("", global.function());
        assertEquals(3, global.calls());
        assertEquals(1, global.errors());
        assertEquals(1 * MS, global.minNanos());
        assertEquals(7 * MS, global.maxNanos());
        assertEquals(13 * MS, global.totalNanos());
        FunctionStats.Snapshot scoped = report.namespaces().get(1);
        assertEquals(SCIENCE.namespace(), scoped.library().namespace());
        assertEquals(1, scoped.calls());
    }

    @Test
    void report_visibleNamespacesOnly() {
        FunctionStats stats = new FunctionStats();
        stats.record(SCIENCE, "f2c", MS, false, false);
        stats.record(MATH, "add", MS, false, false);

        FunctionStats.Report report = stats.report(n -> n instanceof Namespace.Scoped);

        assertEquals(List.of(SCIENCE), report.functions().stream().map(FunctionStats.Snapshot::library).toList());
        assertEquals(1, report.namespaces().size());
    }

    @Test
    void record_beyondTheTrackedFunctions_countedAsUntracked() {
        FunctionStats stats = new FunctionStats();
        for (int i = 0; i < FunctionStats.MAX_FUNCTIONS; i++) {
            stats.record(MATH, "f" + i, MS, false, false);
        }
        stats.record(MATH, "one-too-many", MS, false, false);
        stats.record(MATH, "f0", MS, false, false);

        FunctionStats.Report report = stats.report(n -> true);

        assertEquals(FunctionStats.MAX_FUNCTIONS, report.functions().size());
        assertEquals(1, report.untrackedCalls());
        assertEquals(2, report.functions().stream().filter(f -> f.function().equals("f0")).findFirst()
                .orElseThrow().calls());
    }

    @Test
    void recordSqlFunction_countsPerSqlFunctionAndForgetsOnDrop() {
        FunctionStats stats = new FunctionStats();
        FunctionId plus = new FunctionId(Namespace.GLOBAL, "plus");
        stats.recordSqlFunction(plus, 2 * MS, false, false);
        stats.recordSqlFunction(plus, 6 * MS, true, false);

        FunctionStats.SqlFunctionSnapshot figures = stats.sqlFunction(plus).orElseThrow();

        assertEquals(2, figures.calls());
        assertEquals(2 * MS, figures.minNanos());
        assertEquals(6 * MS, figures.maxNanos());
        assertEquals(4 * MS, figures.avgNanos());
        assertEquals(List.of(), stats.report(n -> true).functions(), "library functions are counted apart");
        stats.forget(plus);
        assertTrue(stats.sqlFunction(plus).isEmpty());
    }

    @Test
    void recordSqlFunction_beyondTheTrackedFunctions_notCounted() {
        FunctionStats stats = new FunctionStats();
        for (int i = 0; i < FunctionStats.MAX_FUNCTIONS; i++) {
            stats.recordSqlFunction(new FunctionId(Namespace.GLOBAL, "f" + i), MS, false, false);
        }
        FunctionId extra = new FunctionId(Namespace.GLOBAL, "one-too-many");
        stats.recordSqlFunction(extra, MS, false, false);
        stats.recordSqlFunction(new FunctionId(Namespace.GLOBAL, "f0"), MS, false, false);

        assertTrue(stats.sqlFunction(extra).isEmpty());
        assertEquals(2, stats.sqlFunction(new FunctionId(Namespace.GLOBAL, "f0")).orElseThrow().calls());
    }
}
